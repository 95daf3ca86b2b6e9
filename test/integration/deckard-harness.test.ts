/**
 * Ward under CZ.NIC Deckard's harness contract, without Deckard itself (not packaged): for every
 * scenario of ../shared/scenarios/deckard it renders deckard/ward.yaml.j2 from the scenario's
 * header (test/integration/deckard-template.ts), creates a fresh network namespace holding the
 * scenario's server addresses, starts the scripted servers and the client inside it
 * (deckard-netns-agent.ts, real UDP/TCP sockets on port 53), starts Ward through deckard/run-ward.sh
 * inside it under libfaketime driven by a timestamp file (as Deckard does: LD_PRELOAD,
 * FAKETIME_NO_CACHE=1, FAKETIME_TIMESTAMP_FILE, rewritten on TIME_PASSES), checks that TCP port 53
 * accepts within 5 s, plays the steps with real queries compared as the in-process runner compares
 * them, and stops Ward with SIGTERM, which must end it with exit status 0. Scenarios listed in
 * test/scenarios/known-failures.txt run as `todo`, as in the in-process replay (deckard.test.ts).
 * Our own test/scenarios/cases are not played here: some match TTLs exactly (MATCH ttl), which only
 * the in-process replay's exact clock can promise.
 * Skipped with a reason when ../shared, libfaketime or network namespaces (root) are not available.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { isIPv6 } from 'node:net';
import { BUILD_ROOT, REPO_ROOT, SHARED_DIR } from '../helpers/paths.js';
import { makeTempDir, startDaemon, type Daemon } from '../helpers/lab-process.js';
import { parseConfig } from '../../src/config/index.js';
import { decodeMessage, MalformedMessage, type Message } from '../../src/wire/index.js';
import { randomId } from '../../src/util/index.js';
import { parseRpl, type Scenario } from '../scenarios/rpl-parse.js';
import { knownFailures, scenarioFiles } from '../scenarios/scenario-files.js';
import { mismatch } from '../scenarios/rpl-match.js';
import { clientQueryBytes } from '../scenarios/client-path.js';
import { QUERY_BUDGET_MS } from '../scenarios/harness.js';
import { scriptedAddresses } from './deckard-netns-agent.js';
import { deckardContext, renderTemplate, timePasses, writeTimestampFile } from './deckard-template.js';

const DECKARD_DIR = join(SHARED_DIR, 'scenarios', 'deckard');
const SCENARIOS = existsSync(DECKARD_DIR) ? scenarioFiles([DECKARD_DIR]) : [];
const KNOWN = knownFailures();
const TEMPLATE = join(REPO_ROOT, 'deckard', 'ward.yaml.j2');
const WRAPPER = join(REPO_ROOT, 'deckard', 'run-ward.sh');
const WARD_MAIN = join(BUILD_ROOT, 'src', 'main.js');
const AGENT = join(BUILD_ROOT, 'test', 'integration', 'deckard-netns-agent.js');
/** Deckard's internal range (networking.py): its own address first, then the program's. */
const DECKARD_IP = '127.127.0.1';
const SELF_ADDR = '127.127.0.2';
/** Deckard's conncheck: TCP port 53 must accept within 5 s of the start. */
const CONNCHECK_MS = 5000;
const NS = `ward-deckard-${process.pid}`;

const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']
  .map((d) => join(d, 'faketime', 'libfaketime.so.1')).find((p) => existsSync(p));

function ip(...args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: `${r.error?.message ?? ''}${r.stderr ?? ''}`.trim() };
}

/** The interface holding the addresses: Deckard's dummy `deckard`, or `lo` where dummy links are unavailable. */
let dev = 'deckard';

/** Adds an address to the namespace's interface (IPv6 without duplicate detection, usable at once). */
function addAddress(a: string): { ok: boolean; err: string } {
  return isIPv6(a) ? ip('-n', NS, 'addr', 'add', `${a}/128`, 'dev', dev, 'nodad') : ip('-n', NS, 'addr', 'add', `${a}/32`, 'dev', dev);
}

/**
 * Builds Deckard's network (networking.py InterfaceManager): lo up and a dummy interface `deckard`
 * whose default routes lead to a fake neighbour, so a query to an address no scripted server holds
 * is lost (a timeout), as under Deckard. Without dummy links (a kernel without the module) the
 * addresses go on lo and such a query fails at once instead. Returns the failing command, or undefined.
 */
