/**
 * Plays one scenario against Ward: the scenario's servers on a MemoryNet (test/helpers/memory-net.ts)
 * behind the real upstream (src/upstream createUpstream) and resolver (src/resolver createResolver),
 * client queries through the real server path, a ManualClock set from the header and moved by
 * TIME_PASSES. A scenario fails on the first failed CHECK_ANSWER, on a query without an answer
 * within the budget, (testbound) on a REPLY step with no query to answer, or (at the end) on any
 * query the script did not cover, (testbound) held for a later step that never took it, or whose
 * answer no CHECK_ANSWER took. In testbound files a QUERY step does not wait for an answer that
 * waits on held upstream queries; each CHECK_ANSWER takes the next answer (client-answers.ts).
 */
import { readFileSync } from 'node:fs';
import { ManualClock, randomId, errorMessage } from '../../src/util/index.js';
import { silentLogger, type Logger } from '../../src/log/index.js';
import { decodeMessage, MalformedMessage, parsePref64, type Message, type Pref64 } from '../../src/wire/index.js';
import { createUpstream } from '../../src/upstream/index.js';
import { createResolver } from '../../src/resolver/index.js';
import { dns64Handler } from '../../src/policy/index.js';
import { trustAnchors } from '../../src/dnssec/index.js';
import { chainHandlers, LocalHosts, type QueryHandler } from '../../src/server/index.js';
import { MemoryNet } from '../helpers/memory-net.js';
import { parseRpl, type Scenario } from './rpl-parse.js';
import { mismatch } from './rpl-match.js';
import { scenarioSetup, type ScenarioSetup } from './scenario-config.js';
import { ScenarioNetwork } from './scenario-network.js';
import { clientQueryBytes, createClientPath, type ClientOutcome } from './client-path.js';
import { ClientAnswers } from './client-answers.js';

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
 * Steps that need nothing done here: REPLY entries answer and ERROR and TIMEOUT steps fail upstream
 * queries through the network (scenario-network.ts), NOTHING only lets time run. TRAFFIC is played
 * apart, and in testbound files REPLY and CHECK_OUT_QUERY steps answer held queries when reached.
 */
const PASSIVE_STEPS = new Set(['REPLY', 'ERROR', 'TIMEOUT', 'CHECK_OUT_QUERY', 'NOTHING']);

