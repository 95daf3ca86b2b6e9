/**
 * dnssec.trust_anchors and dnssec.negative_trust_anchors as src/app.ts loads them: files or inline
 * DS/DNSKEY records (RFC 4033 §2, RFC 7958 for the root's), [] for no validation, and errors that
 * name the configuration file, the key and what is expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrustAnchors } from '../../src/app.js';
import { defaultConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/util/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

function withAnchors(trust: string[], negative: string[] = []) {
  const config = defaultConfig();
  config.dnssec = { trust_anchors: trust, negative_trust_anchors: negative };
  return config;
}

test('the root key file and inline records load; [] means no anchors', () => {
  const fromFile = loadTrustAnchors(withAnchors([join(REPO_ROOT, 'root-hints/root.key')]), 'ward.yaml');
  assert.deepEqual([...fromFile.zones.keys()], ['']);
  assert.equal(fromFile.zones.get('')?.length, 2);
  const inline = loadTrustAnchors(withAnchors(['example. IN DS 12345 13 2 ' + 'AB'.repeat(32)], ['Corp.Example.']), 'ward.yaml');
  assert.deepEqual([...inline.zones.keys()], ['example']);
  assert.deepEqual(inline.negative, ['corp.example']);
  assert.equal(loadTrustAnchors(withAnchors([]), 'ward.yaml').zones.size, 0);
});

test('a missing file or a record that is no anchor is a ConfigError naming file and key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ward-anchors-'));
  try {
    const notAnchor = join(dir, 'bad.key');
    writeFileSync(notAnchor, 'example. 3600 IN A 192.0.2.1\n');
    for (const entry of [join(dir, 'missing.key'), notAnchor, 'example. IN DS 1 13 2 zz']) {
      assert.throws(() => loadTrustAnchors(withAnchors([entry]), 'ward.yaml'), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.file, 'ward.yaml');
        assert.equal(err.key, 'dnssec.trust_anchors');
        assert.match(err.expected, /DS or DNSKEY/);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
