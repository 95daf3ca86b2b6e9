/**
 * The scenario replay machinery on its own, without the resolver: the .rpl parser, Deckard's match
 * rules, the scripted network behind the real upstream (UDP, TC → TCP, do_not_answer, unscripted
 * servers) and the client path through the real server code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/index.js';
import { silentLogger } from '../../src/log/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { createUpstream } from '../../src/upstream/index.js';
import {
  decodeMessage, edeOption, makeOpt, optAsRecord, parseRecord, rdataOf, FLAG, MalformedMessage, type Message,
} from '../../src/wire/index.js';
import { MemoryNet } from '../helpers/memory-net.js';
import { parseRpl } from './rpl-parse.js';
import { mismatch } from './rpl-match.js';
import { ScenarioNetwork } from './scenario-network.js';
import { scenarioSetup } from './scenario-config.js';
import { clientQueryBytes, createClientPath } from './client-path.js';
import { runScenario } from './harness.js';

const RPL = `; header
	stub-addr: 193.0.14.129 	# K.ROOT-SERVERS.NET.
	query-minimization: off
	do-ip6: no
	val-override-date: "20200101000000"
	trust-anchor: ". 3600 IN DS 20326 8 2 ( E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D )"
CONFIG_END

SCENARIO_BEGIN machinery test

RANGE_BEGIN 0 100
	ADDRESS 193.0.14.129
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR NOERROR
SECTION QUESTION
tc. IN A
SECTION AUTHORITY
tc. IN NS ns.tc.
SECTION ADDITIONAL
ns.tc. IN A 192.0.2.10
ENTRY_END
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST do_not_answer
REPLY QR NOERROR
SECTION QUESTION
silent. IN A
ENTRY_END
ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR NOERROR
SECTION QUESTION
noid. IN A
ENTRY_END
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST raw_id
RAW
0000 8400 0001 0001 0000 0000 03726177 00 0001 0001 c00c 0001 0001 0000012c 0004 c0000201
ENTRY_END
RANGE_END

RANGE_BEGIN 0 100
	ADDRESS 192.0.2.10
ENTRY_BEGIN
MANDATORY
MATCH opcode qtype qname udp
ADJUST copy_id
REPLY QR AA TC NOERROR
SECTION QUESTION
tc. IN A
ENTRY_END
ENTRY_BEGIN
MATCH opcode qtype qname tcp
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
tc. IN A
SECTION ANSWER
tc. 300 IN A 10.20.30.40
ENTRY_END
RANGE_END

STEP 1 QUERY
ENTRY_BEGIN
REPLY RD DO
SECTION QUESTION
tc. IN A
ENTRY_END

STEP 2 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
tc. IN A
SECTION ANSWER
TC. 5 IN A 10.20.30.40
ENTRY_END

STEP 3 TIME_PASSES ELAPSE 10
SCENARIO_END
`;

function decoded(bytes: Buffer): Message {
  const m = decodeMessage(bytes);
  assert.ok(!(m instanceof MalformedMessage));
  return m;
}

/** The real upstream on the scenario's scripted network, and a way to ask a server for (name, A). */
function scriptedUpstream(sc: ReturnType<typeof parseRpl>) {
  const script = new ScenarioNetwork(sc);
  const net = new MemoryNet(script);
  const config = { ...defaultConfig().upstream, tls: 'off' as const, timeout_ms: 100, ipv6: false };
  const upstream = createUpstream({ exchanger: net, clock: new ManualClock(0), log: silentLogger(), config });
  const ask = (name: string, address: string) =>
    upstream.query({ name, type: 'A', server: { address, port: 53 }, dnssecOk: false, cd: false, rd: false });
  return { script, net, upstream, ask };
}

