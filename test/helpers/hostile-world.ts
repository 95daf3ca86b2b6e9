/**
 * The small DNS world of the hostile-server tests: a scripted root (127.53.9.B+1, delegating `test`)
 * and `test` TLD (B+2, delegations set per test) plus spare scripted servers (B+3 ...), each a
 * HostileAuth on port 53; and Ward in-process (src/app.ts) on 127.0.2.9 with an ephemeral port,
 * iterating from that root (no priming, no DoT, no validation, 300 ms upstream timeout). A fresh
 * Ward per test keeps caches and the infrastructure cache apart. Assertion helpers: SERVFAIL with an
 * Extended DNS Error (RFC 8914), and a cache-only look (RD=0) that must not find a name.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import YAML from 'yaml';
import { defaultConfig, type Config } from '../../src/config/index.js';
import { findOpt, OPTION, readEde, type Message, type RRType } from '../../src/wire/index.js';
import { freePort } from './free-port.js';
import { HostileAuth, rrs, serveZones } from './hostile-auth.js';
import { query, rcodeName, recordText, type QueryOptions } from './lab-query.js';

const WARD_ADDRESS = '127.0.2.9';
/** A name the TLD always answers, for assertStillServes. */
const OK_RECORD = 'ok.test. A 192.0.2.200';

export interface Ward {
  app: App;
  port: number;
  /** The config as written for it (edit it and call `app.admin.reload()`). */
  configFile: string;
  ask(name: string, type: RRType, opts?: QueryOptions): Promise<Message>;
  stop(): Promise<void>;
}

export class HostileWorld {
  private readonly wards = new Set<Ward>();
  private started = 0;

  private constructor(
    readonly base: number,
    readonly root: HostileAuth,
    readonly tld: HostileAuth,
    readonly servers: HostileAuth[],
    private readonly stateDir: string,
  ) {}

  /** 127.53.9.(base+i). */
  static addr(base: number, i: number): string {
    return `127.53.9.${base + i}`;
  }

  /** Starts the root, the TLD and `spare` more servers at 127.53.9.(base+1) upward. */
  static async start(base: number, spare: number): Promise<HostileWorld> {
    const started: HostileAuth[] = [];
    try {
      for (let i = 1; i <= spare + 2; i++) started.push(await HostileAuth.start(HostileWorld.addr(base, i)));
    } catch (err) {
      await Promise.all(started.map((s) => s.close()));
      throw err;
    }
    const [root, tld, ...servers] = started;
    const world = new HostileWorld(base, root, tld, servers, mkdtempSync(join(tmpdir(), 'ward-hostile-')));
    world.reset();
    return world;
  }

  /** Honest root and an empty TLD; spare servers silent; query logs cleared. */
  reset(): void {
    this.root.reset(serveZones([''], rrs('test. NS ns.test.', `ns.test. A ${this.tld.address}`)));
    this.delegate();
    for (const s of this.servers) s.reset();
  }

  /** The TLD `test` serves these records (zone-file lines, absolute names): delegations and glue. */
  delegate(...lines: string[]): void {
    this.tld.reset(serveZones(['test'], rrs('test. NS ns.test.', `ns.test. A ${this.tld.address}`, OK_RECORD, ...lines)));
  }

  /**
   * Starts a fresh Ward iterating from this world's root, with `configure` applied to its config; the
   * config is written to `Ward.configFile`, which reload reads.
   */
  async ward(configure: (c: Config) => void = () => {}): Promise<Ward> {
    const config = defaultConfig();
    // A port chosen first (not 0), so that the config file names it and a reload keeps the sockets.
    const listenPort = await freePort(WARD_ADDRESS);
    config.server.listen = [
      { address: WARD_ADDRESS, port: listenPort, transport: 'udp' },
      { address: WARD_ADDRESS, port: listenPort, transport: 'tcp' },
    ];
    config.server.state_dir = this.stateDir;
    // Wards of one world share the state directory: each gets its own control socket.
    config.control.socket = join(this.stateDir, `control-${++this.started}.sock`);
    config.resolver = {
      ...config.resolver,
      root_hints: [{ name: 'ns.root.', addresses: [this.root.address] }],
      root_priming: false,
      do_not_query_localhost: false,
    };
    config.upstream = { ...config.upstream, ipv6: false, tls: 'off', timeout_ms: 300 };
    config.dnssec = { ...config.dnssec, trust_anchors: [] };
    config.log = { ...config.log, level: 'silent' };
    configure(config);
    const configFile = join(this.stateDir, `ward-${this.started}.yaml`);
    writeFileSync(configFile, YAML.stringify(config));
    const app = await createApp(config, { configPath: configFile });
    const udp = app.server.sockets.find((s) => s.transport === 'udp');
    assert.ok(udp, 'Ward listens on UDP');
    const port = udp.port;
    const ward: Ward = {
      app,
      port,
      configFile,
      ask: (name, type, opts) => query(WARD_ADDRESS, port, name, type, { timeoutMs: 5_000, ...opts }),
      stop: async () => {
        if (!this.wards.delete(ward)) return;
        await app.stop();
      },
    };
    this.wards.add(ward);
    return ward;
  }

