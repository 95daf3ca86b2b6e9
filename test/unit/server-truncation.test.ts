/**
 * UDP truncation by whole RRsets (src/server/truncate.ts through shapeResponse): RRsets that fit are
 * kept in order answer → authority → additional, never part of one; TC only when answer or
 * authority data (or, with DO, an RRSIG of a kept answer RRset) was left out (RFC 2181 §9, RFC 4035
 * §3.1.1); the OPT record always kept (RFC 6891 §7); the packet, as compressed, within the limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeResponse, type QueryEcho } from '../../src/server/response.js';
import { truncateToFit } from '../../src/server/truncate.js';
import type { Answer } from '../../src/server/index.js';
import {
  decodeMessage, edeOption, encodeCompressed, encodeMessage, FLAG, findOpt, makeOpt, MalformedMessage, optAsRecord, OPTION, readEde,
  type Message, type Record,
} from '../../src/wire/index.js';
import { compressMessage } from '../helpers/compress-reference.js';

const UDP_MAX = 1232;

/** The query echo for `name`: with an OPT of `ednsSize` unless it is null. */
function echo(name: string, type: string, ednsSize: number | null, dnssecOk = false): QueryEcho {
  const opt = ednsSize === null ? undefined : makeOpt(ednsSize, dnssecOk);
  const msg = { id: 7, type: 'query', flags: FLAG.RD, questions: [{ name, type: type as 'A', class: 'IN' }], answers: [], authorities: [], additionals: [] } as Message;
  return { msg, opt, flags: { rd: true, cd: false, do: dnssecOk, ad: false } };
}

function answer(parts: Partial<Answer>): Answer {
  return { rcode: 0, answer: [], authority: [], additional: [], authenticated: false, ...parts };
}

function shape(q: QueryEcho, a: Answer, transport: 'udp' | 'tcp' = 'udp'): { raw: Buffer; msg: Message } {
  const raw = shapeResponse(q, a, { transport, udpMaxPayload: UDP_MAX });
  const msg = decodeMessage(raw);
  if (msg instanceof MalformedMessage) throw new Error(msg.message);
  return { raw, msg };
}

const tc = (m: Message): boolean => (m.flags & FLAG.TC) !== 0;
const nonOpt = (rrs: Record[]): Record[] => rrs.filter((rr) => rr.type !== 'OPT');
const a = (name: string, i: number): Record => ({ name, type: 'A', class: 'IN', ttl: 60, data: `192.0.2.${i % 250}` });
const aaaa = (name: string, i: number): Record => ({ name, type: 'AAAA', class: 'IN', ttl: 60, data: `2001:db8::${i.toString(16)}` });
const txt = (name: string, text: string): Record => ({ name, type: 'TXT', class: 'IN', ttl: 60, data: [text] } as Record);
const ns = (name: string, target: string): Record => ({ name, type: 'NS', class: 'IN', ttl: 60, data: target });
function rrsig(name: string, covered: string, sigBytes: number): Record {
  return {
    name, type: 'RRSIG', class: 'IN', ttl: 60,
    data: { typeCovered: covered, algorithm: 13, labels: 2, originalTTL: 60, expiration: 2_000_000_000, inception: 1_700_000_000, keyTag: 1, signersName: 'example.test', signature: Buffer.alloc(sigBytes, 1) },
  } as Record;
}

/** Compressed size of `msg`'s sections as given, with the OPT of `q` (the size a reply with exactly these records has). */
function sizeWith(q: QueryEcho, sections: Pick<Message, 'answers' | 'authorities' | 'additionals'>): number {
  const additionals = q.opt ? [...sections.additionals, optAsRecord(q.opt)] : sections.additionals;
  return encodeCompressed({ ...q.msg, type: 'response', ...sections, additionals }).length;
}

/** The cut is real (within `limit`, decodable, the size the compressor gives) and `next` would not have fitted. */
function assertTightCut(q: QueryEcho, r: { raw: Buffer; msg: Message }, limit: number, next: { section: 'answers' | 'authorities' | 'additionals'; records: Record[] }): void {
  assert.ok(r.raw.length <= limit, `${r.raw.length} > ${limit}`);
  const kept = { answers: r.msg.answers, authorities: r.msg.authorities, additionals: nonOpt(r.msg.additionals) };
  assert.equal(sizeWith(q, kept), r.raw.length, 'the size counted is the compressed size');
  const grown = { ...kept, [next.section]: [...kept[next.section], ...next.records] };
  assert.ok(sizeWith(q, grown) > limit, 'the next RRset would not have fitted');
}

/** Every RRset of `msg` is either absent or complete relative to `full`. */
function assertWholeRRsets(msg: Message, full: Record[]): void {
  const key = (rr: Record): string => `${rr.name}|${rr.type}`;
  const count = (rrs: Record[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const rr of rrs) m.set(key(rr), (m.get(key(rr)) ?? 0) + 1);
    return m;
  };
  const want = count(full);
  for (const [k, n] of count([...msg.answers, ...msg.authorities, ...nonOpt(msg.additionals)])) assert.equal(n, want.get(k), `RRset ${k} whole`);
}