test('the .rpl parser reads header, ranges, entries and steps', () => {
  const sc = parseRpl(RPL, 'inline.rpl');
  assert.equal(sc.title, 'machinery test');
  assert.equal(sc.ranges.length, 2);
  assert.deepEqual(sc.ranges[1].addresses, ['192.0.2.10']);
  assert.deepEqual([...sc.ranges[1].entries[0].match].sort(), ['opcode', 'qname', 'qtype', 'udp']);
  assert.ok(sc.ranges[0].entries[1].adjust.has('do_not_answer'));
  assert.deepEqual(sc.ranges[1].entries.map((e) => e.mandatory), [true, false]);
  assert.deepEqual(sc.steps.map((s) => `${s.id} ${s.type}`), ['1 QUERY', '2 CHECK_ANSWER', '3 TIME_PASSES']);
  assert.equal(sc.steps[2].elapse, 10);
  const check = sc.steps[1].entry!;
  assert.equal(check.flags, FLAG.QR | FLAG.RD | FLAG.RA);
  assert.ok(check.match.has('answer') && check.match.has('flags') && !check.match.has('all'));
  assert.ok(sc.steps[0].entry!.do);
  const setup = scenarioSetup(sc);
  assert.equal(setup.startMs, Date.UTC(2020, 0, 1));
  assert.equal(setup.resolver.qname_minimisation, false);
  assert.equal(setup.upstream.ipv6, false);
  assert.deepEqual(setup.rootHints, [{ name: 'K.ROOT-SERVERS.NET', addresses: ['193.0.14.129'] }]);
  assert.equal(setup.trustAnchors.length, 1);
  assert.equal(setup.trustAnchors[0].type, 'DS');
  assert.throws(() => parseRpl('CONFIG_END\nSTEP 1 QUERY\nENTRY_BEGIN\nREPLY RD\n', 'bad.rpl'), /bad.rpl:3: ENTRY_BEGIN without ENTRY_END/);
});

test('CHECK_ANSWER rules: flags as a set, TTL and owner case ignored, sections as sets of the same size', () => {
  const check = parseRpl(RPL, 'inline.rpl').steps[1].entry!;
  const answer = (flags: number, rrs: string[]): Message => ({
    id: 1, type: 'response', flags, questions: [{ name: 'tc', type: 'A', class: 'IN' }],
    answers: rrs.map((t) => parseRecord(t)), authorities: [], additionals: [],
  });
  assert.equal(mismatch(check, answer(FLAG.RD | FLAG.RA, ['tc. 1 IN A 10.20.30.40'])), undefined);
  assert.match(mismatch(check, answer(FLAG.RD | FLAG.RA | FLAG.AD, ['tc. IN A 10.20.30.40']))!, /^flags: expected "QR RD RA" got "QR RD RA AD"/);
  assert.match(mismatch(check, answer(FLAG.RD | FLAG.RA, ['tc. IN A 10.20.30.41']))!, /^answer:/);
  assert.match(mismatch(check, answer(FLAG.RD | FLAG.RA, ['tc. IN A 10.20.30.40', 'tc. IN A 10.20.30.40']))!, /^answer:/);
  assert.match(mismatch(check, answer(FLAG.RD | FLAG.RA | 2, ['tc. IN A 10.20.30.40']))!, /^rcode: expected 0 got 2/);
});

test('testbound checks: all_noedns is all, ede=N and ede=any look at the Extended DNS Errors', () => {
  const sc = parseRpl(`CONFIG_END
SCENARIO_BEGIN ede
STEP 1 CHECK_ANSWER
ENTRY_BEGIN
MATCH all_noedns ede=22
REPLY QR RD RA SERVFAIL
SECTION QUESTION
x. IN A
ENTRY_END
STEP 2 CHECK_ANSWER
ENTRY_BEGIN
MATCH rcode ede=any
REPLY QR RD RA SERVFAIL
SECTION QUESTION
x. IN A
ENTRY_END
SCENARIO_END
`, 'ede.rpl');
  const [exact, any] = sc.steps.map((st) => st.entry!);
  assert.ok(exact.match.has('flags') && exact.match.has('additional') && !exact.match.has('all_noedns'));
  const servfail = (codes: number[]): Message => ({
    id: 1, type: 'response', flags: FLAG.RD | FLAG.RA | 2, questions: [{ name: 'x', type: 'A', class: 'IN' }], answers: [], authorities: [],
    additionals: [optAsRecord(makeOpt(1232, false, codes.map((c) => edeOption(c))))],
  });
  assert.equal(mismatch(exact, servfail([22])), undefined);
  assert.match(mismatch(exact, servfail([9]))!, /^ede: expected 22 got \[9\]/);
  assert.equal(mismatch(any, servfail([6])), undefined);
  assert.match(mismatch(any, servfail([]))!, /^ede: expected any/);
});

