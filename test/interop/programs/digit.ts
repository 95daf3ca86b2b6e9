/** digit (the DNS-over-TLS client from the ISI/USC DNS privacy work): kept as a column, not runnable here. */
import type { ClientProgram } from '../client-bench.js';
import { CLIENT_ROWS } from '../client-bench.js';
import { notApplicable } from '../cells.js';

const WHY = 'digit is not packaged in Debian 12 or any registry reachable from this machine';

export const digit: ClientProgram = {
  name: 'digit',
  version: () => Promise.resolve('not installed'),
  cells: () => Promise.resolve(Object.fromEntries(CLIENT_ROWS.map((r) => [r.id, notApplicable(WHY)]))),
};
