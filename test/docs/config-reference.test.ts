/**
 * The README's configuration table is the schema's (test/docs/config-reference.ts): a key added,
 * renamed or given a new default without `npm run docs:config` fails here, and so does a key the
 * generated table lists that the README's prose never explains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configKeys, readReadme, renderTable, withTable, BEGIN_MARKER, END_MARKER } from './config-reference.js';

test('the README config table is the one generated from src/config/schema.ts', () => {
  const readme = readReadme();
  const expected = withTable(readme, renderTable(configKeys()));
  assert.equal(readme, expected, 'README.md config key table is out of date: run `npm run docs:config`');
});

test('every generated key is explained in the README outside the generated table', () => {
  const readme = readReadme();
  const prose = readme.slice(0, readme.indexOf(BEGIN_MARKER)) + readme.slice(readme.indexOf(END_MARKER));
  const unexplained = configKeys().map((k) => k.path).filter((path) => !mentioned(prose, path));
  assert.deepEqual(unexplained, [], `keys with no explanation in README.md: ${unexplained.join(', ')}`);
});

test('the generator walks nested objects and stops at lists and nullable objects', () => {
  const keys = new Map(configKeys().map((k) => [k.path, k]));
  assert.equal(keys.get('server.limits.max_connections')?.defaultValue, 1000);
  assert.ok(keys.has('server.listen'), 'a list is one key');
  assert.ok(keys.has('http.listen') && !keys.has('http.listen.port'), 'a nullable object is one key');
  assert.ok(keys.has('policy.fetch.timeout_ms'), 'an inline object type is walked into');
  assert.match(keys.get('upstream.tls')?.type ?? '', /opportunistic/);
});

test('a table from a changed default differs from the committed one (the check can fail)', () => {
  const keys = configKeys().map((k) => (k.path === 'cache.max_ttl' ? { ...k, defaultValue: 1 } : k));
  const readme = readReadme();
  assert.notEqual(withTable(readme, renderTable(keys)), readme);
});

/**
 * A key is explained when the README names it in backticks: in full (`cache.max_ttl`), after its
 * section (`limits.max_connections` under "### `server`"), or in a combined row (`cache.min_ttl`, …).
 */
function mentioned(prose: string, path: string): boolean {
  const [section, ...rest] = path.split('.');
  if (prose.includes(`\`${path}\``)) return true;
  if (rest.length === 0) return prose.includes(`### \`${section}\``);
  const sectionStart = prose.indexOf(`### \`${section}\``);
  if (sectionStart < 0) return false;
  const sectionEnd = prose.indexOf('\n### ', sectionStart + 1);
  return prose.slice(sectionStart, sectionEnd < 0 ? undefined : sectionEnd).includes(`\`${rest.join('.')}\``);
}
