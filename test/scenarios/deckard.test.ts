/**
 * Plays every Deckard scenario in ../shared/scenarios/deckard/ (read in place, never copied) and our
 * own in test/scenarios/cases/. Every iter_* scenario and every one of ours must pass (one test
 * each); any other scenario must pass unless test/scenarios/known-failures.txt lists it (a new
 * failure is a regression). Known failures run as `todo` subtests so the report still shows them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT, SHARED_DIR } from '../helpers/paths.js';
import { runScenarioFile, type ScenarioResult } from './harness.js';
import { knownFailures, scenarioFiles } from './scenario-files.js';

/** Wall time one scenario may take (dead servers included). */
const SCENARIO_BUDGET_MS = 8000;
const DECKARD_DIR = join(SHARED_DIR, 'scenarios', 'deckard');
const CASES_DIR = join(REPO_ROOT, 'test', 'scenarios', 'cases');

const known = knownFailures();

async function play(t: { test: (name: string, opts: { todo?: string }, fn: () => Promise<void>) => Promise<void> },
  file: string, mustPass: boolean, tally: ScenarioResult[]): Promise<void> {
  const name = basename(file);
  const reason = mustPass ? undefined : known.get(name);
  await t.test(name, { todo: reason }, async () => {
    const r = await runScenarioFile(file);
    tally.push(r);
    assert.ok(r.passed, r.reason);
    assert.ok(r.ms < SCENARIO_BUDGET_MS, `took ${Math.round(r.ms)} ms`);
  });
}

test('our own scenarios (test/scenarios/cases)', async (t) => {
  const files = existsSync(CASES_DIR) ? scenarioFiles([CASES_DIR]) : [];
  const tally: ScenarioResult[] = [];
  for (const f of files) await play(t, f, true, tally);
  t.diagnostic(`${tally.filter((r) => r.passed).length} passed, ${tally.filter((r) => !r.passed).length} failed`);
});

const deckardFiles = existsSync(DECKARD_DIR) ? scenarioFiles([DECKARD_DIR]) : [];
const isIter = (f: string): boolean => basename(f).startsWith('iter_');

if (deckardFiles.length === 0) {
  process.stdout.write(`# ${DECKARD_DIR} is absent: the shared Deckard scenarios are skipped\n`);
  test('Deckard scenarios', { skip: `${DECKARD_DIR} is absent` }, () => {});
} else {
  test('Deckard iter_* scenarios all pass', async (t) => {
    const tally: ScenarioResult[] = [];
    for (const f of deckardFiles.filter(isIter)) await play(t, f, true, tally);
    t.diagnostic(`${tally.filter((r) => r.passed).length} passed, ${tally.filter((r) => !r.passed).length} failed`);
  });

  test('other Deckard scenarios pass or are listed in known-failures.txt', async (t) => {
    const tally: ScenarioResult[] = [];
    for (const f of deckardFiles.filter((f) => !isIter(f))) await play(t, f, false, tally);
    const passed = tally.filter((r) => r.passed);
    const fixed = passed.map((r) => basename(r.file)).filter((n) => known.has(n));
    t.diagnostic(`${passed.length} passed, ${tally.length - passed.length} failed`);
    if (fixed.length > 0) t.diagnostic(`now passing, remove from known-failures.txt: ${fixed.join(' ')}`);
  });
}
