/**
 * UDP truncation on the wire (RFC 2181 §9, RFC 6891 §7): an in-process server, a raw UDP client
 * asking with EDNS 512, EDNS 1232 and without EDNS. Whole RRsets that fit are sent; TC only when
 * answer data was left out (a CNAME chain cut, an RRset bigger than the limit), not when glue was;
 * the OPT record is in every reply to an EDNS query; no datagram exceeds the limit; TCP gets it all.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { startServer, type Answer, type ClientQuery, type RunningServer } from '../../src/server/index.js';
import { defaultConfig, type ServerConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import {
  decodeMessage, encodeMessage, findOpt, FLAG, MalformedMessage, makeOpt, optAsRecord, type Message, type Record,
} from '../../src/wire/index.js';
import { query } from '../helpers/lab-query.js';

const ADDR = '127.0.2.61';
let server: RunningServer;

const CHAIN = 80;
const GLUE_NS = 13;
const rr = (name: string, type: string, data: unknown): Record => ({ name, type, class: 'IN', ttl: 300, data } as Record);

/** Answers by name: an 80-link CNAME chain, 13 NS with 4 glue records each, a 100-record A RRset. */
function handler(q: ClientQuery): Answer {
  const name = q.question.name.toLowerCase();
  const base: Answer = { rcode: 0, answer: [], authority: [], additional: [], authenticated: false };
  if (name === 'chain.trunc.test') {
    const link = (i: number): string => (i === 0 ? name : `link${i}.chain.trunc.test`);
    const answer = Array.from({ length: CHAIN }, (_, i) => rr(link(i), 'CNAME', link(i + 1)));
    return { ...base, answer: [...answer, rr(link(CHAIN), 'A', '192.0.2.1')] };
  }
  if (name === 'glue.trunc.test') {
    const targets = Array.from({ length: GLUE_NS }, (_, i) => `ns${i}.glue.trunc.test`);
    const glue = targets.flatMap((t, i) => [rr(t, 'A', `192.0.2.${i}`), ...[1, 2, 3].map((j) => rr(t, 'AAAA', `2001:db8::${i}:${j}`))]);
    return { ...base, answer: targets.map((t) => rr(name, 'NS', t)), additional: glue };
  }
  if (name === 'many.trunc.test') {
    return { ...base, answer: Array.from({ length: 100 }, (_, i) => rr(name, 'A', `198.51.100.${i}`)) };
  }
  return { ...base, rcode: 3 };
}

function serverConfig(): ServerConfig {
  const c = defaultConfig().server;
  c.listen = [{ address: ADDR, port: 0, transport: 'udp' }, { address: ADDR, port: 0, transport: 'tcp' }];
  return c;
}

before(async () => {
  server = await startServer({ server: serverConfig(), handler, log: silentLogger() });
});
after(async () => { await server?.stop(500); });

const port = (): number => server.sockets.find((s) => s.transport === 'udp')!.port;

/** One UDP query; `ednsSize` null sends no OPT. Resolves with the datagram and its decode. */
function ask(name: string, type: string, ednsSize: number | null): Promise<{ raw: Buffer; msg: Message }> {
  const id = 1 + Math.floor(Math.random() * 0xfffe);
  const wire = encodeMessage({
    id, type: 'query', flags: FLAG.RD, questions: [{ name, type: type as 'A', class: 'IN' }],
    additionals: ednsSize === null ? [] : [optAsRecord(makeOpt(ednsSize, false))],
  });
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => { sock.close(); reject(new Error(`no answer to ${name}`)); }, 3_000);
    sock.on('message', (raw) => {
      const msg = decodeMessage(raw);
      if (msg instanceof MalformedMessage || msg.id !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve({ raw, msg });
    });
    sock.send(wire, port(), ADDR);
  });
}

const tc = (m: Message): boolean => (m.flags & FLAG.TC) !== 0;
const glueOf = (m: Message): Record[] => m.additionals.filter((r) => r.type !== 'OPT');
const CLIENTS = [{ edns: 512, limit: 512 }, { edns: 1232, limit: 1232 }, { edns: null, limit: 512 }] as const;

test('a CNAME chain over the limit: the links that fit, in order, with TC', async () => {
  const full = await query(ADDR, server.sockets.find((s) => s.transport === 'tcp')!.port, 'chain.trunc.test', 'A', { transport: 'tcp' });
  assert.equal(full.answers.length, CHAIN + 1);
  for (const c of CLIENTS) {
    const { raw, msg } = await ask('chain.trunc.test', 'A', c.edns);
    assert.ok(raw.length <= c.limit, `${raw.length} octets for EDNS ${c.edns}`);
    assert.equal(tc(msg), true);
    assert.ok(msg.answers.length > 5 && msg.answers.length <= CHAIN, `${msg.answers.length} links for EDNS ${c.edns}`);
    assert.deepEqual(msg.answers.map((r) => r.name), full.answers.slice(0, msg.answers.length).map((r) => r.name));
    assert.equal(findOpt(msg) !== undefined, c.edns !== null, 'OPT iff the query had one');
  }
});

test('glue over the limit: all NS records, the glue RRsets that fit, no TC', async () => {
  const counts: number[] = [];
  for (const c of CLIENTS) {
    const { raw, msg } = await ask('glue.trunc.test', 'NS', c.edns);
    assert.ok(raw.length <= c.limit, `${raw.length} octets for EDNS ${c.edns}`);
    assert.equal(tc(msg), false, `no TC for EDNS ${c.edns}`);
    assert.equal(msg.answers.length, GLUE_NS);
    const glue = glueOf(msg);
    assert.ok(glue.length > 0 && glue.length < GLUE_NS * 4, `${glue.length} glue records`);
    const aaaaPerName = new Map<string, number>();
    for (const r of glue) if (r.type === 'AAAA') aaaaPerName.set(r.name, (aaaaPerName.get(r.name) ?? 0) + 1);
    assert.ok([...aaaaPerName.values()].every((n) => n === 3), 'AAAA RRsets whole');
    if (c.edns !== null) assert.equal(msg.additionals[msg.additionals.length - 1].type, 'OPT');
    counts.push(glue.length);
  }
  assert.ok(counts[1] > counts[0], 'more glue in 1232 octets than in 512');
});

test('one RRset bigger than the limit: none of it, TC, OPT kept; TCP has all 100', async () => {
  for (const c of CLIENTS) {
    const { raw, msg } = await ask('many.trunc.test', 'A', c.edns);
    assert.ok(raw.length <= c.limit);
    assert.equal(tc(msg), true);
    assert.equal(msg.answers.length, 0, 'never part of an RRset');
    assert.equal(findOpt(msg) !== undefined, c.edns !== null);
  }
  const tcp = await query(ADDR, server.sockets.find((s) => s.transport === 'tcp')!.port, 'many.trunc.test', 'A', { transport: 'tcp' });
  assert.equal(tcp.answers.length, 100);
});