function buildNetwork(): string | undefined {
  if (!ip('-n', NS, 'link', 'set', 'lo', 'up').ok) return 'ip link set lo up';
  if (!ip('-n', NS, 'link', 'add', 'deckard', 'type', 'dummy').ok) {
    dev = 'lo';
    return undefined;
  }
  const steps = [
    ['link', 'set', 'deckard', 'up'], ['neigh', 'add', '169.254.1.1', 'lladdr', '21:21:21:21:21:21', 'dev', 'deckard'],
    ['-6', 'neigh', 'add', 'fe80::1', 'lladdr', '21:21:21:21:21:21', 'dev', 'deckard'],
    ['addr', 'add', '169.254.1.2/24', 'dev', 'deckard'], ['route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'deckard'],
    ['-6', 'route', 'add', 'default', 'via', 'fe80::1', 'dev', 'deckard'],
  ];
  const failed = steps.find((step) => !ip('-n', NS, ...step).ok);
  return failed ? `ip ${failed.join(' ')}` : undefined;
}

/** Why this file cannot run here, or undefined (then the namespace exists, with Deckard's and Ward's addresses). */
function unavailable(): string | undefined {
  if (!existsSync(DECKARD_DIR)) return `${DECKARD_DIR} is absent`;
  if (!LIBFAKETIME) return 'libfaketime is not installed (apt package libfaketime)';
  const add = ip('netns', 'add', NS);
  if (!add.ok) return `network namespaces are not permitted here (ip netns add: ${add.err})`;
  const failed = buildNetwork() ?? [DECKARD_IP, SELF_ADDR].map((a) => (addAddress(a).ok ? undefined : `ip addr add ${a}`)).find((x) => x);
  if (failed === undefined) return undefined;
  ip('netns', 'del', NS);
  return `cannot set up the namespace ${NS} (${failed} failed)`;
}

const skipReason = unavailable(); // node:test prints it as the reason of each skipped test
after(() => { if (!skipReason) ip('netns', 'del', NS); });

/** The agent child inside the namespace, driven by JSON lines. */
interface Agent { call(cmd: object, timeoutMs: number): Promise<{ [k: string]: unknown }>; stop(): void; stderr(): string }

async function startAgent(rpl: string): Promise<Agent> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', NS, process.execPath, AGENT, rpl], { stdio: ['pipe', 'pipe', 'pipe'] });
  let errText = '';
  child.stderr?.on('data', (c: Buffer) => { errText = (errText + c.toString()).slice(-4000); });
  const waiting = new Map<number, (v: { [k: string]: unknown }) => void>();
  let ready: () => void = () => undefined;
  const readyP = new Promise<void>((r) => { ready = r; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const o = JSON.parse(line) as { [k: string]: unknown };
    if (o.ready) ready();
    else waiting.get(o.id as number)?.(o);
  });
  let next = 1;
  const agent: Agent = {
    call: (cmd, timeoutMs) => new Promise((resolve, reject) => {
      const id = next++;
      const t = setTimeout(() => reject(new Error(`agent did not answer ${JSON.stringify(cmd)}: ${errText}`)), timeoutMs);
      waiting.set(id, (v) => { clearTimeout(t); waiting.delete(id); resolve(v); });
      child.stdin?.write(`${JSON.stringify({ ...cmd, id })}\n`);
    }),
    stop: () => { child.stdin?.end(); child.kill('SIGKILL'); },
    stderr: () => errText,
  };
  const died = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`agent exited (${code}): ${errText}`))));
  const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`agent not ready: ${errText}`)), 10_000).unref());
  try {
    await Promise.race([readyP, died, late]);
  } catch (err) {
    agent.stop();
    throw err;
  }
  return agent;
}

/** Plays the steps through the agent; the first failure, or undefined. */
async function playSteps(sc: Scenario, agent: Agent, timeFile: string): Promise<string | undefined> {
  let last: Message | undefined;
  for (const step of sc.steps) {
    const where = `step ${step.id} (line ${step.line})`;
    await agent.call({ op: 'step', step: step.id }, 2000);
    if (step.type === 'QUERY' && step.entry) {
      const bytes = clientQueryBytes(step.entry, randomId()).toString('base64');
      const wait = !step.entry.raw; // Deckard reads no answer to a RAW query
      const r = await agent.call({ op: 'query', from: DECKARD_IP, host: SELF_ADDR, bytes, timeoutMs: QUERY_BUDGET_MS, wait }, QUERY_BUDGET_MS + 2000);
      if (!wait) { last = undefined; continue; }
      if (!r.ok) return `${where}: no answer within ${QUERY_BUDGET_MS} ms`;
      const msg = decodeMessage(Buffer.from(r.bytes as string, 'base64'));
      if (msg instanceof MalformedMessage) return `${where}: ${msg.message}`;
      last = msg;
    } else if (step.type === 'CHECK_ANSWER' && step.entry) {
      if (!last) return `${where}: no answer from the preceding query`;
      const why = mismatch(step.entry, last);
      if (why) return `${where}: ${why}`;
    } else if (step.type === 'TIME_PASSES') {
      timePasses(timeFile, step.elapse ?? 0);
    }
  }
  const report = await agent.call({ op: 'report' }, 2000);
  const problems = report.problems as string[];
  if (problems.length > 0) return `unscripted ${problems[0]} (${problems.length} in all)`;
  const unfired = report.unfired as number[];
  return unfired.length > 0 ? `MANDATORY entry at line ${unfired[0]} never answered` : undefined;
}

