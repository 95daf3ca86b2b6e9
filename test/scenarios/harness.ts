/**
 * Plays one scenario against Ward: the scenario's servers on a MemoryNet (test/helpers/memory-net.ts)
 * behind the real upstream (src/upstream createUpstream) and resolver (src/resolver createResolver),
 * client queries through the real server path, a ManualClock set from the header and moved by
 * TIME_PASSES. A scenario fails on the first failed CHECK_ANSWER, on a query without an answer
 * within the budget, or (at the end) on any query the script did not cover.
 */
import { readFileSync } from 'node:fs';
import { ManualClock, randomId, errorMessage } from '../../src/util/index.js';
import { silentLogger, type Logger } from '../../src/log/index.js';
import { decodeMessage, MalformedMessage, type Message } from '../../src/wire/index.js';
import { createUpstream } from '../../src/upstream/index.js';
import { createResolver } from '../../src/resolver/index.js';
import { dns64Handler } from '../../src/policy/index.js';
import { trustAnchors } from '../../src/dnssec/index.js';
import { chainHandlers, type QueryHandler } from '../../src/server/index.js';
import { MemoryNet } from '../helpers/memory-net.js';
import { parseRpl, type Scenario } from './rpl-parse.js';
import { mismatch } from './rpl-match.js';
import { scenarioSetup, type ScenarioSetup } from './scenario-config.js';
import { ScenarioNetwork } from './scenario-network.js';
import { clientQueryBytes, createClientPath } from './client-path.js';

/** Real time a client query may take (the README promises answers within 5 s). */
export const QUERY_BUDGET_MS = 5000;
/** Real time a whole scenario may take before the rest of its steps are abandoned. */
export const SCENARIO_DEADLINE_MS = 20_000;

export interface ScenarioResult {
  file: string;
  passed: boolean;
  reason?: string;
  ms: number;
  upstreamQueries: number;
  /** Every upstream query of the run, one line each (for --verbose reports). */
  trace: string[];
}

/**
 * Steps that need nothing done here: REPLY entries answer and ERROR steps fail upstream queries
 * through the network (scenario-network.ts), NOTHING only lets time run. TRAFFIC is played apart.
 */
const PASSIVE_STEPS = new Set(['REPLY', 'ERROR', 'CHECK_OUT_QUERY', 'NOTHING']);
/** Event-loop turns a TRAFFIC step waits at most, and the quiet turns that end it sooner. */
const TRAFFIC_TURNS = 500;
const QUIET_TURNS = 5;

/**
 * testbound's TRAFFIC: the network traffic still pending is processed before the next step, e.g.
 * the upstream queries of a prefetch started in the background by the query before.
 */
async function untilQuiet(net: MemoryNet): Promise<void> {
  let quiet = 0;
  for (let turn = 0; turn < TRAFFIC_TURNS && quiet < QUIET_TURNS; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    quiet = net.busy ? 0 : quiet + 1;
  }
}

/** Reads, parses and plays one `.rpl` file. */
export async function runScenarioFile(path: string, log: Logger = silentLogger()): Promise<ScenarioResult> {
  const started = performance.now();
  let sc: Scenario;
  try {
    sc = parseRpl(readFileSync(path, 'utf8'), path);
  } catch (err) {
    return { file: path, passed: false, reason: `parse: ${errorMessage(err)}`, ms: performance.now() - started, upstreamQueries: 0, trace: [] };
  }
  return runScenario(sc, log);
}

export async function runScenario(sc: Scenario, log: Logger = silentLogger()): Promise<ScenarioResult> {
  const started = performance.now();
  const script = new ScenarioNetwork(sc);
  const net = new MemoryNet(script);
  const result = (failure?: string): ScenarioResult => {
    const also = failure && net.problems.length > 0 ? ` [also ${net.problems.length} unscripted, first: ${net.problems[0]}]` : '';
    return build(failure === undefined ? undefined : failure + also);
  };
  const build = (reason?: string): ScenarioResult => ({
    file: sc.file, passed: reason === undefined, reason, ms: performance.now() - started, upstreamQueries: net.sent.length,
    trace: net.sent.map((s) => `step ${s.step}: ${s.name} ${s.type} to ${s.to.host} over ${s.transport}: ${s.outcome}`),
  });
  let setup: ScenarioSetup;
  try {
    setup = scenarioSetup(sc);
  } catch (err) {
    return result(`config: ${errorMessage(err)}`);
  }
  const clock = new ManualClock(setup.startMs);
  const upstream = createUpstream({ exchanger: net, clock, log, config: setup.upstream });
  const resolver = createResolver({
    upstream, clock, log, resolver: { ...setup.resolver, root_hints: setup.rootHints },
    cache: setup.cache, upstreamConfig: setup.upstream, rootHints: setup.rootHints, forwardZones: setup.forwardZones, stubZones: setup.stubZones,
    trustAnchors: trustAnchors(setup.trustAnchors, setup.negativeTrustAnchors),
  });
  const resolve: QueryHandler = (q, signal) => resolver.resolve({ question: q.question, flags: q.flags }, signal);
  let handler = resolve;
  try {
    if (setup.dns64) handler = chainHandlers([dns64Handler(setup.dns64, sc.file)], resolve);
  } catch (err) {
    resolver.close();
    return result(`config: ${errorMessage(err)}`);
  }
  const client = createClientPath(handler, clock);
  try {
    let last: Message | undefined;
    for (const step of sc.steps) {
      script.currentStep = step.id;
      const where = `step ${step.id} (line ${step.line})`;
      const left = SCENARIO_DEADLINE_MS - (performance.now() - started);
      if (left <= 0) return result(`${where}: scenario deadline of ${SCENARIO_DEADLINE_MS} ms passed`);
      if (step.type === 'QUERY' && step.entry) {
        const out = await client(clientQueryBytes(step.entry, randomId()), Math.min(QUERY_BUDGET_MS, left));
        if (step.entry.raw) { last = undefined; continue; } // Deckard reads no answer to a RAW query
        if (out.kind !== 'reply') return result(`${where}: no answer (${out.kind})`);
        const msg = decodeMessage(out.bytes);
        if (msg instanceof MalformedMessage) return result(`${where}: ${msg.message}`);
        last = msg;
      } else if (step.type === 'CHECK_ANSWER' && step.entry) {
        if (step.entry.raw) return result(`${where}: RAW answers are not compared by this runner`);
        if (!last) return result(`${where}: no answer from the preceding query`);
        const why = mismatch(step.entry, last);
        if (why) return result(`${where}: ${why}`);
      } else if (step.type === 'TRAFFIC') {
        await untilQuiet(net);
      } else if (step.type === 'TIME_PASSES') {
        clock.advance((step.elapse ?? 0) * 1000);
      } else if (!PASSIVE_STEPS.has(step.type)) {
        return result(`${where}: step type ${step.type} is not supported`);
      }
    }
    const unfired = script.unfiredMandatory();
    if (unfired.length > 0) return result(`MANDATORY entry at line ${unfired[0].line} never answered`);
    if (net.problems.length > 0) {
      const more = net.problems.length > 1 ? ` (+${net.problems.length - 1} more)` : '';
      return build(`unscripted ${net.problems[0]}${more}`);
    }
    return result();
  } catch (err) {
    return result(`error: ${errorMessage(err)}`);
  } finally {
    resolver.close();
    await net.close();
    await upstream.settle();
  }
}
