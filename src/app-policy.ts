/**
 * The policy stage at run time: the engine in use (swapped whole by reload and by list refreshes,
 * so no query sees a half-built one), its counters, the microcache partition by client group, and
 * the refresh timers of lists fetched from URLs (policy.lists[].refresh_s).
 */
import type { Config } from './config/index.js';
import type { Logger } from './log/index.js';
import { loadPolicy, policyHandler, PolicyStats, type LoadedPolicy, type PolicyEngine } from './policy/index.js';
import type { ChainedHandler } from './server/index.js';
import { errorMessage } from './util/index.js';

export class PolicyRuntime {
  readonly stats = new PolicyStats();
  private engine: PolicyEngine;
  private timers: NodeJS.Timeout[] = [];
  private config: Config;

  /** `onSwap`: a new engine is in (the microcache must forget answers made under the old one). */
  constructor(loaded: LoadedPolicy, config: Config, private readonly configPath: string, private readonly log: Logger, private readonly onSwap: () => void) {
    this.engine = loaded.engine;
    this.config = config;
    this.arm();
  }

  /** The handler link: reads the engine in use on every query. */
  handler(): ChainedHandler {
    return policyHandler(() => this.engine, this.stats);
  }

  /** The client's group, as the microcache partition (answers differ between groups). */
  readonly partition = (address: string): number => this.engine.groupOf(address);

  /** Puts a reloaded policy in. */
  replace(loaded: LoadedPolicy, config: Config): void {
    this.engine = loaded.engine;
    this.config = config;
    this.arm();
    this.onSwap();
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** One timer per URL list; a refresh rebuilds the whole engine from every list and swaps it in. */
  private arm(): void {
    this.close();
    for (const l of this.config.policy.lists) {
      if (l.url === null) continue;
      const t = setInterval(() => {
        const config = this.config;
        loadPolicy(config, this.configPath, this.log).then((loaded) => {
          if (config !== this.config) return; // a reload came first
          this.engine = loaded.engine;
          this.onSwap();
          this.log.info({ list: l.name, names: loaded.engine.size }, 'lists refreshed');
        }, (err: unknown) => this.log.warn({ list: l.name, err: errorMessage(err) }, 'list refresh failed: the lists in use are kept'));
      }, l.refresh_s * 1000);
      t.unref();
      this.timers.push(t);
    }
  }
}
