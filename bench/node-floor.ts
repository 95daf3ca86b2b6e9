/**
 * The floor of a validating cold resolution in Node.js on this machine, for the signed cold benchmark
 * (cold-signed.ts): the work no validating resolver can skip for a name whose zone's keys it already
 * holds, and nothing else. Per client query: read the question, send one query with DO set to one of the
 * zone's servers (a fixed set of sockets, a random ID each), decode the whole reply (dns-packet, as
 * Ward), check the answer's one RRSIG with the zone's DNSKEY (RFC 4035 §5.3: signed data built and
 * checked in the thread pool, as Ward), and encode and send the answer (AD when the check passed).
 * No iteration, no cache, no chain of trust above the zone (its DNSKEY is fetched once at start and
 * taken on faith), no scrubbing, no retries: Ward's CPU per name above this figure is what Ward's own
 * code costs; the figure itself is what Node, dns-packet and OpenSSL cost.
 *
 * Run as a child process: `node node-floor.js LISTEN_ADDRESS ZONE SERVER...`; prints "ready" once the
 * zone's DNSKEY set is in and the client socket is bound.
 */
import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { keyTag, verifyRrsig } from '../src/dnssec/index.js';
import type { RrsigData } from '../src/dnssec/canonical.js';
import { buildQuery, EDNS_UDP_PAYLOAD } from '../src/upstream/query-message.js';
import {
  decodeMessage, encodeCompressed, makeOpt, MalformedMessage, optAsRecord, peekQuestion, FLAG,
  rdataOf, setId, typeMnemonic, type Message, type Record, type RRType,
} from '../src/wire/index.js';

/** Upstream sockets the floor keeps (it never retires one: Ward's pool is dearer, not cheaper). */
const SOCKETS = 8;

interface Waiting { client: RemoteInfo; clientId: number; name: string; type: RRType; dnssecOk: boolean }

/** The query Ward's upstream sends over UDP (upstream/query-message.ts), with DO and `id`; undefined when it cannot be encoded. */
function upstreamQuery(id: number, name: string, type: RRType, server: string): Buffer | undefined {
  const bytes = buildQuery({ name, type, server: { address: server, port: 53 }, dnssecOk: true, cd: false, rd: false }, true, 'udp');
  if (bytes !== undefined) setId(bytes, id);
  return bytes;
}

/** The zone's DNSKEY records by key tag (RFC 4034 Appendix B), asked once from the first server. */
async function zoneKeys(socket: Socket, server: string, zone: string): Promise<Map<number, Record>> {
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no DNSKEY answer for ${zone} from ${server}`)), 5_000);
    socket.once('message', (msg) => { clearTimeout(timer); resolve(msg); });
    const query = upstreamQuery(randomInt(65536), zone, 'DNSKEY', server);
    if (query === undefined) reject(new Error(`cannot encode a DNSKEY query for ${zone}`));
    else socket.send(query, 53, server);
  });
  const msg = decodeMessage(reply);
  if (msg instanceof MalformedMessage) throw new Error(msg.message);
  const keys = new Map<number, Record>();
  for (const rr of msg.answers) if (rr.type === 'DNSKEY') keys.set(keyTag(rr), rr);
  if (keys.size === 0) throw new Error(`no DNSKEY records for ${zone} from ${server}`);
  return keys;
}

async function main(): Promise<void> {
  const [listen, zone, ...servers] = process.argv.slice(2);
  if (listen === undefined || zone === undefined || servers.length === 0) throw new Error('usage: node-floor LISTEN_ADDRESS ZONE SERVER...');
  const client = createSocket('udp4');
  const upstream: Socket[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, listen, resolve));
    upstream.push(s);
  }
  const keys = await zoneKeys(upstream[0], servers[0], zone);
  const waiting: Map<number, Waiting>[] = upstream.map(() => new Map());
  let next = 0;

  const answer = (w: Waiting, reply: Message, authentic: boolean): void => {
    const answers = w.dnssecOk ? reply.answers : reply.answers.filter((rr) => rr.type !== 'RRSIG');
    const out = encodeCompressed({
      type: 'response', id: w.clientId,
      flags: FLAG.QR | FLAG.RD | FLAG.RA | (authentic ? FLAG.AD : 0) | (reply.flags & 0xf),
      questions: [{ name: w.name, type: w.type, class: 'IN' }], answers, authorities: [],
      additionals: [optAsRecord(makeOpt(EDNS_UDP_PAYLOAD, w.dnssecOk))],
    } as Message);
    client.send(out, w.client.port, w.client.address);
  };

  upstream.forEach((s, i) => s.on('message', (buf, rinfo) => {
    if (buf.length < 12) return;
    const w = waiting[i].get(buf.readUInt16BE(0));
    if (w === undefined || !servers.includes(rinfo.address)) return;
    waiting[i].delete(buf.readUInt16BE(0));
    const reply = decodeMessage(buf);
    if (reply instanceof MalformedMessage) return;
    const rrset = reply.answers.filter((rr) => rr.type === w.type);
    const sig = reply.answers.find((rr) => rr.type === 'RRSIG' && (rdataOf(rr) as RrsigData).typeCovered === w.type);
    const key = sig === undefined ? undefined : keys.get((rdataOf(sig) as RrsigData).keyTag);
    if (sig === undefined || key === undefined || rrset.length === 0) { answer(w, reply, false); return; }
    void verifyRrsig(rrset, sig, key).then((ok) => answer(w, reply, ok));
  }));

  client.on('message', (buf, rinfo) => {
    const q = peekQuestion(buf);
    if (q === null) return;
    const type = typeMnemonic(q.type) as RRType;
    // DO: the OPT record after the question (a stub's query carries nothing else).
    const dnssecOk = buf.length >= q.end + 11 && buf.readUInt16BE(q.end + 1) === 41 && (buf.readUInt16BE(q.end + 7) & 0x8000) !== 0;
    const i = next++ % SOCKETS;
    let id = randomInt(65536);
    while (waiting[i].has(id)) id = randomInt(65536);
    const server = servers[next % servers.length];
    const query = upstreamQuery(id, q.name, type, server);
    if (query === undefined) return;
    waiting[i].set(id, { client: rinfo, clientId: buf.readUInt16BE(0), name: q.name, type, dnssecOk });
    upstream[i].send(query, 53, server);
  });
  await new Promise<void>((resolve) => client.bind(53, listen, resolve));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`node-floor: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
