/**
 * Iterator state `response`: check the reply answers the question asked, scrub it to the
 * bailiwick, classify it and act: error RCODE or lame (REFUSED too) → next server (an error to a
 * minimised question → the full name instead); referral → new delegation;
 * a reply to a minimised question is a zone cut (referral, or an authoritative NS answer) or else
 * ends minimisation (empty non-terminal, NXDOMAIN, CNAME...: the full name is asked next, as Knot
 * Resolver does); replies to the full question finish, cached with their rank.
 */
import type { Message, Record } from '../wire/index.js';
import { RCODE, isSubdomain, setType } from '../wire/index.js';
import { rankOf } from '../cache/index.js';
import { EDE } from './ede.js';
import { noteFailure, type Delegation, type IterEnv, type IterState, type QueryState } from './iter-types.js';
import type { ServerAddress } from '../upstream/index.js';
import { answersQuestion, isAuthoritative, recursionAvailable, replyRcode } from './reply-view.js';
import type { Scrubbed } from './scrub.js';
import { ownerOf, scrub } from './scrub.js';
import type { ResponseClass } from './response-class.js';
import { classify, dnameConflicts } from './response-class.js';
import { delegationFromNs } from './delegation.js';
import { fail } from './iter-query-targets.js';
import { PRIVATE_ADDRESS_REMOVED, emptied } from './private-addresses.js';
import { denialProof, storeAnswer, storeDelegationData, storeRecords, storeReferralDenial } from './iter-store.js';

export function iterResponse(q: QueryState, env: IterEnv): IterState {
  const msg = q.reply as Message;
  const dp = q.dp as Delegation;
  const { qout } = q;
  q.reply = undefined;
  if (!answersQuestion(msg, qout.name, qout.type)) {
    noteFailure(q, 'reply to another question');
    return 'queryTargets';
  }
  const aa = isAuthoritative(msg);
  const forwarder = dp.source === 'forward';
  const s = scrub(msg, qout.name, dp.zone, { hardenGlue: env.config.harden_glue, forwarder, proven: env.validates });
  // A forwarder is a recursive server: RA without AA is expected there, not lameness.
  const ra = !forwarder && recursionAvailable(msg);
  const c = classify(s, { rcode: replyRcode(msg), aa, ra }, qout.name, qout.type, dp.zone);
  if (env.log.isLevelEnabled('trace')) env.log.trace({ qid: q.id, server: q.server?.address, zone: dp.zone, class: c.kind }, 'response');
  switch (c.kind) {
    case 'error':
      // Servers that choke on a minimised question (SERVFAIL, REFUSED, NOTIMP for "example.com NS"):
      // the full name is asked next, of the same servers (RFC 9156 §2.3; Unbound's and Knot
      // Resolver's relaxed mode).
      if (qout.minimised) {
        q.minimise = false;
        noteFailure(q, `rcode ${c.rcode} to a minimised question`);
        return 'queryTargets';
      }
      if (c.rcode === RCODE.REFUSED) return lame(q, env, dp);
      noteFailure(q, `rcode ${c.rcode}`);
      return 'queryTargets';
    case 'lame':
      return lame(q, env, dp);
    case 'referral':
      return referral(q, env, s, c.zone, c.ns, aa);
  }
  if (qout.minimised) return minimised(q, env, s, c, aa);
  if (ra && !aa && (c.kind === 'answer' || c.kind === 'cname' || c.kind === 'nxdomain') && !acceptedLame(q, dp)) {
    // A recursive server answering from its cache where the zone's authoritative answer was due
    // (Unbound's recursion lameness): marked lame; its answer is kept for when no other server answers.
    q.recursionLame = { zone: dp.zone, server: q.server as ServerAddress, reply: msg, accepted: false };
    return lame(q, env, dp);
  }
  switch (c.kind) {
    case 'answer': {
      const records = withoutPrivateAddresses(q, env, c.records);
      if (!records) {
        q.outcome = { kind: 'fail', ede: PRIVATE_ADDRESS_REMOVED };
        return 'finished';
      }
      storeAnswer(env.cache, s, records, aa, dp.zone);
      const zoneNs = env.config.minimal_responses ? undefined : zoneContext(s, dp.zone);
      if (zoneNs) for (const rr of records) if (rr.type === qout.type) env.cache.setContext('rrset', ownerOf(rr), qout.type, zoneNs);
      q.outcome = {
        kind: 'answer', records, zone: dp.zone, server: q.server,
        proof: denialProof(s.authority), conflicts: dnameConflicts(s.answer, records), ...(zoneNs ? { zoneNs } : {}),
      };
      return 'finished';
    }
    case 'cname':
      storeAnswer(env.cache, s, c.records, aa, dp.zone);
      q.outcome = {
        kind: 'cname', records: c.records, target: c.target, zone: dp.zone, server: q.server,
        proof: denialProof(s.authority), conflicts: dnameConflicts(s.answer, c.records),
      };
      return 'finished';
    case 'yxdomain':
      storeAnswer(env.cache, s, c.records, aa, dp.zone);
      q.outcome = { ...c, zone: dp.zone, server: q.server };
      return 'finished';
    case 'nxdomain':
    case 'nodata': {
      if (c.kind === 'nodata' && c.selfReferral) return lame(q, env, dp);
      storeAnswer(env.cache, s, c.records, aa, dp.zone);
      env.cache.storeNegative(c.kind, c.name, q.type, s.authority, rankOf('authority', aa));
      // Non-minimal negative answers: the authority section is whole already; the addresses too.
      const addresses = env.config.minimal_responses ? [] : servable(s, dp.zone);
      const zoneNs = addresses.length === 0 ? undefined : addresses;
      if (zoneNs) env.cache.setContext(c.kind, c.name, q.type, zoneNs);
      q.outcome = {
        kind: c.kind, records: c.records, authority: s.authority, name: c.name, zone: dp.zone, server: q.server, ...(zoneNs ? { zoneNs } : {}),
      };
      return 'finished';
    }
  }
}