test('the scripted network behind the real upstream: referral, TC then TCP, silence, unknown addresses, unscripted servers', async () => {
  const { script, net, upstream, ask } = scriptedUpstream(parseRpl(RPL, 'inline.rpl'));
  try {
    const referral = await ask('tc', '193.0.14.129');
    assert.equal(referral.kind, 'reply');
    assert.equal(referral.kind === 'reply' && referral.message.authorities[0].type, 'NS');

    assert.equal(script.unfiredMandatory().length, 1);
    const answer = await ask('tc', '192.0.2.10');
    assert.deepEqual(script.unfiredMandatory(), [], 'the MANDATORY entry answered');
    assert.equal(answer.kind, 'reply');
    assert.equal(answer.kind === 'reply' && answer.transport, 'tcp');
    assert.equal(answer.kind === 'reply' && answer.message.answers.length, 1);
    assert.deepEqual(net.sent.filter((s) => s.to.host === '192.0.2.10').map((s) => s.transport), ['udp', 'tcp']);

    const raw = await ask('raw', '193.0.14.129');
    assert.equal(raw.kind === 'reply' && raw.message.answers.length, 1, 'RAW reply with the ID patched in');
    // A reply without ADJUST copy_id carries ID 0: like the real core, the network drops it.
    const noid = await ask('noid', '193.0.14.129');
    assert.equal(noid.kind, 'fail');

    const started = performance.now();
    const silent = await ask('silent', '193.0.14.129');
    assert.equal(silent.kind, 'fail');
    assert.ok(performance.now() - started >= 90, 'waited for the timeout');
    assert.deepEqual(net.problems, []);

    // Deckard's "unknown address, select any match": an address no RANGE lists is answered by the
    // first range valid for the step (here the root's referral), not by the one serving tc.
    const unknown = await ask('tc', '198.51.100.7');
    assert.equal(unknown.kind === 'reply' && unknown.message.authorities[0].type, 'NS');
    assert.deepEqual(net.problems, []);
    script.currentStep = 101; // past every range, with no REPLY step left
    await ask('tc', '198.51.100.7');
    assert.equal(net.problems.length > 0, true);
    assert.match(net.problems[0], /tc A to 198\.51\.100\.7#53 .* no server scripted there/);
  } finally {
    await net.close();
    await upstream.settle();
  }
});

test('client queries go through the real server path: EDNS with DO, RD echoed, RA set', async () => {
  const sc = parseRpl(RPL, 'inline.rpl');
  const seen: unknown[] = [];
  const client = createClientPath((q) => {
    seen.push(q.flags);
    return { rcode: 0, answer: [parseRecord('tc. 300 IN A 10.20.30.40')], authority: [], additional: [], authenticated: false };
  }, new ManualClock(0));
  const out = await client(clientQueryBytes(sc.steps[0].entry!, 4242), 1000);
  assert.equal(out.kind, 'reply');
  const msg = decoded(out.kind === 'reply' ? out.bytes : Buffer.alloc(0));
  assert.deepEqual(seen, [{ rd: true, cd: false, ad: false, do: true }]);
  assert.equal(msg.id, 4242);
  assert.equal(mismatch(sc.steps[1].entry!, msg), undefined);
  assert.ok(msg.additionals.some((rr) => rr.type === 'OPT'));
  const raw = await client(Buffer.from('b5c9ca3d50104320f4120000000000000000', 'hex'), 1000);
  assert.notEqual(raw.kind, 'timeout');
});

/** A file in the dialect of Unbound's testbound: config clauses, COMMANDLINE, FLAGS, HEX_ANSWER, no copy_id. */
const TESTBOUND = `; config options
server:
	target-fetch-policy: "0 0 0 0 0"
	val-override-date: "1437625000"
COMMANDLINE -v

AUTOTRUST_FILE example.com
example.com. 3600 IN DS 1 8 2 00
AUTOTRUST_END
stub-zone:
	name: "."
	stub-addr: 193.0.14.129 	# K.ROOT-SERVERS.NET.
CONFIG_END

SCENARIO_BEGIN testbound dialect

RANGE_BEGIN 0 100
	ADDRESS 193.0.14.129
ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR NOERROR
SECTION QUESTION
first. IN A
SECTION ANSWER
first. IN A 192.0.2.1
ENTRY_END
RANGE_END

RANGE_BEGIN 0 100
	ADDRESS 193.0.14.129
ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR NOERROR
SECTION QUESTION
second. IN A
SECTION ANSWER
HEX_ANSWER_BEGIN
	0000 8000 0001 0001 0000 0000
	06736563 6f6e6400 0001 0001 c00c 0001 0001 0000012c 0004 c0000202
HEX_ANSWER_END
ENTRY_END
RANGE_END

STEP 1 QUERY
ENTRY_BEGIN
FLAGS RD
SECTION QUESTION
first. IN A
ENTRY_END
SCENARIO_END
`;

test('testbound files: config clauses and file blocks, FLAGS, HEX_ANSWER, every range tried, IDs bound to queries', async () => {
  const sc = parseRpl(TESTBOUND, 'testbound.rpl');
  assert.equal(sc.dialect, 'testbound');
  assert.equal(parseRpl(RPL, 'inline.rpl').dialect, 'deckard');
  assert.equal(sc.steps[0].entry!.flags, FLAG.RD, 'FLAGS is REPLY');
  assert.ok(sc.ranges[1].entries[0].raw, 'HEX_ANSWER is RAW');
  const setup = scenarioSetup(sc);
  assert.equal(setup.startMs, 1437625000 * 1000, 'val-override-date in POSIX seconds');
  assert.deepEqual(setup.rootHints, [{ name: 'K.ROOT-SERVERS.NET', addresses: ['193.0.14.129'] }]);
  assert.equal(setup.resolver.qname_minimisation, false, 'testbound files minimise only when they say so');
  const stub = scenarioSetup(parseRpl(TESTBOUND.replace('name: "."', 'name: "example.com."'), 'stub.rpl'));
  assert.deepEqual(stub.stubZones, [{ name: 'example.com.', addresses: ['193.0.14.129'], hosts: [], first: false }], 'a stub-zone below the root is a stub zone');
  assert.deepEqual(stub.rootHints, [{ name: 'K.ROOT-SERVERS.NET', addresses: ['193.0.14.129'] }], 'its stub-name is no root hint');

  const { net, upstream, ask } = scriptedUpstream(sc);
  try {
    const first = await ask('first', '193.0.14.129');
    assert.equal(first.kind === 'reply' && first.message.answers.length, 1, 'the ID is the query\'s without copy_id');
    const second = await ask('second', '193.0.14.129');
    assert.equal(second.kind === 'reply' && String(rdataOf(second.message.answers[0])), '192.0.2.2', 'found in the second range');
    assert.deepEqual(net.problems, []);
    await ask('first', '198.51.100.7');
    assert.match(net.problems[0] ?? '', /no server scripted there/, 'testbound matches addresses strictly, unknown ones too');
  } finally {
    await net.close();
    await upstream.settle();
  }
});

/** A client question for www.example.com A, and its answer, as the testbound files below write them. */
const WWW_A_ANSWER = `SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A 192.0.2.80
ENTRY_END`;
const WWW_A_QUERY = `ENTRY_BEGIN
REPLY RD
SECTION QUESTION
www.example.com. IN A
ENTRY_END`;

const TESTBOUND_FORWARD = `; one-line zone clause, and a STEP ERROR for the forwarded query
forward-zone: name: "." forward-addr: 192.0.2.53
CONFIG_END
SCENARIO_BEGIN forwarder error
STEP 1 QUERY
${WWW_A_QUERY}
STEP 2 ERROR
STEP 3 REPLY
ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR RD RA NOERROR
${WWW_A_ANSWER}
SCENARIO_END
`;

test('testbound files: several key: value pairs on a line, no CONFIG_END, STEP ERROR fails one upstream query', async () => {
  const sc = parseRpl(TESTBOUND_FORWARD, 'forward.rpl');
  assert.deepEqual(sc.config, [['forward-zone', ''], ['name', '.'], ['forward-addr', '192.0.2.53']]);
  assert.deepEqual(scenarioSetup(sc).forwardZones, [{ name: '.', addresses: ['192.0.2.53'], hosts: [], tls: false, first: false }]);
  const bare = parseRpl(TESTBOUND_FORWARD.replace(/^[^]*CONFIG_END\n/, '; no config\n'), 'bare.rpl');
  assert.deepEqual(bare.config, []);
  assert.deepEqual(bare.steps.map((s) => `${s.id} ${s.type}`), ['1 QUERY', '2 ERROR', '3 REPLY']);

  assert.deepEqual(await forwardedTwice(sc), ['error', 'reply'], 'the ERROR step fails the first query, the REPLY step answers the next');
});

test('testbound zone blocks: a forward-zone below the root, forward-host / stub-host as hosts, forward-first / stub-first as first', () => {
  const sc = parseRpl(`server:
\tqname-minimisation: no
forward-zone:
\tname: "fwd.example."
\tforward-addr: 192.0.2.1
\tforward-first: yes
forward-zone:
\tname: "named.example."
\tforward-host: "dns.example.net."
stub-zone:
\tname: "stub.example."
\tstub-addr: 192.0.2.2@53
\tstub-addr: 192.0.2.3
\tstub-first: yes
stub-zone:
\tname: "plain.example."
\tstub-addr: 192.0.2.4
\tstub-host: ns.example.net.
CONFIG_END
SCENARIO_BEGIN zone blocks
STEP 1 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
www.fwd.example. IN A
ENTRY_END
SCENARIO_END
`, 'zones.rpl');
  const setup = scenarioSetup(sc);
  assert.deepEqual(setup.forwardZones, [
    { name: 'fwd.example.', addresses: ['192.0.2.1'], hosts: [], tls: false, first: true },
    { name: 'named.example.', addresses: [], hosts: ['dns.example.net.'], tls: false, first: false },
  ]);
  assert.deepEqual(setup.stubZones, [
    { name: 'stub.example.', addresses: ['192.0.2.2', '192.0.2.3'], hosts: [], first: true },
    { name: 'plain.example.', addresses: ['192.0.2.4'], hosts: ['ns.example.net.'], first: false },
  ]);
});

/**
 * Asks the forwarder of TESTBOUND_FORWARD twice at step 1: the first query fails (the step after
 * the query decides how), the REPLY step must answer the second. The outcomes of both.
 */
async function forwardedTwice(sc: ReturnType<typeof parseRpl>): Promise<string[]> {
  const { script, net, upstream, ask } = scriptedUpstream(sc);
  try {
    script.currentStep = 1;
    assert.equal((await ask('www.example.com', '192.0.2.53')).kind, 'fail');
    const answered = await ask('www.example.com', '192.0.2.53');
    assert.equal(answered.kind === 'reply' && String(rdataOf(answered.message.answers[0])), '192.0.2.80');
    return net.sent.map((s) => s.outcome);
  } finally {
    await net.close();
    await upstream.settle();
  }
}

test('testbound files: a TTL in a question line is ignored, STEP TIMEOUT lets one upstream query time out, serve-expired options map to the cache', async () => {
  const text = TESTBOUND_FORWARD
    .replace('forward-zone:', 'server:\n\tserve-expired: yes\n\tserve-expired-client-timeout: 250\n\tserve-expired-ttl: 7\n'
      + '\tserve-expired-ttl-reset: yes\n\tserve-original-ttl: yes\nforward-zone:')
    .replace('STEP 2 ERROR', 'STEP 2 TIMEOUT')
    .replace('SECTION QUESTION\nwww.example.com. IN A\nSECTION ANSWER', 'SECTION QUESTION\nwww.example.com. 10 IN A\nSECTION ANSWER');
  const sc = parseRpl(text, 'timeout.rpl');
  assert.deepEqual(sc.steps[2].entry?.question, [{ name: 'www.example.com', type: 'A', class: 'IN' }]);
  const { cache } = scenarioSetup(sc);
  assert.deepEqual([cache.serve_stale, cache.stale_client_timeout_ms, cache.stale_max_ttl, cache.stale_ttl_reset, cache.serve_original_ttl],
    [true, 250, 7, true, true]);
  assert.equal(scenarioSetup(parseRpl(TESTBOUND_FORWARD, 'f.rpl')).cache.stale_client_timeout_ms, 0, 'Unbound before 1.23: 0 unless said');

  assert.deepEqual(await forwardedTwice(sc), ['timeout', 'reply'], 'the TIMEOUT step leaves the first query unanswered');
});

const TESTBOUND_PREFETCH_LAST = `server:
	prefetch: yes
stub-zone:
	name: "example.com"
	stub-addr: 192.0.2.4
CONFIG_END
SCENARIO_BEGIN the last answer starts a prefetch no range scripts
RANGE_BEGIN 0 10
	ADDRESS 192.0.2.4
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. 100 IN A 192.0.2.80
ENTRY_END
RANGE_END
STEP 1 QUERY
${WWW_A_QUERY}
STEP 2 TIME_PASSES ELAPSE 95
STEP 20 QUERY
${WWW_A_QUERY}
STEP 21 CHECK_ANSWER
ENTRY_BEGIN
MATCH opcode qname qtype answer
${WWW_A_ANSWER}
SCENARIO_END
`;

test('testbound files end with nothing pending: a prefetch the last answer started is played out and its unscripted query fails the file', async () => {
  const r = await runScenario(parseRpl(TESTBOUND_PREFETCH_LAST, 'prefetch-last.rpl'));
  assert.equal(r.passed, false);
  assert.match(r.reason ?? '', /unscripted query www\.example\.com A to 192\.0\.2\.4#53 .* at step 2[01]: no server scripted there/);
});

/** A testbound file whose server answers only www.example.com A at once; REPLY steps answer the rest when reached. */
const TESTBOUND_HELD = `server:
	qname-minimisation: no
stub-zone:
	name: "example.com"
	stub-addr: 192.0.2.4
CONFIG_END
SCENARIO_BEGIN queries no entry answers wait for the REPLY steps
RANGE_BEGIN 0 100
	ADDRESS 192.0.2.4
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
${WWW_A_ANSWER}
RANGE_END
STEP 5 REPLY
ENTRY_BEGIN
MATCH opcode qtype
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
late.example.com. IN A
SECTION ANSWER
late.example.com. IN A 192.0.2.5
ENTRY_END
SCENARIO_END
`;

test('testbound files: a query no range entry answers is held for a later REPLY step, which answers the newest held query when reached', async () => {
  const sc = parseRpl(TESTBOUND_HELD, 'held.rpl');
  const { script, net, upstream, ask } = scriptedUpstream(sc);
  try {
    script.currentStep = 1;
    const outcomes: string[] = [];
    const older = ask('a.example.com', '192.0.2.4').then((r) => { outcomes.push(`a ${r.kind}`); return r; });
    const newer = ask('b.example.com', '192.0.2.4').then((r) => { outcomes.push(`b ${r.kind}`); return r; });
    const started = performance.now();
    await net.settled(1000);
    assert.ok(performance.now() - started < 500, 'held queries do not keep the network busy');
    assert.deepEqual(outcomes, [], 'nothing answers them before the step');
    assert.deepEqual(net.problems, []);
    assert.equal(script.unanswered().length, 2);

    script.currentStep = 5;
    script.takeHeld(sc.steps[0]);
    const answered = await newer;
    assert.equal(answered.kind === 'reply' && String(rdataOf(answered.message.answers[0])), '192.0.2.5');
    assert.deepEqual(outcomes, ['b reply'], 'testbound answers the head of its pending list: the newest query');
    assert.match(script.unanswered()[0] ?? '', /^query a\.example\.com A to 192\.0\.2\.4#53 over udp at step 1$/, 'the older one is still held');

    await ask('c.example.com', '192.0.2.4');
    assert.match(net.problems[0] ?? '', /c\.example\.com A .* no entry of RANGE at line 8 matches/, 'no step left to take it: unscripted');
    await net.close();
    assert.equal((await older).kind, 'fail');
  } finally {
    await net.close();
    await upstream.settle();
  }
});

test('Deckard files hold nothing: the same query no range entry answers is unscripted at once', async () => {
  const sc = parseRpl(TESTBOUND_HELD.replace(/^[^]*CONFIG_END\n/, 'stub-addr: 192.0.2.4\nCONFIG_END\n'), 'deckard-held.rpl');
  assert.equal(sc.dialect, 'deckard');
  const { script, net, upstream, ask } = scriptedUpstream(sc);
  try {
    script.currentStep = 1;
    await ask('late.example.com', '192.0.2.4');
    assert.match(net.problems[0] ?? '', /late\.example\.com A .* no entry of RANGE at line \d+ matches/);
    assert.deepEqual(script.unanswered(), []);
  } finally {
    await net.close();
    await upstream.settle();
  }
});

/** Entries of the file below: the server's answer, the client's question, the client's check. */
const answerA = (name: string, address: string): string => `ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
${name}. IN A
SECTION ANSWER
${name}. 10 IN A ${address}
ENTRY_END`;
const askA = (step: number, name: string): string => `STEP ${step} QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
${name}. IN A
ENTRY_END`;
const checkA = (step: number, name: string, address: string, also = ''): string => `STEP ${step} CHECK_ANSWER
ENTRY_BEGIN
MATCH opcode qname qtype answer${also}
SECTION QUESTION
${name}. IN A
SECTION ANSWER
${name}. IN A ${address}
ENTRY_END`;

/** Serve-stale with a 20 ms client timer: each expired answer is refreshed from a REPLY step. */
const TESTBOUND_STALE_REFRESH = (replySteps: number[]): string => `server:
	qname-minimisation: no
	serve-expired: yes
	serve-expired-client-timeout: 20
stub-zone:
	name: "example.com"
	stub-addr: 192.0.2.4
CONFIG_END
SCENARIO_BEGIN two refreshes wait for the REPLY steps
RANGE_BEGIN 0 100
	ADDRESS 192.0.2.4
RANGE_END
RANGE_BEGIN 0 10
	ADDRESS 192.0.2.4
${answerA('ftp.example.com', '192.0.2.21')}
${answerA('mail.example.com', '192.0.2.25')}
RANGE_END
${askA(1, 'ftp.example.com')}
${askA(2, 'mail.example.com')}
${checkA(3, 'ftp.example.com', '192.0.2.21')}
${checkA(4, 'mail.example.com', '192.0.2.25')}
STEP 10 TIME_PASSES ELAPSE 60
${askA(20, 'ftp.example.com')}
${askA(21, 'mail.example.com')}
${checkA(22, 'ftp.example.com', '192.0.2.21', ' ede=3')}
${checkA(23, 'mail.example.com', '192.0.2.25', ' ede=3')}
${replySteps.map((n) => `STEP ${n} REPLY
ENTRY_BEGIN
MATCH opcode qtype
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
example.com. IN A
SECTION AUTHORITY
example.com. 10 IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 10
ENTRY_END
`).join('')}SCENARIO_END
`;

test('testbound QUERY steps do not wait for answers held back by upstream queries; CHECK_ANSWER takes the next answer; a query still held at the end fails the file', async () => {
  const both = await runScenario(parseRpl(TESTBOUND_STALE_REFRESH([30, 31]), 'two-replies.rpl'));
  assert.equal(both.reason, undefined);
  assert.equal(both.passed, true);
  const one = await runScenario(parseRpl(TESTBOUND_STALE_REFRESH([30]), 'one-reply.rpl'));
  assert.equal(one.passed, false);
  assert.match(one.reason ?? '', /^query ftp\.example\.com A to 192\.0\.2\.4#53 over udp at step 20: held for a later step, never answered/);
});

/** A testbound file whose server answers www.example.com A; `steps` are its steps. */
const TESTBOUND_STEPS = (steps: string): string => `server:
	qname-minimisation: no
stub-zone:
	name: "example.com"
	stub-addr: 192.0.2.4
CONFIG_END
SCENARIO_BEGIN steps around one scripted answer
RANGE_BEGIN 0 100
	ADDRESS 192.0.2.4
${answerA('www.example.com', '192.0.2.80')}
RANGE_END
${steps}
SCENARIO_END
`;
const STRAY_REPLY = `STEP 10 REPLY
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
late.example.com. IN A
ENTRY_END`;

test('testbound files: a REPLY step reached with no pending query fails the file, as testbound\'s "No pending queries." does', async () => {
  const asked = `${askA(1, 'www.example.com')}\n${checkA(2, 'www.example.com', '192.0.2.80')}`;
  const plain = await runScenario(parseRpl(TESTBOUND_STEPS(asked), 'no-reply.rpl'));
  assert.equal(plain.reason, undefined);
  const stray = await runScenario(parseRpl(TESTBOUND_STEPS(`${asked}\n${STRAY_REPLY}`), 'stray-reply.rpl'));
  assert.equal(stray.passed, false);
  assert.match(stray.reason ?? '', /^step 10 \(line \d+\): REPLY step with no pending query to answer/);
});

test('testbound files: an answer no CHECK_ANSWER took fails the file, as testbound\'s "there are unmatched answers" does', async () => {
  const twice = `${askA(1, 'www.example.com')}\n${askA(2, 'www.example.com')}\n${checkA(3, 'www.example.com', '192.0.2.80')}`;
  const both = await runScenario(parseRpl(TESTBOUND_STEPS(`${twice}\n${checkA(4, 'www.example.com', '192.0.2.80')}`), 'both-checked.rpl'));
  assert.equal(both.reason, undefined);
  const one = await runScenario(parseRpl(TESTBOUND_STEPS(twice), 'one-checked.rpl'));
  assert.equal(one.passed, false);
  assert.match(one.reason ?? '', /^step \d \(line \d+\): its answer was taken by no CHECK_ANSWER/);
});

test('Deckard files fail on an unscripted query even when every check matches, as deckard.py does ("the scenario does not define all necessary answers")', async () => {
  const deckard = (steps: string): string => TESTBOUND_STEPS(steps).replace(/^[^]*CONFIG_END\n/, 'stub-addr: 192.0.2.4\nquery-minimization: off\nCONFIG_END\n');
  const right = `${askA(1, 'www.example.com')}\n${checkA(2, 'www.example.com', '192.0.2.80')}`;
  const scripted = await runScenario(parseRpl(deckard(right), 'deckard-scripted.rpl'));
  assert.equal(scripted.reason, undefined);
  const unscripted = await runScenario(parseRpl(deckard(`${right}\n${askA(3, 'ftp.example.com')}`), 'deckard-unscripted.rpl'));
  assert.equal(unscripted.passed, false);
  assert.match(unscripted.reason ?? '', /^unscripted query ftp\.example\.com A to 192\.0\.2\.4#53 .* no entry of RANGE at line \d+ matches/);
});
