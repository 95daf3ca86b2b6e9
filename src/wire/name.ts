/**
 * Domain names in presentation form. Ward keeps names as strings without the trailing dot, root as
 * '' (dns-packet's convention is '.' for the root on decode; `normalizeName` maps both).
 * Comparisons are case-insensitive (RFC 4343); the client's case is kept for replies (0x20).
 */

/** Lower-cases and strips one trailing dot; the root becomes ''. */
export function normalizeName(name: string): string {
  let n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n === '.') n = '';
  return n.toLowerCase();
}

/** The labels of a normalized name, leftmost first ([] for the root). */
export function labels(name: string): string[] {
  return name === '' ? [] : name.split('.');
}

/** Number of labels (0 for the root). */
export function labelCount(name: string): number {
  if (name === '') return 0;
  let n = 1;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) n++;
  return n;
}

/** The last `n` labels of a normalized name (all of it when it has no more), without splitting it. */
export function lastLabels(name: string, n: number): string {
  if (n <= 0) return '';
  let dot = name.length;
  for (let k = 0; k < n; k++) {
    dot = name.lastIndexOf('.', dot - 1);
    if (dot < 0) return name;
  }
  return name.slice(dot + 1);
}

/** True when `name` equals `zone` or lies below it (both normalized). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '') return true;
  if (name.length === zone.length) return name === zone;
  return name.length > zone.length && name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 46;
}

/** The parent of a normalized name ('' for a single label; undefined for the root). */
export function parentName(name: string): string | undefined {
  if (name === '') return undefined;
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** Case-insensitive equality. */
export function nameEquals(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

/** Presentation with a trailing dot, '.' for the root (for logs and zone text). */
export function fqdn(name: string): string {
  const n = name.endsWith('.') ? name : name + '.';
  return n === '.' || n === '..' ? '.' : n;
}