  /** Stops every Ward and server. */
  async close(): Promise<void> {
    await Promise.all([...this.wards].map((w) => w.stop()));
    await Promise.all([this.root, this.tld, ...this.servers].map((s) => s.close()));
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** The Extended DNS Error info codes in a response. */
export function edeCodes(msg: Message): number[] {
  const opt = findOpt(msg);
  const out: number[] = [];
  for (const o of opt?.options ?? []) {
    const e = o.code === OPTION.EDE ? readEde(o) : undefined;
    if (e) out.push(e.infoCode);
  }
  return out;
}

/** Asserts SERVFAIL carrying at least one Extended DNS Error. */
export function assertServfailEde(msg: Message, what: string): void {
  assert.equal(rcodeName(msg), 'SERVFAIL', `${what}: SERVFAIL expected, got ${rcodeName(msg)} ${msg.answers.map(recordText).join(', ')}`);
  assert.ok(edeCodes(msg).length > 0, `${what}: the SERVFAIL carries an Extended DNS Error`);
}

/** The answer section as "owner TYPE rdata" lines. */
export function answerTexts(msg: Message): string[] {
  return msg.answers.map(recordText);
}

/** Asserts Ward's cache holds nothing for (name, type): a cache-only query (RD=0) is refused. */
export async function assertNotCached(ward: Ward, name: string, type: RRType): Promise<void> {
  const msg = await ward.ask(name, type, { rd: false });
  assert.deepEqual(answerTexts(msg), [], `${name} ${type} must not be in the cache`);
  assert.equal(rcodeName(msg), 'REFUSED', `${name} ${type}: a cache miss without RD is refused`);
}

/** Asserts Ward's cache has no record of (name, type) with rdata `poison` (a cache-only query, RD=0). */
export async function assertNoPoison(ward: Ward, name: string, type: RRType, poison: string): Promise<void> {
  const msg = await ward.ask(name, type, { rd: false });
  const bad = msg.answers.filter((rr) => String((rr as { data?: unknown }).data) === poison);
  assert.deepEqual(bad.map(recordText), [], `${name} ${type}: poison in the cache`);
}

/** Asserts Ward still resolves an ordinary name (`ok.test`, served by the TLD itself). */
export async function assertStillServes(ward: Ward): Promise<void> {
  const msg = await ward.ask('ok.test', 'A');
  assert.deepEqual(answerTexts(msg), ['ok.test A 192.0.2.200'], 'Ward still answers a normal query');
}

/** Milliseconds `f` takes, and its result. */
export async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await f();
  return { ms: performance.now() - start, value };
}

/** What a describe block of hostile-server tests uses: the world, and a fresh Ward per test. */
export interface HostileFixture {
  readonly world: HostileWorld;
  /** Resets the scripted servers, delegates `delegations` in the TLD and starts a new Ward. */
  fresh(...delegations: string[]): Promise<Ward>;
  /** The same, with `configure` applied to the new Ward's config (HostileWorld.ward). */
  freshWith(configure: (c: Config) => void, ...delegations: string[]): Promise<Ward>;
}

/**
 * Registers the hooks of a describe block: the world started once, and after each test the test's
 * Ward shown to still serve and then stopped.
 */
export function useHostileWorld(base: number, spare: number): HostileFixture {
  let world: HostileWorld | undefined;
  let ward: Ward | undefined;
  before(async () => { world = await HostileWorld.start(base, spare); });
  after(async () => { await world?.close(); });
  afterEach(async () => {
    if (ward) await assertStillServes(ward);
    await ward?.stop();
    ward = undefined;
  });
  const started = (): HostileWorld => {
    assert.ok(world, 'the hostile world has started');
    return world;
  };
  // Plain functions, not methods: tests take them out of the fixture (`const { fresh } = fixture`).
  const freshWith = async (configure: (c: Config) => void, ...delegations: string[]): Promise<Ward> => {
    const w = started();
    w.reset();
    w.delegate(...delegations);
    ward = await w.ward(configure);
    return ward;
  };
  return {
    get world() { return started(); },
    fresh: (...delegations: string[]): Promise<Ward> => freshWith(() => {}, ...delegations),
    freshWith,
  };
}
