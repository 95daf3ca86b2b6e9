import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeMessage, edeOption, encodeCompressed, encodeMessage, keepaliveOption, makeOpt, optAsRecord, parseRecord, padEncoded,
  MalformedMessage, type Message, type Record,
} from '../../src/wire/index.js';
import { compressMessage } from '../helpers/compress-reference.js';

const RECORDS = [
  'WwW.Example.TEST. 300 IN CNAME host.example.test.',
  'host.example.test. 300 IN A 192.0.2.1',
  'host.example.test. 300 IN A 192.0.2.2',
  'example.test. 300 IN NS ns1.example.test.',
  'example.test. 300 IN NS ns2.other.test.',
  'example.test. 300 IN MX 10 mail.example.test.',
  'example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 900 604800 300',
  'example.test. 300 IN TXT "hello world"',
  '_sip._tcp.example.test. 300 IN SRV 1 2 5060 sip.example.test.',
  'host.example.test. 300 IN RRSIG A 13 3 300 20300101000000 20200101000000 12345 example.test. aGVsbG8gd29ybGQgc2lnbmF0dXJlIGJ5dGVz',
  'a.example.test. 300 IN NSEC host.example.test. A RRSIG NSEC',
  'old.example.test. 300 IN DNAME example.test.',
];

const OPT = optAsRecord(makeOpt(1232, true));

function message(records: string[] | Record[], additionals: Record[] = [OPT], qname = 'WwW.Example.TEST'): Message {
  const rrs = records.map((r) => (typeof r === 'string' ? parseRecord(r) : r));
  return {
    id: 7, type: 'response', flags: 0x8180, questions: [{ name: qname, type: 'A', class: 'IN' }],
    answers: rrs.slice(0, 3), authorities: rrs.slice(3), additionals,
  } as Message;
}

/** The old way: dns-packet's encoding, then the compressing pass over it. */
function twoPass(msg: Message): Buffer {
  return compressMessage(encodeMessage(msg));
}

/** Every field of every record as dns-packet decodes it, names included with their case. */
function view(buf: Buffer): unknown {
  const m = decodeMessage(buf);
  assert.ok(!(m instanceof MalformedMessage), 'decodes');
  return JSON.parse(JSON.stringify([m.questions, m.answers, m.authorities, m.additionals]));
}

test('compression keeps every record and every letter, and shrinks the message', () => {
  const plain = encodeMessage(message(RECORDS));
  const packed = encodeCompressed(message(RECORDS));
  assert.ok(packed.length < plain.length * 0.8, `${plain.length} -> ${packed.length}`);
  assert.deepEqual(view(packed), view(plain));
});

/** (TYPE, RDLENGTH) of every record, walking the bytes (names may be compressed). */
function rdlengths(buf: Buffer): [number, number][] {
  const skip = (off: number): number => {
    for (;;) {
      const len = buf[off];
      if (len === 0) return off + 1;
      if ((len & 0xc0) === 0xc0) return off + 2;
      off += 1 + len;
    }
  };
  let off = skip(12) + 4;
  const out: [number, number][] = [];
  for (let i = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10); i > 0; i--) {
    off = skip(off);
    out.push([buf.readUInt16BE(off), buf.readUInt16BE(off + 8)]);
    off += 10 + buf.readUInt16BE(off + 8);
  }
  return out;
}

test('names inside RDATA are compressed only for RFC 1035 types (RFC 3597 §4)', () => {
  const before = rdlengths(encodeMessage(message(RECORDS)));
  const after = rdlengths(encodeCompressed(message(RECORDS)));
  const COMPRESSIBLE = new Set([2, 5, 6, 15]); // NS CNAME SOA MX
  let shrunk = 0;
  before.forEach(([type, len], i) => {
    assert.equal(after[i][0], type);
    if (COMPRESSIBLE.has(type)) { if (after[i][1] < len) shrunk++; } else assert.equal(after[i][1], len, `type ${type} RDATA untouched`);
  });
  assert.ok(shrunk >= 4, `compressible RDATA shrank (${shrunk})`);
});

const rr = (name: string, type: string, data: unknown): Record => ({ name, type, class: 'IN', ttl: 300, data } as Record);
/** A name in wire form, uncompressed (for opaque RDATA). */
const wire = (name: string): Buffer => Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);

