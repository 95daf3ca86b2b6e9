/** The programs of the client table, in column order. */
import type { ClientProgram } from '../client-bench.js';
import { dig } from './dig.js';
import { digit } from './digit.js';
import { dnsperf } from './dnsperf.js';
import { drill } from './drill.js';
import { getdnsQuery } from './getdns-query.js';
import { goMiekg } from './go-miekg.js';
import { kdig } from './kdig.js';
import { kresd } from './kresd.js';
import { named } from './named.js';
import { stubby } from './stubby.js';
import { unbound } from './unbound.js';

export const CLIENT_PROGRAMS: ClientProgram[] = [drill, dig, kdig, stubby, getdnsQuery, goMiekg, unbound, kresd, named, dnsperf, digit];
