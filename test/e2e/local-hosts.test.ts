/**
 * The local hosts table on the wire: a running `ward` with `local_hosts` (one inline line and a hosts
 * file) answers A, AAAA and PTR from it over UDP and TCP with AA clear, NODATA for the names'
 * other types, and passes other names on; names under the built-in home.arpa zone come from the
 * table. `ward reload` reads a changed hosts file; a hosts file with a bad line is refused with its
 * path and line, and the old table keeps answering.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { query, rcodeName, recordText } from '../helpers/lab-query.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { FLAG } from '../../src/wire/index.js';
import { startWard, wardCli } from './ward-under-test.js';

const ADDR = '127.0.2.93';

test('local_hosts: A, AAAA, PTR and NODATA from a hosts file and inline lines; reload reads the file again', async () => {
  const tmp = makeTempDir('ward-hosts');
  const hostsFile = join(tmp.dir, 'hosts');
  writeFileSync(hostsFile, [
    '# the appliance\'s own names',
    '192.168.77.10   nas.home.arpa   nas   # the NAS',
    '2001:db8:77::10 nas.home.arpa',
    '192.168.77.11   printer.home.arpa',
    '',
  ].join('\n'));
  const w = await startWard(ADDR, {}, { local_hosts: { files: [hostsFile], entries: ['192.168.77.12 tv.home.arpa'], ttl: 60 } });
  try {
    for (const transport of ['udp', 'tcp'] as const) {
      const a = await query(ADDR, w.port, 'NAS.home.arpa.', 'A', { transport });
      assert.equal(rcodeName(a), 'NOERROR');
      assert.deepEqual(a.answers.map(recordText), ['nas.home.arpa A 192.168.77.10']);
      assert.equal(a.answers[0].name, 'NAS.home.arpa', 'the owner is the question name as asked');
      assert.equal((a.flags ?? 0) & FLAG.AA, 0, 'a hosts answer is not authoritative');
      assert.equal((a.answers[0] as { ttl?: number }).ttl, 60);
    }
    const aaaa = await query(ADDR, w.port, 'nas.home.arpa.', 'AAAA');
    assert.deepEqual(aaaa.answers.map(recordText), ['nas.home.arpa AAAA 2001:db8:77::10']);
    assert.deepEqual((await query(ADDR, w.port, 'nas.', 'A')).answers.map(recordText), ['nas A 192.168.77.10'], 'an alias on the line');
    assert.deepEqual((await query(ADDR, w.port, 'tv.home.arpa.', 'A')).answers.map(recordText), ['tv.home.arpa A 192.168.77.12']);

    // NODATA for a listed name's other types (and a family it has no address of).
    const mx = await query(ADDR, w.port, 'nas.home.arpa.', 'MX');
    assert.equal(rcodeName(mx), 'NOERROR');
    assert.equal(mx.answers.length, 0);
    const printer6 = await query(ADDR, w.port, 'printer.home.arpa.', 'AAAA');
    assert.equal(rcodeName(printer6), 'NOERROR');
    assert.equal(printer6.answers.length, 0);

    // PTR: the canonical (first) name of the line, for IPv4 and IPv6.
    assert.deepEqual((await query(ADDR, w.port, '10.77.168.192.in-addr.arpa.', 'PTR')).answers.map(recordText),
      ['10.77.168.192.in-addr.arpa PTR nas.home.arpa']);
    const v6 = `${'0.1.0.0.'}${'0.'.repeat(16)}7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa.`;
    assert.deepEqual((await query(ADDR, w.port, v6, 'PTR')).answers.map(recordText), [`${v6.slice(0, -1)} PTR nas.home.arpa`]);

    // A name not listed under the built-in static home.arpa zone: that zone still answers NXDOMAIN.
    assert.equal(rcodeName(await query(ADDR, w.port, 'other.home.arpa.', 'A')), 'NXDOMAIN');

    // Reload reads the file again.
    writeFileSync(hostsFile, '192.168.77.20 nas.home.arpa\n');
    const r = await wardCli(['reload', '--config', w.configFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await query(ADDR, w.port, 'nas.home.arpa.', 'A', { transport: 'tcp' })).answers.map(recordText), ['nas.home.arpa A 192.168.77.20']);
    assert.equal(rcodeName(await query(ADDR, w.port, 'printer.home.arpa.', 'A', { transport: 'tcp' })), 'NXDOMAIN', 'a line removed from the file is gone');

    // A bad line: refused, naming the file and the line; the old table keeps answering.
    writeFileSync(hostsFile, '192.168.77.21 nas.home.arpa\n192.168.77.300 broken.home.arpa\n');
    const bad = await wardCli(['reload', '--config', w.configFile]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, new RegExp(`${hostsFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: local_hosts\\.files\\[0\\] line 2: expected a hosts line`));
    assert.deepEqual((await query(ADDR, w.port, 'nas.home.arpa.', 'A', { transport: 'tcp' })).answers.map(recordText), ['nas.home.arpa A 192.168.77.20']);
  } finally {
    assert.equal(await w.stop(), 0);
    tmp.remove();
  }
});
