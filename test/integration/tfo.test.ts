/**
 * TCP Fast Open on Ward's TCP listener (RFC 7413), checked on the wire, in a network namespace where
 * the kernel turns it on for every listener (test/helpers/tfo-netns.ts): asked twice with
 * `kdig +tcp +fastopen`, the first connection fetches a cookie, the second carries the query in its
 * SYN, which the kernel counts as TcpExtTCPFastOpenPassive. Skipped, with the reason, where
 * namespaces cannot be made (not root, no CAP_SYS_ADMIN, no iproute2 or kdig).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { kdigIn, makeTfoNamespace, removeNamespace, startWardIn, tcpExt, type NamespacedWard } from '../helpers/tfo-netns.js';

const NS = `ward-tfo-${process.pid}`;
const NAME = 'www.tfo.test';

let skipReason: string | undefined;
let ward: NamespacedWard | undefined;

before(async () => {
  skipReason = makeTfoNamespace(NS);
  if (skipReason) return;
  ward = await startWardIn(NS, NAME, '192.0.2.1');
});

after(async () => {
  await ward?.stop();
  removeNamespace(NS);
});

test('the second TCP query carries its data in the SYN (TCP Fast Open, RFC 7413)', { timeout: 30_000 }, async (t) => {
  if (skipReason) {
    process.stdout.write(`# tfo: skipped: ${skipReason}\n`);
    t.skip(skipReason);
    return;
  }
  assert.ok(ward);
  assert.doesNotMatch(ward.daemon.output(), /TCP fast open not enabled/, 'Ward saw the kernel-wide setting (fastOpen: kernel-wide)');
  const passive0 = await tcpExt(NS, 'TCPFastOpenPassive');
  assert.deepEqual(await kdigIn(NS, NAME, '+tcp', '+fastopen'), ['192.0.2.1'], 'first TCP query (cookie request)');
  const passive1 = await tcpExt(NS, 'TCPFastOpenPassive');
  assert.equal(passive1, passive0, 'the first connection has no cookie yet, so no data in its SYN');
  assert.deepEqual(await kdigIn(NS, NAME, '+tcp', '+fastopen'), ['192.0.2.1'], 'second TCP query (data in the SYN)');
  const passive2 = await tcpExt(NS, 'TCPFastOpenPassive');
  assert.equal(passive2, passive1 + 1, 'Ward\'s listener accepted one fast-open connection');
});
