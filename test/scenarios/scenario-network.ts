/**
 * The scripted authoritative servers of one scenario (Deckard's Scenario.reply): the first RANGE
 * valid for the current step that lists the server's address answers from its first matching ENTRY
 * (in Deckard files an address no range lists may be answered by any range valid for the step);
 * when no range serves that address, a later one-shot `STEP n REPLY` entry may answer (once), a
 * later `STEP n ERROR` (testbound) fails that one query as a broken connection would, or a later
 * `STEP n TIMEOUT` (testbound: the pending query times out) leaves it unanswered until its timeout.
 * In testbound files a query to an address some range serves that no entry matches is held, as
 * testbound keeps it pending, when a later REPLY step (or CHECK_OUT_QUERY with copy_id) can take it:
 * that step answers it when the scenario gets there (takeHeld).
 * Anything else is unscripted: SERVFAIL, as Deckard answers, and a failure of the scenario.
 */
import { encodeMessage, FLAG, RCODE, type Message } from '../../src/wire/index.js';
import type { Endpoint, Transport } from '../../src/net/index.js';
import type { ScriptAnswer, ScriptedNetwork } from '../helpers/memory-net.js';
import type { RplEntry, RplStep, Scenario } from './rpl-parse.js';
import { mismatch, scriptedReply } from './rpl-match.js';
import { normalizeAddress } from './scenario-config.js';

export class ScenarioNetwork implements ScriptedNetwork {
  /** The step being played; ranges and one-shot replies are chosen by it. */
  currentStep = 0;
  get step(): number { return this.currentStep; }
  private readonly consumed = new Set<RplStep>();
  private readonly fired = new Set<RplEntry>();
  /** Steps the scenario got to with takeHeld: they take no query held from then on. */
  private readonly reached = new Set<RplStep>();
  /** Queries waiting for a later step, oldest first. */
  private readonly held: HeldQuery[] = [];

  /** Every address some RANGE lists. */
  private readonly listed: Set<string>;

  constructor(private readonly sc: Scenario) {
    this.listed = new Set(sc.ranges.flatMap((r) => r.addresses.map(normalizeAddress)));
  }

  answer(query: Message, to: Endpoint, transport: Transport): ScriptAnswer {
    const q = query.questions[0];
    const what = `${q?.name ?? '?'} ${q?.type ?? '?'} to ${to.host}#${to.port} over ${transport} at step ${this.currentStep}`;
    if (to.port !== 53) return { kind: 'unscripted', problem: `query ${what}: nothing listens on that port` };
    const addr = normalizeAddress(to.host);
    const testbound = this.sc.dialect === 'testbound';
    // Deckard's Scenario.reply: an address that no RANGE lists is "unknown, select any match", so
    // every range valid for the step may answer it; testbound matches addresses strictly.
    const anyRange = !testbound && !this.listed.has(addr);
    const ranges = this.sc.ranges.filter((r) => r.from <= this.currentStep && this.currentStep <= r.to &&
      (anyRange || r.addresses.length === 0 || r.addresses.some((a) => normalizeAddress(a) === addr)));
    // Deckard asks the first range that serves the address; testbound every one, in file order.
    for (const range of testbound ? ranges : ranges.slice(0, 1)) {
      const entry = range.entries.find((e) => mismatch(e, query, transport) === undefined);
      if (entry) {
        this.fired.add(entry);
        return reply(entry, query, testbound);
      }
    }
    if (ranges.length > 0) {
      if (testbound && this.sc.steps.some((step) => this.canTake(step, query, transport))) return this.hold(query, transport, what);
      return { kind: 'unscripted', problem: `query ${what}: no entry of RANGE at line ${ranges[0].line} matches`, bytes: servfail(query) };
    }
    for (const step of this.sc.steps) {
      if (step.id < this.currentStep || this.consumed.has(step)) continue;
      if (step.type === 'ERROR' || step.type === 'TIMEOUT') {
        this.consumed.add(step);
        return step.type === 'ERROR' ? { kind: 'error' } : { kind: 'drop' };
      }
      if (step.type !== 'REPLY' || !step.entry || mismatch(step.entry, query, transport) !== undefined) continue;
      this.consumed.add(step);
      return reply(step.entry, query, this.sc.dialect === 'testbound');
    }
    return { kind: 'unscripted', problem: `query ${what}: no server scripted there`, bytes: servfail(query) };
  }

  /**
   * The scenario got to `step`: a REPLY (or a CHECK_OUT_QUERY with copy_id) answers the newest held
   * query its entry matches, as testbound answers the head of its pending list (fake_event.c).
   * Why the file fails here, if it does: a REPLY step that finds no query at all to answer (none
   * held, and none it answered earlier) is testbound's fatal "No pending queries."
   */
  takeHeld(step: RplStep): string | undefined {
    const query = [...this.held].reverse().find((h) => this.canTake(step, h.query, h.transport));
    const nothingPending = step.type === 'REPLY' && this.held.length === 0 && !this.consumed.has(step);
    this.reached.add(step);
    if (nothingPending) return 'REPLY step with no pending query to answer (testbound: "No pending queries.")';
    if (!query || !step.entry) return undefined;
    this.consumed.add(step);
    this.held.splice(this.held.indexOf(query), 1);
    query.give(reply(step.entry, query.query, true));
    return undefined;
  }

  /** The held queries no step took (testbound fails a run that ends with messages pending). */
  unanswered(): string[] {
    return this.held.map((h) => h.what);
  }

  /** MANDATORY range entries that never answered (Deckard fails the scenario for each). */
  unfiredMandatory(): RplEntry[] {
    return this.sc.ranges.flatMap((r) => r.entries).filter((e) => e.mandatory && !this.fired.has(e));
  }

  /** Whether `step`, not yet reached nor used, would answer `query` when reached. */
  private canTake(step: RplStep, query: Message, transport: Transport): boolean {
    const takes = step.type === 'REPLY' || (step.type === 'CHECK_OUT_QUERY' && step.entry?.adjust.has('copy_id') === true);
    return takes && step.entry !== undefined && !this.reached.has(step) && !this.consumed.has(step) &&
      mismatch(step.entry, query, transport) === undefined;
  }

  private hold(query: Message, transport: Transport, what: string): ScriptAnswer {
    let give: (answer: ScriptAnswer) => void = () => undefined;
    const later = new Promise<ScriptAnswer>((resolve) => { give = resolve; });
    const held: HeldQuery = { query, transport, what: `query ${what}`, give };
    this.held.push(held);
    const cancel = (): void => {
      const at = this.held.indexOf(held);
      if (at >= 0) this.held.splice(at, 1);
    };
    return { kind: 'held', later, cancel };
  }
}

interface HeldQuery { query: Message; transport: Transport; what: string; give: (answer: ScriptAnswer) => void }

/** `bindsId`: testbound hands each reply to the query it answers, so the ID always fits. */
function reply(entry: RplEntry, query: Message, bindsId: boolean): ScriptAnswer {
  const bytes = scriptedReply(entry, query, bindsId);
  return bytes ? { kind: 'reply', bytes } : { kind: 'drop' };
}

function servfail(query: Message): Buffer {
  return encodeMessage({
    id: query.id, type: 'response', flags: (query.flags & FLAG.RD) | RCODE.SERVFAIL,
    questions: query.questions, answers: [], authorities: [], additionals: [],
  });
}
