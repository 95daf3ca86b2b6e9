/** upstream.nat64.prefix is parsed when Ward is built, on or off: a prefix RFC 6052 §2.2 forbids stops start-up naming the key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/util/index.js';

test('a NAT64 prefix with bits past its length, or in bits 64..71, is refused before anything is bound', async () => {
  for (const [prefix, enabled, why] of [['64:ff9b::1/96', true, /no bits set past \/96/], ['2001:db8:0:0:100::/96', false, /bits 64\.\.71 are zero/]] as const) {
    const config = defaultConfig();
    config.resolver = { ...config.resolver, root_hints: [{ name: 'a.root.test', addresses: ['192.0.2.1'] }] };
    config.dnssec = { ...config.dnssec, trust_anchors: [] };
    config.log = { ...config.log, level: 'silent' };
    config.upstream = { ...config.upstream, nat64: { enabled, prefix } };
    const refused = { constructor: ConfigError, file: 'nat64.yaml', key: 'upstream.nat64.prefix', expected: why };
    await assert.rejects(createApp(config, { configPath: 'nat64.yaml' }), refused, prefix);
  }
});
