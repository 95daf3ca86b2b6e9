/**
 * Finding scenario files (a file, or every `.rpl` below a folder, sorted) and reading the list of
 * known failures (`known-failures.txt`: one `name.rpl  reason` per line, `#` comments).
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

/** Every `.rpl` file named or found below the given paths, in a stable order. */
export function scenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      const names = readdirSync(p).sort();
      out.push(...scenarioFiles(names.map((n) => join(p, n)).filter((f) => f.endsWith('.rpl') || statSync(f).isDirectory())));
    } else out.push(p);
  }
  return out;
}

export const KNOWN_FAILURES_FILE = join(REPO_ROOT, 'test', 'scenarios', 'known-failures.txt');

/** Known failures by file name (basename), with the recorded reason. */
export function knownFailures(file = KNOWN_FAILURES_FILE): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const t = line.replace(/(^|\s)#.*/, '').trim();
    if (t === '') continue;
    const m = /^(\S+)\s*(.*)$/.exec(t) as RegExpExecArray;
    out.set(m[1], m[2]);
  }
  return out;
}
