/** Unpredictable DNS message IDs (RFC 5452 §9.2; source ports come from the kernel, see net/udp-pool.ts). */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = new Uint16Array(POOL_SIZE);
let next = POOL_SIZE;

/** A random 16-bit value from a refilled pool of crypto-random bytes (cheap per call). */
export function random16(): number {
  if (next >= POOL_SIZE) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++];
}

/** A random message ID. */
export const randomId = random16;
