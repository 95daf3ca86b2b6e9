/**
 * decodeMessage and records whose RDLENGTH lies (RFC 1035 §3.2.1, §4.1.3): dns-packet ignores
 * RDLENGTH for A, AAAA and names in record data, so such a message would be misread. An A or AAAA
 * record of the wrong length is dropped and every other record read as framed by the RDLENGTHs
 * (Unbound's scrub_sanitize_rr_length); a name running past its RDLENGTH makes the message
 * malformed, and the upstream treats the server as having sent garbage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { decodeMessage, encodeCompressed, encodeMessage, MalformedMessage, type Message, type Record } from '../../src/wire/index.js';
import { aRdlength3, aRdlength3ThenA, aRdlength7, aaaaRdlength17, cnamePastName } from '../helpers/lying-rdlength.js';
import { FakeExchanger, makeUpstream, q } from '../upstream/fake-exchanger.js';

/** "www.test IN A" as on the wire. */
const QUESTION = Buffer.from([3, 0x77, 0x77, 0x77, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1]);

const LIES = { aRdlength3, aRdlength7, aaaaRdlength17, cnamePastName };

test('dns-packet alone reads these lies as data: an A record with RDLENGTH 3 becomes two A records', () => {
  const two = dnsPacket.decode(aRdlength3(1, QUESTION));
  assert.deepEqual(two.answers?.map((rr) => [rr.type, (rr as { data?: unknown }).data]), [['A', '6.6.6.0'], ['A', '1.2.3.4']]);
  for (const [kind, make] of Object.entries(LIES)) {
    assert.doesNotThrow(() => dnsPacket.decode(make(1, QUESTION)), kind);
  }
});

test('a name running past its RDLENGTH, or data past the end, makes the message malformed', () => {
  const msg = decodeMessage(cnamePastName(1, QUESTION));
  assert.ok(msg instanceof MalformedMessage, 'malformed');
  assert.match(msg.message, /RDLENGTH/);
  const past = aRdlength7(1, QUESTION).subarray(0, -2); // RDLENGTH 7, five octets left
  assert.ok(decodeMessage(past) instanceof MalformedMessage, 'data running past the end');
});

test('an A or AAAA record of the wrong length is dropped; the records after it are read as framed by RDLENGTH', () => {
  const three = decodeMessage(aRdlength3(1, QUESTION));
  assert.ok(!(three instanceof MalformedMessage));
  // Not the two A records dns-packet alone reads: the record after the bad one is an opaque type 0xC00C.
  assert.deepEqual(three.answers.map((rr) => rr.type), ['UNKNOWN_49164']);
  for (const [kind, make] of Object.entries({ aRdlength7, aaaaRdlength17 })) {
    const msg = decodeMessage(make(1, QUESTION));
    assert.ok(!(msg instanceof MalformedMessage), kind);
    assert.deepEqual(msg.answers, [], kind);
  }
});

test('only the bad record goes: the A record of the right length after it is kept', () => {
  const msg = decodeMessage(aRdlength3ThenA(1, QUESTION, '192.0.2.3'));
  assert.ok(!(msg instanceof MalformedMessage));
  assert.deepEqual(msg.answers.map((rr) => [rr.type, (rr as { data?: unknown }).data]), [['A', '192.0.2.3']]);
});

test('honest records decode, with and without name compression', () => {
  const rr = (type: string, data: unknown): Record => ({ name: 'www.test', type, class: 'IN', ttl: 60, data } as Record);
  const msg = {
    id: 9, type: 'response', flags: 0x8400,
    questions: [{ name: 'www.test', type: 'A', class: 'IN' }],
    answers: [rr('A', '192.0.2.1'), rr('AAAA', '2001:db8::1'), rr('CNAME', 'x.www.test'), rr('DNAME', 'example.test'),
      rr('MX', { preference: 10, exchange: 'mx.www.test' }), rr('TXT', ['hi']), rr('PTR', 'p.test')],
    authorities: [rr('NS', 'ns.www.test'), { name: 'test', type: 'SOA', class: 'IN', ttl: 60,
      data: { mname: 'ns.test', rname: 'host.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } } as Record],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as Record],
  } as Message;
  for (const [how, b] of [['plain', encodeMessage(msg)], ['compressed', encodeCompressed(msg)]] as const) {
    const msg = decodeMessage(b);
    assert.ok(!(msg instanceof MalformedMessage), `${how}: ${msg instanceof MalformedMessage ? msg.message : ''}`);
    assert.equal(msg.answers.length, 7, how);
    assert.equal(msg.authorities.length, 2, how);
  }
});

test('upstream: a reply with a name past its RDLENGTH is garbage, and the server is ranked last', async () => {
  const ex = new FakeExchanger((req, query) => ({
    kind: 'reply', bytes: cnamePastName(query.id, QUESTION), rttMs: 1, transport: req.transport, reused: false,
  }));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('www.test'));
  assert.equal(res.kind === 'fail' && res.reason, 'malformed');
  assert.equal(upstream.serverInfo({ address: '192.0.2.53', port: 53 }).consecutiveTimeouts, 1);
});

test('upstream: a reply with an A record of the wrong length is used without that record', async () => {
  const ex = new FakeExchanger((req, query) => ({
    kind: 'reply', bytes: aRdlength3(query.id, QUESTION), rttMs: 1, transport: req.transport, reused: false,
  }));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('www.test'));
  assert.equal(res.kind, 'reply');
  assert.ok(res.kind === 'reply' && !res.message.answers.some((rr) => rr.type === 'A'));
});
