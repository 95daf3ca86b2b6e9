/** The UDP fast path's key and store: what qualifies, what separates keys, expiry and bounds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { fastKey, MicroCache, type FastKey } from '../../src/server/index.js';

function q(name: string, o: { flags?: number; opt?: object; extra?: boolean } = {}): Buffer {
  const additionals = [
    ...(o.extra ? [{ name: 'x.test', type: 'A', class: 'IN', ttl: 1, data: '192.0.2.1' }] : []),
    ...(o.opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, ...o.opt }] : []),
  ] as dnsPacket.Answer[];
  return dnsPacket.encode({ id: 99, type: 'query', flags: o.flags ?? 0x100, questions: [{ name, type: 'A', class: 'IN' }], additionals });
}

test('keys fold ASCII case and separate what shapes the reply', () => {
  const key = (b: Buffer): string | undefined => {
    const k = fastKey(b, 1232);
    return k ? `${k.hash}/${k.meta}/${k.nameEnd}` : undefined;
  };
  assert.equal(key(q('WWW.Example.TEST')), key(q('www.example.test')));
  assert.notEqual(key(q('a.test')), key(q('a.test', { flags: 0 })), 'RD');
  assert.notEqual(key(q('a.test')), key(q('a.test', { flags: 0x110 })), 'CD');
  assert.notEqual(key(q('a.test', { opt: {} })), key(q('a.test', { opt: { flags: 0x8000 } })), 'DO');
  assert.notEqual(key(q('a.test', { opt: { udpPayloadSize: 600 } })), key(q('a.test', { opt: { udpPayloadSize: 4096 } })), 'size limit');
  assert.equal(key(q('a.test', { opt: { udpPayloadSize: 1500 } })), key(q('a.test', { opt: { udpPayloadSize: 4096 } })), 'both capped at 1232');
  assert.notEqual(key(q('a.b.test')), key(q('a\\.b.test')), 'label boundaries count');
  const streamKey = (b: Buffer): string | undefined => {
    const k = fastKey(b, 1232, true);
    return k ? `${k.hash}/${k.meta}/${k.nameEnd}` : undefined;
  };
  assert.notEqual(streamKey(q('a.test')), key(q('a.test')), 'stream and UDP replies differ (no truncation)');
  assert.equal(streamKey(q('a.test', { opt: { udpPayloadSize: 600 } })), streamKey(q('a.test', { opt: { udpPayloadSize: 4096 } })), 'no size limit on streams');
  assert.equal(fastKey(q('a.test', { opt: { options: [{ code: 11 }] } }), 1232, true), null, 'a stream query with options (keepalive, padding) takes the slow path');
  assert.ok(fastKey(q('a.test', { opt: { options: [{ code: 11 }] } }), 1232), 'over UDP options change nothing in the reply');
});

test('only plain queries qualify', () => {
  assert.equal(fastKey(q('a.test', { extra: true }), 1232), null, 'extra additional record');
  assert.equal(fastKey(q('a.test', { opt: { ednsVersion: 1 } }), 1232), null, 'EDNS version 1 goes to the checks');
  const response = q('a.test');
  response[2] |= 0x80;
  assert.equal(fastKey(response, 1232), null, 'QR set');
  assert.equal(fastKey(q('a.test', { flags: 0x2100 }), 1232), null, 'opcode 4 (NOTIFY)');
  assert.equal(fastKey(q('\u00c0.test'), 1232), null, 'non-ASCII name');
  const cut = q('a.test', { opt: {} });
  assert.equal(fastKey(cut.subarray(0, cut.length - 1), 1232), null, 'truncated OPT');
  assert.equal(fastKey(Buffer.concat([q('a.test'), Buffer.from([0])]), 1232), null, 'trailing garbage');
});

test('entries expire after maxAgeMs and the store is bounded', () => {
  const mc = new MicroCache(2, 1_000);
  const k = fastKey(q('a.test'), 1232)!;
  const reply = Buffer.from(q('a.test'));
  mc.store(k, reply, 0);
  const hit = mc.answer(q('A.TEST'), k, 999);
  assert.ok(hit);
  assert.equal(hit.toString('latin1', 13, 14), 'A', 'client case copied into the reply');
  assert.equal(mc.answer(q('a.test'), k, 1_000), undefined, 'expired');
  for (const n of ['b.test', 'c.test', 'd.test']) mc.store(fastKey(q(n), 1232)!, reply, 0);
  assert.equal(mc.size, 2);
});

/** A reply to `name` with two A records of the given TTLs. */
function reply(name: string, ttls: number[], opt = false): Buffer {
  return dnsPacket.encode({
    id: 99, type: 'response', flags: 0x8180, questions: [{ name, type: 'A', class: 'IN' }],
    answers: ttls.map((ttl, i) => ({ name, type: 'A', class: 'IN', ttl, data: `192.0.2.${i + 1}` })) as dnsPacket.Answer[],
    additionals: (opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 }] : []) as dnsPacket.Answer[],
  });
}
const ttlsOf = (b: Buffer): number[] => (dnsPacket.decode(b).answers ?? []).map((a) => (a as { ttl: number }).ttl);