const VARIED: { [what: string]: Message } = {
  'a CNAME chain with signatures': message([
    'www.example.test. 300 IN CNAME a.cdn.example.test.',
    'a.cdn.example.test. 300 IN CNAME b.cdn.Example.test.',
    'b.cdn.example.test. 300 IN A 192.0.2.9',
    'www.example.test. 300 IN RRSIG CNAME 13 3 300 20300101000000 20200101000000 1 example.test. aGVsbG8=',
    'cdn.example.test. 300 IN NS ns.cdn.example.test.',
    'ns.cdn.example.test. 300 IN AAAA 2001:db8::53',
  ], [OPT], 'www.example.test'),
  'an NSEC3 denial': message([
    'example.test. 300 IN SOA ns.example.test. root.example.test. 7 3600 900 604800 300',
    'example.test. 300 IN RRSIG SOA 13 2 300 20300101000000 20200101000000 1 example.test. aGVsbG8=',
    '2vptu5timamqttgl4luu9kg21e0aor3s.example.test. 300 IN NSEC3 1 0 10 ab 2vptu5timamqttgl4luu9kg21e0aor3t A RRSIG',
    '2vptu5timamqttgl4luu9kg21e0aor3s.example.test. 300 IN RRSIG NSEC3 13 3 300 20300101000000 20200101000000 1 example.test. aGVsbG8=',
    'example.test. 300 IN DNSKEY 257 3 13 aGVsbG8gd29ybGQ=',
    'example.test. 300 IN DS 1 13 2 abcdef0123456789',
  ], [OPT], 'nope.example.test'),
  'EDNS options (EDE, keepalive, padding)': message(RECORDS.slice(0, 4), [
    rr('ns1.example.test', 'A', '192.0.2.53'),
    optAsRecord(makeOpt(4096, true, [edeOption(18, 'prohibited'), keepaliveOption(30_000), { code: 12, length: 40 }])),
  ]),
  'no OPT, classic': message(RECORDS, []),
  'mailbox names with escaped dots, non-ASCII and upper-case names': message([
    rr('bücher.example.test', 'A', '192.0.2.1'),
    rr('BÜCHER.example.test', 'CNAME', 'bücher.example.test'),
    rr('example.test', 'SOA', { mname: 'ns.example.test', rname: 'dns\\.admin.example.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 }),
    rr('other.test', 'SOA', { mname: 'ns.other.test', rname: 'dns\\.admin.example.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 }),
    rr('example.test', 'MX', { preference: 5, exchange: 'Mail.Example.Test.' }),
    rr('x.example.test', 'PTR', 'dns\\.admin.example.test'),
    rr('dns.admin.example.test', 'A', '192.0.2.2'), // the same text, other octets: no pointer to the mailbox
  ], [OPT], 'bücher.example.test'),
  'opaque RFC 1035 types (MB, MINFO) and an opaque NS': message([
    rr('example.test', 'UNKNOWN_7', wire('mail.example.test')),
    rr('example.test', 'UNKNOWN_14', Buffer.concat([wire('a.example.test'), wire('b.example.test')])),
    rr('example.test', 'UNKNOWN_2', wire('ns.example.test')),
  ], [OPT], 'example.test'),
  'past the 16 KiB pointer reach': message([
    ...Array.from({ length: 70 }, (_, i) => rr(`n${i}.example.test`, 'TXT', ['x'.repeat(250)])),
    ...Array.from({ length: 10 }, (_, i) => rr(`late${i % 3}.example.test`, 'NS', `ns${i % 2}.late.example.test`)),
  ], [OPT], 'n1.example.test'),
  'root and dotted names': message([rr('.', 'NS', 'a.root-servers.net.'), rr('', 'NS', 'b.root-servers.net'), rr('net.', 'NS', 'a.root-servers.net')], [OPT], '.'),
  // dns-packet strips a dot at the start or end of any line (its /^\.|\.$/gm): one label 'bad\ntest' here.
  'line breaks in names': message([rr('bad\n.test', 'NS', 'ns.test'), rr('bad\n.test', 'A', '192.0.2.1')], [OPT], 'bad\n.test'),
};

test('one pass writes the octets of the old encode-then-compress, on varied messages', () => {
  for (const [what, msg] of Object.entries(VARIED)) {
    const one = encodeCompressed(msg);
    assert.deepEqual(one, twoPass(msg), what);
    assert.ok(!(decodeMessage(one) instanceof MalformedMessage), what);
  }
  const opaque = encodeCompressed(VARIED['opaque RFC 1035 types (MB, MINFO) and an opaque NS']);
  assert.ok(opaque.length < encodeMessage(VARIED['opaque RFC 1035 types (MB, MINFO) and an opaque NS']).length - 30, 'opaque names compressed');
});

test('opaque RDATA of a compressible type that is not an uncompressed name is copied as it is', () => {
  // The old pass gave up on the whole message here (all of it uncompressed); now only this RDATA is left alone.
  const odd = [Buffer.from([3, 0x61, 0x62]), Buffer.from([0xc0, 12]), Buffer.concat([wire('a.test'), Buffer.from([1])])];
  const msg = message([rr('example.test', 'NS', 'ns.example.test'), ...odd.map((d) => rr('example.test', 'UNKNOWN_7', d))], [OPT], 'example.test');
  const out = decodeMessage(encodeCompressed(msg));
  assert.ok(!(out instanceof MalformedMessage));
  assert.deepEqual([...out.answers, ...out.authorities].slice(1).map((r) => (r as { data: Buffer }).data), odd);
  assert.ok(encodeCompressed(msg).length < encodeMessage(msg).length - 20, 'the rest compressed');
});

test('what dns-packet writes as no name (empty or long labels, long names) goes uncompressed, as before', () => {
  for (const name of ['a..example.test', `${'x'.repeat(64)}.example.test`, `${'abcdefg.'.repeat(32)}test`, `bü.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(63)}.${'v'.repeat(60)}`]) {
    const msg = message([rr(name, 'A', '192.0.2.1'), rr('ok.example.test', 'NS', 'ns.example.test')], [OPT], 'ok.example.test');
    assert.deepEqual(encodeCompressed(msg), encodeMessage(msg), JSON.stringify(name));
    assert.deepEqual(encodeCompressed(msg), twoPass(msg), JSON.stringify(name));
  }
  // The longest name there is (255 octets) is still compressed.
  const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  const msg = message([rr(longest, 'A', '192.0.2.1'), rr(longest, 'A', '192.0.2.2')], [OPT], longest);
  assert.deepEqual(encodeCompressed(msg), twoPass(msg));
  assert.ok(encodeCompressed(msg).length < encodeMessage(msg).length - 400);
});

const LABELS = ['www', 'WWW', 'example', 'Example', 'test', 'a', 'ns1', 'mail', 'b\\.c', 'ü'];
const nameArb = fc.array(fc.constantFrom(...LABELS), { minLength: 0, maxLength: 4 }).map((l) => l.join('.'));
const recordArb: fc.Arbitrary<Record> = fc.oneof(
  fc.tuple(nameArb, fc.constantFrom('A')).map(([n]) => rr(n, 'A', '192.0.2.7')),
  fc.tuple(nameArb, fc.constantFrom('NS', 'CNAME', 'PTR', 'DNAME'), nameArb).map(([n, t, d]) => rr(n, t, d)),
  fc.tuple(nameArb, nameArb).map(([n, d]) => rr(n, 'MX', { preference: 1, exchange: d })),
  fc.tuple(nameArb, nameArb, nameArb).map(([n, m, r]) => rr(n, 'SOA', { mname: m, rname: r, serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 })),
  fc.tuple(nameArb, nameArb).map(([n, d]) => rr(n, 'SRV', { priority: 1, weight: 2, port: 53, target: d })),
  fc.tuple(nameArb, fc.string({ maxLength: 40 })).map(([n, s]) => rr(n, 'TXT', [s])),
  fc.tuple(nameArb, nameArb).map(([n, d]) => rr(n, 'UNKNOWN_7', wire(d === '' ? 'x' : d.replace(/\\/g, '')))),
);

test('one pass matches the old octets on random messages', () => {
  fc.assert(fc.property(nameArb, fc.array(recordArb, { maxLength: 14 }), fc.boolean(), (qname, records, withOpt) => {
    const msg = message(records, withOpt ? [OPT] : [], qname);
    assert.deepEqual(encodeCompressed(msg), twoPass(msg));
  }), { numRuns: 500 });
});

test('padding works on compressed bytes', () => {
  const packed = encodeCompressed(message(RECORDS));
  const padded = padEncoded(packed, 468);
  assert.equal(padded.length % 468, 0);
  assert.deepEqual((view(padded) as unknown[][])[1], (view(packed) as unknown[][])[1]);
});
