import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compressMessage, decodeMessage, encodeMessage, parseRecord, padEncoded, MalformedMessage, type Message } from '../../src/wire/index.js';

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

function message(records: string[]): Message {
  const rrs = records.map((r) => parseRecord(r));
  return {
    id: 7, type: 'response', flags: 0x8180, questions: [{ name: 'WwW.Example.TEST', type: 'A', class: 'IN' }],
    answers: rrs.slice(0, 3), authorities: rrs.slice(3), additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as never],
  } as Message;
}

/** Every field of every record as dns-packet decodes it, names included with their case. */
function view(buf: Buffer): unknown {
  const m = decodeMessage(buf);
  assert.ok(!(m instanceof MalformedMessage), 'decodes');
  return JSON.parse(JSON.stringify([m.questions, m.answers, m.authorities, m.additionals]));
}

test('compression keeps every record and every letter, and shrinks the message', () => {
  const plain = encodeMessage(message(RECORDS));
  const packed = compressMessage(plain);
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
  const plain = encodeMessage(message(RECORDS));
  const before = rdlengths(plain);
  const after = rdlengths(compressMessage(plain));
  const COMPRESSIBLE = new Set([2, 5, 6, 15]); // NS CNAME SOA MX
  let shrunk = 0;
  before.forEach(([type, len], i) => {
    assert.equal(after[i][0], type);
    if (COMPRESSIBLE.has(type)) { if (after[i][1] < len) shrunk++; } else assert.equal(after[i][1], len, `type ${type} RDATA untouched`);
  });
  assert.ok(shrunk >= 4, `compressible RDATA shrank (${shrunk})`);
});

test('garbage and already compressed input come back decodable or unchanged', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
    const buf = Buffer.from(bytes);
    const out = compressMessage(buf);
    if (out !== buf) assert.ok(!(decodeMessage(out) instanceof MalformedMessage));
  }));
  const packed = compressMessage(encodeMessage(message(RECORDS)));
  assert.deepEqual(view(compressMessage(packed)), view(packed), 'compressing twice');
});

test('padding works on compressed bytes', () => {
  const packed = compressMessage(encodeMessage(message(RECORDS)));
  const padded = padEncoded(packed, 468);
  assert.equal(padded.length % 468, 0);
  assert.deepEqual((view(padded) as unknown[][])[1], (view(packed) as unknown[][])[1]);
});