test('many A RRsets: as many whole RRsets as fit, TC set, OPT kept, within 512 / 600 / 1232', () => {
  const records = Array.from({ length: 120 }, (_, i) => a(`host${i}.many.test`, i));
  for (const size of [null, 600, 4096]) {
    const q = echo('many.test', 'A', size);
    const r = shape(q, answer({ answer: records }));
    const limit = size === null ? 512 : Math.min(size, UDP_MAX);
    assert.equal(tc(r.msg), true);
    assert.ok(r.msg.answers.length > 10, `${r.msg.answers.length} kept at ${limit}`);
    assert.deepEqual(r.msg.answers.map((rr) => rr.name), records.slice(0, r.msg.answers.length).map((rr) => rr.name), 'in order');
    assert.equal(findOpt(r.msg) !== undefined, size !== null, 'OPT iff the query had one');
    assertTightCut(q, r, limit, { section: 'answers', records: [records[r.msg.answers.length]] });
  }
});

test('one RRset of 100 A records over the limit is left out whole (never a partial RRset), TC set', () => {
  const records = Array.from({ length: 100 }, (_, i) => a('big.test', i));
  const q = echo('big.test', 'A', 1232);
  const r = shape(q, answer({ answer: records }));
  assert.equal(tc(r.msg), true);
  assert.equal(r.msg.answers.length, 0);
  assert.ok(findOpt(r.msg));
  const whole = shape(q, answer({ answer: records }), 'tcp');
  assert.equal(whole.msg.answers.length, 100);
  assert.equal(tc(whole.msg), false, 'streams are never truncated');
});

test('a big TXT RRset after a CNAME: the CNAME is kept, the TXT left out, TC set', () => {
  const big = Array.from({ length: 6 }, (_, i) => txt('target.test', `${i}${'t'.repeat(250)}`));
  const cname: Record = { name: 'www.test', type: 'CNAME', class: 'IN', ttl: 60, data: 'target.test' };
  const q = echo('www.test', 'TXT', 1232);
  const r = shape(q, answer({ answer: [cname, ...big] }));
  assert.equal(tc(r.msg), true);
  assert.deepEqual(r.msg.answers.map((rr) => rr.type), ['CNAME']);
  assertTightCut(q, r, 1232, { section: 'answers', records: big });
});

test('additional-only overflow (glue): answer whole, glue that fits, no TC', () => {
  const targets = Array.from({ length: 13 }, (_, i) => `ns${String(i).padStart(2, '0')}.zone.test`);
  const answers = targets.map((t) => ns('zone.test', t));
  const glue = targets.flatMap((t, i) => [a(t, i), aaaa(t, i), aaaa(t, i + 100), aaaa(t, i + 200)]);
  for (const [size, limit] of [[null, 512], [512, 512], [1232, 1232]] as const) {
    const q = echo('zone.test', 'NS', size);
    const r = shape(q, answer({ answer: answers, additional: glue }));
    assert.equal(tc(r.msg), false, `no TC at ${limit}`);
    assert.equal(r.msg.answers.length, 13);
    const kept = nonOpt(r.msg.additionals);
    assert.ok(kept.length > 0 && kept.length < glue.length, `${kept.length} glue records at ${limit}`);
    assertWholeRRsets(r.msg, [...answers, ...glue]);
    if (size !== null) assert.equal(r.msg.additionals[r.msg.additionals.length - 1].type, 'OPT', 'OPT last');
    const nextGlue = glue.slice(kept.length).filter((rr) => rr.name === glue[kept.length].name && rr.type === glue[kept.length].type);
    assertTightCut(q, r, limit, { section: 'additionals', records: nextGlue });
  }
});