test('TTLs count down by whole seconds and the entry ends at 90% of its smallest TTL', () => {
  const mc = new MicroCache(10, 60_000);
  const k = fastKey(q('t.test'), 1232)!;
  mc.store(k, reply('t.test', [300, 5], true), 10_000);
  assert.deepEqual(ttlsOf(mc.answer(q('t.test'), k, 10_999)!), [300, 5], 'within the first second');
  assert.deepEqual(ttlsOf(mc.answer(q('t.test'), k, 12_500)!), [298, 3], 'two whole seconds later');
  assert.equal(dnsPacket.decode(mc.answer(q('t.test'), k, 12_500)!).additionals?.[0].type, 'OPT', 'OPT kept intact');
  assert.ok(mc.answer(q('t.test'), k, 14_499), 'still there before 4.5 s');
  assert.equal(mc.answer(q('t.test'), k, 14_500), undefined, 'gone after 90% of the 5 s TTL');
});

test('an entry lives no longer than the reuse bound it was stored with (the cache\'s prefetch window opens then)', () => {
  const mc = new MicroCache(10, 60_000);
  const k = fastKey(q('p.test'), 1232)!;
  mc.store(k, reply('p.test', [1800]), 0, true, 1_440);
  assert.ok(mc.answer(q('p.test'), k, 1_439), 'before the bound');
  assert.equal(mc.answer(q('p.test'), k, 1_440), undefined, 'gone at the bound, long before 90% of the TTL');
});

test('maxAgeMs caps long TTLs; TTL 0 is never stored; local answers keep their TTLs', () => {
  const mc = new MicroCache(10, 2_000);
  const k = fastKey(q('long.test'), 1232)!;
  mc.store(k, reply('long.test', [86_400]), 0);
  assert.ok(mc.answer(q('long.test'), k, 1_999));
  assert.equal(mc.answer(q('long.test'), k, 2_000), undefined);
  const zero = fastKey(q('zero.test'), 1232)!;
  mc.store(zero, reply('zero.test', [0, 60]), 0);
  assert.equal(mc.answer(q('zero.test'), zero, 1), undefined);
  const local = fastKey(q('local.test'), 1232)!;
  mc.store(local, reply('local.test', [300]), 0, false);
  assert.deepEqual(ttlsOf(mc.answer(q('local.test'), local, 1_500)!), [300]);
});

test('a hit is confirmed against the stored question, so colliding hashes never mix answers', () => {
  const mc = new MicroCache(10, 60_000);
  const k = fastKey(q('a.test'), 1232)!;
  mc.store(k, reply('a.test', [300]), 0);
  assert.equal(mc.answer(q('b.test'), k, 1), undefined, 'same hash slot and name length, other name');
  assert.equal(mc.answer(q('a.test'), { ...k, meta: k.meta + 1 }, 1), undefined, 'same slot, other flags or EDNS');
  const aaaa = dnsPacket.encode({ id: 1, type: 'query', flags: 0x100, questions: [{ name: 'a.test', type: 'AAAA', class: 'IN' }] });
  assert.equal(mc.answer(aaaa, k, 1), undefined, 'same slot, other type');
  assert.ok(mc.answer(q('A.Test'), k, 1), 'the stored question, in any case');
});