/**
 * DNS-rebinding protection before caching (resolver.private_addresses): a client question's own
 * task (depth 0) drops the private addresses of public names from its answer; undefined when that
 * leaves the question's type without data (SERVFAIL, as Unbound ends), or when a signed set lost
 * records: what is left is no longer the set its RRSIG signs, and validating it would blame the
 * server (bogus, and the server avoided for the zone) for Ward's own policy. A sub-query (depth > 0)
 * is a name server address lookup and keeps them, so Ward still reaches servers at private
 * addresses; what it caches that way is filtered again where answers leave the resolver (create-resolver.ts).
 */
function withoutPrivateAddresses(q: QueryState, env: IterEnv, records: Record[]): Record[] | undefined {
  if (!env.privateAddresses || q.task.depth > 0) return records;
  const f = env.privateAddresses.filter(records);
  const signedSetCut = records.some((rr) => rr.type === 'RRSIG' && !f.kept.includes(rr));
  return emptied(f, q.type) || signedSetCut ? undefined : f.kept;
}

/** What a positive answer's authority section passes on: the zone's NS set, and an SOA if the server sent one. */
const CONTEXT_TYPES = new Set(['NS', 'SOA']);

/**
 * The scrubbed NS and SOA sets of the reply's authority section (with their RRSIGs) and the server
 * addresses it carried: what a non-minimal answer adds (resolver.minimal_responses off; Unbound's
 * minimal-responses: no passes the scrubbed authority section on the same way). An answer that is
 * itself an NS set gets its servers' addresses (RFC 1035 §3.3.11 additional section processing).
 */
function zoneContext(s: Scrubbed, zone: string): Record[] | undefined {
  const ns = s.authority.filter((rr) => CONTEXT_TYPES.has(rr.type) || (rr.type === 'RRSIG' && CONTEXT_TYPES.has(setType(rr))));
  const context = [...ns, ...servable(s, zone)];
  return context.length > 0 ? context : undefined;
}

/**
 * The reply's server addresses that clients may see: those inside the answering zone. With
 * resolver.harden_glue off, glue outside it is kept for reaching the servers but never passed on
 * (Unbound's store_rrset keeps such data for its own use only): the zone's server cannot speak for it.
 */
function servable(s: Scrubbed, zone: string): Record[] {
  return s.additional.filter((rr) => isSubdomain(ownerOf(rr), zone));
}

/** Whether this reply is the recursion-lame answer taken as the last resort (iter-query-targets.ts). */
function acceptedLame(q: QueryState, dp: Delegation): boolean {
  const kept = q.recursionLame;
  return kept !== undefined && kept.accepted && kept.zone === dp.zone;
}

function lame(q: QueryState, env: IterEnv, dp: Delegation): IterState {
  if (q.server) env.upstream.markLame(q.server, dp.zone);
  noteFailure(q, 'lame server');
  return 'queryTargets';
}

function referral(q: QueryState, env: IterEnv, s: Scrubbed, zone: string, ns: Record[], aa: boolean): IterState {
  const over = q.task.budget.spend('referral');
  if (over) return fail(q, EDE.OTHER, over);
  storeDelegationData(env.cache, s, aa);
  storeReferralDenial(env.cache, s, zone);
  // Names below a DoT-only forward zone stay off cleartext even when its servers refer elsewhere.
  q.dp = delegationFromNs(env, zone, ns, s.additional, 'referral', (q.dp as Delegation).requireTls);
  return 'queryTargets';
}

function minimised(q: QueryState, env: IterEnv, s: Scrubbed, c: ResponseClass, aa: boolean): IterState {
  const dp = q.dp as Delegation;
  const name = q.qout.name;
  if (c.kind === 'answer' && aa && c.records.every((rr) => rr.type === 'NS' && ownerOf(rr) === name)
      && name !== dp.zone && isSubdomain(name, dp.zone)) {
    // The minimised NS question found a zone cut the server is also authoritative for.
    storeRecords(env.cache, c.records, rankOf('answer', aa));
    storeDelegationData(env.cache, s, aa);
    q.dp = delegationFromNs(env, name, c.records, s.additional, 'referral', dp.requireTls);
    return 'queryTargets';
  }
  // An authoritative NODATA: the name is in the zone asked, not cut from it (a cut gets a referral).
  // Cached for the type asked, so later queries for names below it skip this label instead of
  // asking it again (RFC 9156 §2.3; Unbound keeps the same fact).
  if (c.kind === 'nodata' && aa && !c.selfReferral) {
    env.cache.storeNegative('nodata', name, q.qout.type, s.authority, rankOf('authority', aa));
  }
  // Anything else (an empty non-terminal, NXDOMAIN, a CNAME, non-authoritative data): stop
  // minimising and ask the full name (Knot Resolver; Unbound's relaxed mode for errors).
  q.minimise = false;
  return 'queryTargets';
}
