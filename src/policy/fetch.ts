/**
 * Lists from http(s) URLs: a bounded download (timeout, size cap) kept on disk with its ETag and
 * Last-Modified, so a restart needs no network and a refresh asks "changed since?" (RFC 9110
 * §13.1). A refresh that fails keeps the last good copy; without any copy the list is empty (and
 * says why) rather than stopping Ward.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../util/index.js';

export interface FetchLimits { timeoutMs: number; maxBytes: number }

export interface Fetched {
  text: string;
  /** 'fresh': downloaded now; 'unchanged': the server said 304; 'cached': the download failed, the copy on disk is used. */
  from: 'fresh' | 'unchanged' | 'cached' | 'none';
  error?: string;
}

interface Meta { url: string; etag?: string; lastModified?: string; fetchedAt: string }

function paths(dir: string, url: string): { body: string; meta: string } {
  const id = createHash('sha256').update(url).digest('hex').slice(0, 16);
  return { body: join(dir, `${id}.txt`), meta: join(dir, `${id}.json`) };
}

function writeAtomically(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Reads a body with at most `max` bytes; more is an error (a list that big is refused, not cut). */
async function boundedText(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) { await reader.cancel(); throw new Error(`larger than ${max} bytes`); }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The list at `url`: downloaded (conditionally) into `dir`, or the copy there when that fails. */
export async function fetchList(url: string, dir: string, limits: FetchLimits): Promise<Fetched> {
  mkdirSync(dir, { recursive: true });
  const p = paths(dir, url);
  const meta: Meta | undefined = existsSync(p.meta) ? JSON.parse(readFileSync(p.meta, 'utf8')) as Meta : undefined;
  const cached = (): string | undefined => (existsSync(p.body) ? readFileSync(p.body, 'utf8') : undefined);
  try {
    const headers: { [k: string]: string } = {};
    if (meta?.etag && existsSync(p.body)) headers['if-none-match'] = meta.etag;
    if (meta?.lastModified && existsSync(p.body)) headers['if-modified-since'] = meta.lastModified;
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
    if (res.status === 304) {
      const text = cached();
      if (text !== undefined) return { text, from: 'unchanged' };
    }
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const text = await boundedText(res, limits.maxBytes);
    writeAtomically(p.body, text);
    const next: Meta = { url, fetchedAt: new Date().toISOString() };
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    if (etag) next.etag = etag;
    if (lastModified) next.lastModified = lastModified;
    writeAtomically(p.meta, JSON.stringify(next));
    return { text, from: 'fresh' };
  } catch (err) {
    const why = errorMessage(err);
    const text = cached();
    return text === undefined ? { text: '', from: 'none', error: why } : { text, from: 'cached', error: why };
  }
}
