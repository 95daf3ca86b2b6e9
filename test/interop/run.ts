/**
 * `npm run interop`: runs each program against Ward on loopback and writes INTEROP.md (or the file
 * given as the first argument). The authoritative side starts the lab on 127.53.x: run it under
 * `flock /tmp/ward-lab.lock`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { runInterop } from './interop.js';
import { renderReport } from './report.js';

const out = process.argv[2] ?? join(REPO_ROOT, 'INTEROP.md');
const only = process.argv.slice(3);
const report = await runInterop({ only, log: (line) => process.stdout.write(`${line}\n`) });
writeFileSync(out, renderReport(report));
process.stdout.write(`wrote ${out}\n`);
