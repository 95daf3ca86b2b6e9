/**
 * Builds a PolicyEngine from policy.* : each list read from its file or URL (fetch.ts) and parsed
 * by its format; bad lines are logged with file and line (the first few of each list) and counted,
 * the good ones kept. A list file that cannot be read is a config error; a URL that cannot be
 * fetched falls back to its last copy, or to nothing, with a warning.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { ConfigError, errorMessage, type BadLine } from '../util/index.js';
import { PolicyEngine } from './engine.js';
import { fetchList } from './fetch.js';
import { parseAdblock, parseDomains, parseHosts } from './parse.js';
import { parseRpz } from './rpz.js';

/** Bad lines logged per list; the rest are counted. */
const LOGGED_BAD_LINES = 10;

export interface ListReport { name: string; source: string; entries: number; bad: number; skipped: number; fetched?: string; error?: string }

export interface LoadedPolicy { engine: PolicyEngine; lists: ListReport[] }

async function listText(config: Config, i: number, configPath: string): Promise<{ text: string; source: string; fetched?: string; error?: string }> {
  const l = config.policy.lists[i];
  if (l.path !== null) {
    try {
      return { text: readFileSync(l.path, 'utf8'), source: l.path };
    } catch (err) {
      throw new ConfigError(configPath, `policy.lists[${i}].path`, `a readable list file (${l.path}: ${errorMessage(err)})`);
    }
  }
  const url = l.url as string;
  const f = await fetchList(url, join(config.server.state_dir, 'lists'), { timeoutMs: config.policy.fetch.timeout_ms, maxBytes: config.policy.fetch.max_bytes });
  return { text: f.text, source: url, fetched: f.from, ...(f.error ? { error: f.error } : {}) };
}

export async function loadPolicy(config: Config, configPath: string, log: Logger): Promise<LoadedPolicy> {
  const engine = new PolicyEngine(config.policy);
  const lists: ListReport[] = [];
  for (let i = 0; i < config.policy.lists.length; i++) {
    const l = config.policy.lists[i];
    const { text, source, fetched, error } = await listText(config, i, configPath);
    let bad: BadLine[];
    let entries: number;
    let skipped: number;
    if (l.format === 'rpz') {
      const p = parseRpz(text);
      engine.addRpz(i, p.entries);
      ({ bad, skipped } = p);
      entries = p.entries.length;
    } else {
      const p = l.format === 'hosts' ? parseHosts(text) : l.format === 'adblock' ? parseAdblock(text) : parseDomains(text);
      engine.addList(i, p.entries);
      ({ bad, skipped } = p);
      entries = p.entries.length;
    }
    for (const b of bad.slice(0, LOGGED_BAD_LINES)) log.warn({ list: l.name, file: source, line: b.line, text: b.text.slice(0, 120), why: b.why }, 'bad list line skipped');
    if (error) log.warn({ list: l.name, url: source, error, using: fetched }, fetched === 'none' ? 'list download failed and no copy is kept: the list is empty' : 'list download failed: the last copy is used');
    const report: ListReport = { name: l.name, source, entries, bad: bad.length, skipped, ...(fetched ? { fetched } : {}), ...(error ? { error } : {}) };
    log.info(report, 'list loaded');
    lists.push(report);
  }
  return { engine, lists };
}