test('the arena is a ring: replies it has overwritten are misses, never other bytes; large replies are not kept', () => {
  const mc = new MicroCache(1_000, 60_000, 4_096);
  const names = Array.from({ length: 100 }, (_, i) => `n${String(i).padStart(3, '0')}.test`);
  for (const n of names) mc.store(fastKey(q(n), 1232)!, reply(n, [300]), 0);
  const before = mc.size;
  const first = mc.answer(q(names[0]), fastKey(q(names[0]), 1232)!, 1);
  assert.equal(first, undefined, 'the oldest reply was overwritten by later ones');
  assert.equal(mc.size, before - 1, 'and its entry is dropped as soon as that is seen');
  for (const n of names.slice(-20)) {
    const hit = mc.answer(q(n), fastKey(q(n), 1232)!, 1);
    assert.ok(hit, `${n} is still there`);
    assert.equal(dnsPacket.decode(hit).answers?.[0].name, n, 'with its own bytes');
  }
  const big = reply('big.test', Array.from({ length: 30 }, () => 300));
  assert.ok(big.length > 4_096 / 16);
  mc.store(fastKey(q('big.test'), 1232)!, big, 0);
  assert.equal(mc.answer(q('big.test'), fastKey(q('big.test'), 1232)!, 1), undefined, 'more than 1/16 of the arena: not kept');
});

test('property: a hit is always the reply stored for that very question and key, with the query ID and case', () => {
  // A small alphabet and short names make distinct keys share labels and lengths often, and hashes cut
  // to 2 bits make them share slots: the confirmation against the stored question does all the work.
  const slot = (k: FastKey): FastKey => ({ ...k, hash: k.hash & 3 });
  const label = fc.stringMatching(/^[aAbB0-]{1,3}$/);
  const queryArb = fc.record({
    labels: fc.array(label, { minLength: 1, maxLength: 3 }),
    type: fc.constantFrom('A', 'AAAA', 'TXT'),
    flags: fc.constantFrom(0x100, 0x0, 0x110, 0x120),
    opt: fc.constantFrom(undefined, {}, { flags: 0x8000 }, { udpPayloadSize: 600 }),
    id: fc.integer({ min: 0, max: 0xffff }),
  });
  fc.assert(fc.property(fc.array(queryArb, { minLength: 1, maxLength: 40 }), fc.array(queryArb, { minLength: 1, maxLength: 40 }), (stored, asked) => {
    const mc = new MicroCache(16, 60_000, 64 * 1024);
    const encode = (x: typeof stored[number]): Buffer => dnsPacket.encode({
      id: x.id, type: 'query', flags: x.flags, questions: [{ name: x.labels.join('.'), type: x.type as 'A', class: 'IN' }],
      additionals: (x.opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, ...x.opt }] : []) as dnsPacket.Answer[],
    });
    // What each stored key should answer: the last reply stored for it (its TXT names the entry).
    const expected = new Map<string, string>();
    const keyOf = (b: Buffer): string | undefined => {
      const k = fastKey(b, 1232);
      return k ? `${b.toString('latin1', 12, k.nameEnd).toLowerCase()}|${b.readUInt32BE(k.nameEnd)}|${k.meta}` : undefined;
    };
    stored.forEach((x, i) => {
      const query = encode(x);
      const k = slot(fastKey(query, 1232)!);
      const answer = dnsPacket.encode({
        id: x.id, type: 'response', flags: 0x8180, questions: [{ name: x.labels.join('.'), type: x.type as 'A', class: 'IN' }],
        answers: [{ name: x.labels.join('.'), type: 'TXT', class: 'IN', ttl: 300, data: `entry ${i}` }] as dnsPacket.Answer[],
      });
      mc.store(k, answer, 0);
      expected.set(keyOf(query)!, `entry ${i}`);
    });
    for (const x of asked) {
      const query = encode(x);
      const hit = mc.answer(query, slot(fastKey(query, 1232)!), 1_000);
      if (!hit) continue;
      const m = dnsPacket.decode(hit);
      assert.equal(m.id, x.id);
      assert.equal(m.questions?.[0].name, x.labels.join('.'), 'the client\'s own case');
      assert.equal(m.questions?.[0].type, x.type);
      const txt = (m.answers?.[0] as { data: Buffer[] }).data.map((d) => d.toString()).join('');
      assert.equal(txt, expected.get(keyOf(query)!), 'the reply stored for this key, never another\'s');
    }
  }), { numRuns: 300 });
});