if (SCENARIOS.length === 0) test('Deckard harness contract', { skip: skipReason ?? 'no scenarios found' }, () => {});
for (const file of SCENARIOS) {
  const name = basename(file);
  test(`Deckard harness contract: ${name}`, { skip: skipReason, todo: KNOWN.get(name), timeout: 40_000 }, async (t) => {
    const sc = parseRpl(readFileSync(file, 'utf8'), file);
    const work = makeTempDir('ward-deckard');
    const added: string[] = [];
    let agent: Agent | undefined;
    let ward: Daemon | undefined;
    try {
      const { ctx, startSeconds } = deckardContext(sc, SELF_ADDR, work.dir);
      const yaml = renderTemplate(readFileSync(TEMPLATE, 'utf8'), ctx);
      writeFileSync(join(work.dir, 'ward.yaml'), yaml);
      parseConfig(yaml, 'ward.yaml'); // a template that renders to a bad config fails here, with the key
      const timeFile = join(work.dir, '.time');
      writeTimestampFile(timeFile, startSeconds ?? Date.now() / 1000);

      for (const a of scriptedAddresses(sc)) {
        const r = addAddress(a);
        assert.ok(r.ok, `ip addr add ${a}: ${r.err}`);
        added.push(a);
      }
      agent = await startAgent(file);

      const started = performance.now();
      ward = startDaemon('ward', 'ip', ['netns', 'exec', NS, 'env', `LD_PRELOAD=${LIBFAKETIME}`, 'FAKETIME_NO_CACHE=1',
        `FAKETIME_TIMESTAMP_FILE=${timeFile}`, 'TZ=UTC', `WARD_MAIN=${WARD_MAIN}`, `WARD_NODE=${process.execPath}`,
        WRAPPER, '--config', 'ward.yaml'], { cwd: work.dir });
      const conn = await agent.call({ op: 'tcp-ready', host: SELF_ADDR, deadlineMs: CONNCHECK_MS }, CONNCHECK_MS + 2000);
      assert.ok(conn.ok, `TCP ${SELF_ADDR}:53 did not accept within ${CONNCHECK_MS} ms:\n${ward.output()}`);
      t.diagnostic(`TCP port 53 accepted ${Math.round(performance.now() - started)} ms after the start (addresses on ${dev})`);

      const failure = await playSteps(sc, agent, timeFile);
      assert.equal(failure, undefined, `${failure}\nWard's log tail:\n${ward.output().slice(-2000)}`);

      await ward.stop(7000); // SIGTERM (SIGKILL only after 7 s)
      assert.equal(ward.child.signalCode, null, `Ward did not exit on SIGTERM within 7 s:\n${ward.output()}`);
      assert.equal(ward.child.exitCode, 0, `exit status after SIGTERM:\n${ward.output()}`);
    } finally {
      await ward?.stop(1000);
      agent?.stop();
      for (const a of added) ip('-n', NS, 'addr', 'del', `${a}/${isIPv6(a) ? 128 : 32}`, 'dev', dev);
      work.remove();
    }
  });
}

test('Node under libfaketime: the timestamp file sets Date.now(), rewriting it moves the clock, timers run', { skip: LIBFAKETIME ? false : 'libfaketime is not installed', timeout: 10_000 }, async () => {
  const work = makeTempDir('ward-faketime');
  try {
    const timeFile = join(work.dir, '.time');
    writeTimestampFile(timeFile, Date.UTC(2019, 0, 1) / 1000);
    // Prints Date.now() at once, then (after a real 300 ms timer) again: the file is rewritten in between.
    const script = 'console.log(Date.now()); setTimeout(() => console.log(Date.now()), 300);';
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME_NO_CACHE: '1', FAKETIME_TIMESTAMP_FILE: timeFile, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: number[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(Number(l));
      if (lines.length === 1) timePasses(timeFile, 3600);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.equal(lines.length, 2, 'the 300 ms timer fired');
    const start = Date.UTC(2019, 0, 1);
    assert.ok(lines[0] >= start && lines[0] < start + 5000, `first Date.now() ${new Date(lines[0]).toISOString()}`);
    assert.ok(lines[1] >= start + 3600_000 && lines[1] < start + 3605_000, `after TIME_PASSES 3600: ${new Date(lines[1]).toISOString()}`);
  } finally {
    work.remove();
  }
});