/** The client's answer as a message, or why there is none. */
function answerOf(out: ClientOutcome): Message | string {
  if (out.kind !== 'reply') return `no answer (${out.kind})`;
  const msg = decodeMessage(out.bytes);
  return msg instanceof MalformedMessage ? msg.message : msg;
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
  let nat64: Pref64 | undefined;
  try {
    setup = scenarioSetup(sc);
    if (setup.upstream.nat64.enabled) nat64 = parsePref64(setup.upstream.nat64.prefix, sc.file, 'nat64-prefix');
  } catch (err) {
    return result(`config: ${errorMessage(err)}`);
  }
  const clock = new ManualClock(setup.startMs);
  const upstream = createUpstream({ exchanger: net, clock, log, config: setup.upstream });
  const resolver = createResolver({
    upstream, clock, log, resolver: { ...setup.resolver, root_hints: setup.rootHints },
    cache: setup.cache, upstreamConfig: setup.upstream, rootHints: setup.rootHints, forwardZones: setup.forwardZones, stubZones: setup.stubZones,
    trustAnchors: trustAnchors(setup.trustAnchors, setup.negativeTrustAnchors), ...(nat64 ? { nat64 } : {}),
  });
  const resolve: QueryHandler = (q, signal) => resolver.resolve({ question: q.question, flags: q.flags }, signal);
  let handler = resolve;
  try {
    const links = [
      ...(setup.localHosts ? [new LocalHosts(setup.localHosts, sc.file).handler] : []),
      ...(setup.dns64 ? [dns64Handler(setup.dns64, sc.file)] : []),
    ];
    if (links.length > 0) handler = chainHandlers(links, resolve);
  } catch (err) {
    resolver.close();
    return result(`config: ${errorMessage(err)}`);
  }
  const client = createClientPath(handler, clock);
  try {
    let last: Message | undefined;
    const answers = new ClientAnswers();
    for (const step of sc.steps) {
      script.currentStep = step.id;
      const where = `step ${step.id} (line ${step.line})`;
      const left = SCENARIO_DEADLINE_MS - (performance.now() - started);
      if (left <= 0) return result(`${where}: scenario deadline of ${SCENARIO_DEADLINE_MS} ms passed`);
      const budget = Math.min(QUERY_BUDGET_MS, left);
      if (step.type === 'QUERY' && step.entry) {
        // testbound runs its event loop until nothing is left to do before the next query: the
        // background work of earlier answers (prefetch, serve-stale refresh) has finished by then.
        if (sc.dialect === 'testbound') await net.settled(budget);
        const sent = client(clientQueryBytes(step.entry, randomId()), budget);
        if (sc.dialect === 'testbound' && !step.entry.raw) {
          // testbound's QUERY does not wait for the answer (CHECK_ANSWER takes it): the step ends
          // when the answer is in, or when the resolution waits on nothing but held upstream queries.
          const query = answers.add(where, sent);
          await Promise.race([sent, net.whenHeld()]);
          await net.settled(budget, () => query.outcome !== undefined, true);
          continue;
        }
        const out = await sent;
        if (step.entry.raw) { last = undefined; continue; } // Deckard reads no answer to a RAW query
        const msg = answerOf(out);
        if (typeof msg === 'string') return result(`${where}: ${msg}`);
        last = msg;
      } else if (step.type === 'CHECK_ANSWER' && step.entry) {
        if (step.entry.raw) return result(`${where}: RAW answers are not compared by this runner`);
        if (sc.dialect === 'testbound') {
          const next = await answers.next();
          const msg = next?.outcome ? answerOf(next.outcome) : undefined;
          if (typeof msg === 'string') return result(`${next?.where}: ${msg}`);
          last = msg;
        }
        if (!last) return result(`${where}: no answer from the preceding query`);
        const why = mismatch(step.entry, last);
        if (why) return result(`${where}: ${why}`);
      } else if (sc.dialect === 'testbound' && (step.type === 'REPLY' || step.type === 'CHECK_OUT_QUERY')) {
        // The queries on their way out (a refresh the client timer overtook) get to the script first.
        await net.settled(budget);
        const why = script.takeHeld(step);
        if (why) return result(`${where}: ${why}`);
      } else if (step.type === 'TRAFFIC') {
        // testbound's TRAFFIC: the pending network traffic (a prefetch's queries) is processed first.
        await net.settled(budget);
      } else if (step.type === 'TIME_PASSES') {
        clock.advance((step.elapse ?? 0) * 1000);
      } else if (!PASSIVE_STEPS.has(step.type)) {
        return result(`${where}: step type ${step.type} is not supported`);
      }
    }
    // testbound ends with nothing pending ("there are still messages pending" fails the test):
    // the queries no CHECK_ANSWER took and the background queries of the last answers are let
    // finish and checked too, and an upstream query held for a step that never took it fails.
    // Then, as testbound checks after its pending list, an answer no CHECK_ANSWER took fails the
    // file ("there are unmatched answers", fake_event.c run_scenario).
    const unchecked = sc.dialect === 'testbound' ? await answers.rest() : [];
    if (sc.dialect === 'testbound') {
      for (const query of unchecked) {
        const msg = query.outcome ? answerOf(query.outcome) : undefined;
        if (typeof msg === 'string') return result(`${query.where}: ${msg}`);
      }
      await net.settled(QUERY_BUDGET_MS);
      const held = script.unanswered();
      if (held.length > 0) return result(`${held[0]}: held for a later step, never answered`);
    }
    const unfired = script.unfiredMandatory();
    if (unfired.length > 0) return result(`MANDATORY entry at line ${unfired[0].line} never answered`);
    if (net.problems.length > 0) {
      const more = net.problems.length > 1 ? ` (+${net.problems.length - 1} more)` : '';
      return build(`unscripted ${net.problems[0]}${more}`);
    }
    if (unchecked.length > 0) return result(`${unchecked[0].where}: its answer was taken by no CHECK_ANSWER (testbound: "there are unmatched answers")`);
    return result();
  } catch (err) {
    return result(`error: ${errorMessage(err)}`);
  } finally {
    resolver.close();
    await net.close();
    await upstream.settle();
  }
}
