/**
 * One outbound UDP exchange (RFC 1035 §4.2.1) with the spoofing defences of RFC 5452: a fresh socket
 * per query on a random source port (§9.2), a random ID, and a reply accepted only from the address
 * and port asked, with our ID and our question (§9.1). Anything else is counted and ignored, and
 * the exchange keeps waiting until its timeout. Failures are values.
 * (Source port randomness: the kernel's, about 15 bits on Linux; plus 16 bits of ID.)
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { setId, type RawQuestion } from '../wire/index.js';
import { randomId, type Clock } from '../util/index.js';
import { isReplyTo } from './match.js';
import type { ExchangeResult, NetErrorCode } from './types.js';

/** Counters the exchanger keeps across UDP exchanges. */
export interface UdpCounters { mismatched: number }

export interface UdpExchangeParams {
  host: string;
  port: number;
  /** The query; its ID is overwritten here. */
  query: Buffer;
  question: RawQuestion;
  timeoutMs: number;
  sourceAddress?: string;
  signal?: AbortSignal;
  clock: Clock;
  counters: UdpCounters;
  /** Registers a cancel function for the exchanger's close(); returns the unregister function. */
  track(cancel: () => void): () => void;
}

export function udpExchange(p: UdpExchangeParams): Promise<ExchangeResult> {
  const start = p.clock.monotonic();
  const id = randomId();
  setId(p.query, id);
  const v6 = isIPv6(p.host);
  // rinfo.address comes in canonical form (compressed, lower case); compare against the same.
  const host = v6 ? new URL(`http://[${p.host}]/`).hostname.slice(1, -1) : p.host;
  return new Promise<ExchangeResult>((resolve) => {
    // Port 0: Linux picks a random free port in ip_local_port_range for each socket. Drawing from
    // the whole 1024-65535 range instead could briefly hold a port a local service is about to bind.
    const socket = createSocket(v6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (r: ExchangeResult): void => {
      if (done) return;
      done = true;
      p.clock.clearTimeout(timer);
      p.signal?.removeEventListener('abort', onAbort);
      untrack();
      try { socket.close(); } catch { /* already closed */ }
      resolve(r);
    };
    const fail = (code: NetErrorCode, detail?: string): void =>
      finish({ kind: 'fail', code, elapsedMs: p.clock.monotonic() - start, detail });
    const onAbort = (): void => fail('aborted');
    const timer = p.clock.setTimeout(() => fail('timeout'), p.timeoutMs);
    const untrack = p.track(() => fail('closed'));
    if (p.signal?.aborted) return fail('aborted');
    p.signal?.addEventListener('abort', onAbort);

    const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
      if (rinfo.port !== p.port || rinfo.address !== host || !isReplyTo(msg, id, p.question)) {
        p.counters.mismatched++;
        return;
      }
      finish({ kind: 'reply', bytes: msg, rttMs: p.clock.monotonic() - start, transport: 'udp', reused: false });
    };
    socket.on('message', onMessage);
    socket.on('error', (err) => fail('network', err.message));
    socket.bind({ port: 0, address: p.sourceAddress, exclusive: true }, () => {
      if (!done) socket.send(p.query, p.port, p.host);
    });
  });
}
