/** The programs of the client table, in column order. */
import type { ClientProgram } from '../client-bench.js';
import { dig } from './dig.js';
import { digit } from './digit.js';
import { dnsperf } from './dnsperf.js';
import { drill } from './drill.js';
import { goMiekg } from './go-miekg.js';
import { kdig } from './kdig.js';

export const CLIENT_PROGRAMS: ClientProgram[] = [drill, dig, kdig, goMiekg, dnsperf, digit];