test('authority overflow sets TC; the answer is kept', () => {
  const soa: Record = { name: 'zone.test', type: 'SOA', class: 'IN', ttl: 60, data: { mname: 'ns.zone.test', rname: 'h.zone.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } } as Record;
  const authority = [soa, ...Array.from({ length: 20 }, (_, i) => ns(`sub${i}.zone.test`, `ns.sub${i}.zone.test`))];
  const q = echo('x.zone.test', 'A', null);
  const r = shape(q, answer({ answer: [a('x.zone.test', 1)], authority }));
  assert.equal(tc(r.msg), true);
  assert.equal(r.msg.answers.length, 1);
  assert.ok(r.msg.authorities.length >= 1 && r.msg.authorities.length < authority.length);
  assert.equal(r.msg.additionals.length, 0, 'no OPT without EDNS');
  assertTightCut(q, r, 512, { section: 'authorities', records: [authority[r.msg.authorities.length]] });
});

test('DNSSEC: an RRset and its RRSIGs go together; a dropped RRSIG of a kept answer sets TC with DO', () => {
  // RRSIGs listed before the data and apart from it still travel with their RRset.
  const sigA = rrsig('s.test', 'A', 400);
  const records = [sigA, a('s.test', 1), a('s.test', 2)];
  const q = echo('s.test', 'A', 512, true);
  const cut = shape(q, answer({ answer: [a('first.test', 9), ...records] }));
  assert.equal(tc(cut.msg), true, 'answer RRset left out with its RRSIG');
  assert.deepEqual(cut.msg.answers.map((rr) => rr.name), ['first.test'], 'no A of s.test without its RRSIG');
  const whole = shape(echo('s.test', 'A', 1232, true), answer({ answer: records }));
  assert.deepEqual(whole.msg.answers.map((rr) => rr.type), ['RRSIG', 'A', 'A'], 'a reply that fits is left as it is');

  // An RRSIG covering the kept answer RRset, placed in additional, that does not fit: TC with DO only.
  const late = answer({ answer: [a('k.test', 1)], additional: [rrsig('k.test', 'A', 600)] });
  assert.equal(tc(shape(echo('k.test', 'A', 512, true), late).msg), true, 'DO: TC (RFC 4035 §3.1.1)');
  assert.equal(tc(shape(echo('k.test', 'A', 512, false), late).msg), false, 'no DO: additional data only');

  // Signed glue that does not fit is additional data: no TC even with DO.
  const glue = answer({ answer: [ns('zone.test', 'ns.zone.test')], additional: [a('ns.zone.test', 1), rrsig('ns.zone.test', 'A', 600)] });
  const g = shape(echo('zone.test', 'NS', 512, true), glue);
  assert.equal(tc(g.msg), false);
  assert.deepEqual(nonOpt(g.msg.additionals), [], 'the glue A is not kept without its RRSIG');
});

test('the OPT record survives with its EDE; bare when even the question does not fit with the options', () => {
  const records = Array.from({ length: 100 }, (_, i) => a('big.test', i));
  const withEde = shape(echo('big.test', 'A', 1232), answer({ answer: records, ede: [{ infoCode: 3, extraText: 'stale' }] }));
  assert.equal(readEde(findOpt(withEde.msg)!.options[0])?.infoCode, 3);
  const huge = shape(echo('big.test', 'A', 512), answer({ answer: records, ede: [{ infoCode: 0, extraText: 'x'.repeat(600) }] }));
  assert.ok(huge.raw.length <= 512, `${huge.raw.length}`);
  assert.equal(tc(huge.msg), true);
  const opt = findOpt(huge.msg);
  assert.ok(opt, 'OPT kept');
  assert.equal(opt.options.some((o) => o.code === OPTION.EDE), false);
});

test('a cut reply has the octets the old encode-then-compress pass gave, cut the same way', () => {
  const signed = (name: string, n: number): Record[] => [...Array.from({ length: n }, (_, i) => a(name, i)), rrsig(name, 'A', 64)];
  const cases: [string, QueryEcho, Answer][] = [
    ['CNAME chain, signed, DO', echo('www.Chain.test', 'A', 512, true), answer({
      answer: [{ name: 'www.chain.test', type: 'CNAME', class: 'IN', ttl: 60, data: 'b.chain.test' }, rrsig('www.chain.test', 'CNAME', 64), ...signed('b.chain.test', 30)],
      authority: [ns('chain.test', 'ns1.chain.test'), ns('chain.test', 'ns2.chain.test')],
      additional: [a('ns1.chain.test', 1), a('ns2.chain.test', 2)],
    })],
    ['glue left out, EDE', echo('zone.test', 'NS', 600), answer({
      answer: Array.from({ length: 12 }, (_, i) => ns('zone.test', `ns${i}.zone.test`)),
      additional: Array.from({ length: 12 }, (_, i) => aaaa(`ns${i}.zone.test`, i)), ede: [{ infoCode: 3, extraText: 'stale' }],
    })],
    ['no EDNS, 512', echo('many.test', 'A', null), answer({ answer: Array.from({ length: 60 }, (_, i) => a('many.test', i)) })],
  ];
  for (const [what, q, ans] of cases) {
    const raw = shape(q, ans).raw;
    // The reply as the old pass built it: the same packet, dns-packet's octets compressed afterwards, then cut.
    const opt = q.opt ? optAsRecord({ ...makeOpt(UDP_MAX, q.flags.do, (ans.ede ?? []).map((e) => edeOption(e.infoCode, e.extraText))), extendedRcode: 0 }) : undefined;
    const flags = FLAG.RA | FLAG.RD | (ans.authenticated ? FLAG.AD : 0);
    const packet = { ...q.msg, type: 'response', flags, answers: ans.answer, authorities: ans.authority, additionals: opt ? [...ans.additional, opt] : ans.additional } as Message;
    const old = truncateToFit(packet, compressMessage(encodeMessage(packet)), q.opt ? Math.max(512, q.opt.udpPayloadSize) : 512, q.flags.do);
    assert.deepEqual(raw, old, what);
    assert.ok(raw.length <= 600 && tc(shape(q, ans).msg) === (what !== 'glue left out, EDE'), what);
  }
});
