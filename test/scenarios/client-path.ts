/**
 * The client side of a scenario: a STEP QUERY entry becomes query octets (Deckard gives every query
 * EDNS with a 4096-octet payload, DO when the entry says so), which go through Ward's real server
 * path (src/server createDispatcher: request checks, the handler, response shaping) as if received
 * over UDP from 127.0.0.1, without sockets.
 */
import { defaultConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { AccessControl, createDispatcher, type QueryHandler } from '../../src/server/index.js';
import { encodeMessage, makeOpt, optAsRecord, FLAG, type Record } from '../../src/wire/index.js';
import type { Clock } from '../../src/util/index.js';
import type { RplEntry } from './rpl-parse.js';

/** The octets of the client query an entry describes. */
export function clientQueryBytes(entry: RplEntry, id: number): Buffer {
  if (entry.raw) return entry.raw;
  const additionals: Record[] = [...entry.additional];
  if (entry.edns) additionals.push(optAsRecord(makeOpt(4096, entry.do)));
  return encodeMessage({
    id, type: entry.flags & FLAG.QR ? 'response' : 'query',
    flags: (entry.flags & ~FLAG.QR) | ((entry.opcode & 0xf) << 11) | (entry.rcode & 0xf),
    questions: entry.question, answers: entry.answer, authorities: entry.authority, additionals,
  });
}

export type ClientOutcome = { kind: 'reply'; bytes: Buffer } | { kind: 'dropped' } | { kind: 'timeout' };

/** Sends query octets through the server path; resolves with the reply, or timeout after `budgetMs`. */
export type ClientPath = (bytes: Buffer, budgetMs: number) => Promise<ClientOutcome>;

export function createClientPath(handler: QueryHandler, clock: Clock): ClientPath {
  const config = defaultConfig();
  const dispatcher = createDispatcher({
    handler, clock, log: silentLogger(),
    acl: new AccessControl(config.server.access_control),
    limits: config.server.limits,
  });
  return (bytes, budgetMs) => new Promise((resolve) => {
    const ac = new AbortController();
    const timer = setTimeout(() => { ac.abort(); resolve({ kind: 'timeout' }); }, budgetMs);
    dispatcher.sink({
      bytes,
      peer: { address: '127.0.0.1', port: 40000, transport: 'udp' },
      signal: ac.signal,
      reply(out) {
        clearTimeout(timer);
        resolve(out === undefined ? { kind: 'dropped' } : { kind: 'reply', bytes: out });
      },
    });
  });
}
