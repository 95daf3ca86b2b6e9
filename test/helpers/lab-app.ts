/**
 * The configuration of an in-process Ward (`createApp`) resolving through the lab: UDP on
 * `address` port 53, the lab's root hints without priming, loopback servers allowed, IPv4 only,
 * no control socket, silent logs; validating with `trustAnchors` (none: validation off).
 */
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { Lab } from './lab.js';

export function labAppConfig(lab: Lab, address: string, stateDir: string, trustAnchors: string[] = []): Config {
  const config = defaultConfig();
  config.server.listen = [{ address, port: 53, transport: 'udp' }];
  config.server.state_dir = stateDir;
  config.resolver = { ...config.resolver, root_hints: lab.rootHints, root_priming: false, do_not_query_localhost: false };
  config.upstream = { ...config.upstream, ipv6: false, timeout_ms: 1_000 };
  config.dnssec = { ...config.dnssec, trust_anchors: trustAnchors };
  config.control = { ...config.control, enabled: false };
  config.log = { ...config.log, level: 'silent' };
  return config;
}
