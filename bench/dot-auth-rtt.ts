/**
 * Round trips of single queries to one authority through the lab's relays, by transport and by
 * queries in flight at once (over TLS: all on one pipelined connection), measured with Ward's own
 * exchanger (src/net). Shows what pipelining costs when the server leaves Nagle's algorithm on: an
 * answer written while the previous one is unacknowledged waits for that ACK (RFC 896).
 */
import { createExchanger } from '../src/net/index.js';
import { silentLogger } from '../src/log/index.js';
import { encodeMessage } from '../src/wire/index.js';
import { quantile } from './dnsperf.js';

export interface RttServer { label: string; address: string; zone: string }

export interface RttCell { server: string; transport: 'udp' | 'tls'; inFlight: number; p50: number; p90: number; failed: number }

/** Queries asked per cell. */
const PER_CELL = 64;

/** Asks `PER_CELL` SOA queries for each server, transport and number in flight; one exchanger, its TLS sessions reused. */
export async function measureRoundTrips(servers: RttServer[], inFlights: number[], sourceAddress: string): Promise<RttCell[]> {
  const ex = createExchanger({ log: silentLogger() });
  const cells: RttCell[] = [];
  try {
    for (const s of servers) {
      for (const transport of ['udp', 'tls'] as const) {
        const ask = async (): Promise<number | undefined> => {
          const r = await ex.exchange({
            to: { host: s.address, port: transport === 'tls' ? 853 : 53 }, transport, timeoutMs: 2000, sourceAddress,
            query: encodeMessage({ id: 0, type: 'query', flags: 0, questions: [{ name: s.zone, type: 'SOA', class: 'IN' }] }),
            tls: { authenticate: false },
          });
          return r.kind === 'reply' ? r.rttMs : undefined;
        };
        await ask(); // the TLS session is open before anything is timed
        for (const inFlight of inFlights) {
          const rtts: number[] = [];
          let failed = 0;
          const worker = async (): Promise<void> => {
            for (let i = 0; i < PER_CELL / inFlight; i++) {
              const ms = await ask();
              if (ms === undefined) failed++;
              else rtts.push(ms);
            }
          };
          await Promise.all(Array.from({ length: inFlight }, worker));
          rtts.sort((a, b) => a - b);
          cells.push({ server: s.label, transport, inFlight, p50: quantile(rtts, 0.5), p90: quantile(rtts, 0.9), failed });
        }
      }
    }
  } finally {
    await ex.close();
  }
  return cells;
}
