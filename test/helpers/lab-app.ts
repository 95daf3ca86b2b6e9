/**
 * An in-process Ward (`createApp`) resolving through the lab, for the lab tests: its configuration
 * (UDP on `address` port 53, the lab's root hints without priming, loopback servers allowed, IPv4
 * only, no control socket, silent logs; validating with the lab's trust anchor when the lab is
 * signed), and a fixture that starts lab and Ward before a describe block's tests and stops both after.
 */
import { after, before } from 'node:test';
import { createApp, type App } from '../../src/app.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import { startLab, type Lab, type LabOptions } from './lab.js';
import { makeTempDir } from './lab-process.js';

export function labAppConfig(lab: Lab, address: string, stateDir: string): Config {
  const config = defaultConfig();
  config.server.listen = [{ address, port: 53, transport: 'udp' }];
  config.server.state_dir = stateDir;
  config.resolver = { ...config.resolver, root_hints: lab.rootHints, root_priming: false, do_not_query_localhost: false };
  config.upstream = { ...config.upstream, ipv6: false, timeout_ms: 1_000 };
  config.dnssec = { ...config.dnssec, trust_anchors: lab.trustAnchorFile ? [lab.trustAnchorFile] : [] };
  config.control = { ...config.control, enabled: false };
  config.log = { ...config.log, level: 'silent' };
  return config;
}

export interface LabApp { lab(): Lab; app(): App }

/** Call inside a describe block: `configure` adjusts labAppConfig's result before Ward starts. */
export function labAppFixture(name: string, address: string, labOptions: LabOptions, configure: (c: Config) => void = () => undefined): LabApp {
  let lab: Lab | undefined;
  let app: App | undefined;
  const tmp = makeTempDir(`ward-${name}`);
  before(async () => {
    lab = await startLab(labOptions);
    const config = labAppConfig(lab, address, `${tmp.dir}/state`);
    configure(config);
    app = await createApp(config, { configPath: name });
  });
  after(async () => {
    await app?.stop();
    await lab?.stop();
    tmp.remove();
  });
  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error(`${name}: the lab and Ward are not started`);
    return x;
  };
  return { lab: () => started(lab), app: () => started(app) };
}
