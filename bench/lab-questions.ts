/**
 * The lab-questions benchmark (`npm run bench:lab`): each resolver, freshly started (empty cache), resolves
 * every lab question (test/helpers/lab-zones.ts) through the authoritative lab with a round-trip time
 * added by delaying relays; per question it records time, correctness, and the upstream queries the
 * relays saw (UDP and TCP queries, DoT connections). DESIGN.md target: no more upstream queries per name
 * than Unbound. Prints Markdown and writes bench/results/lab-questions-<date>.md. (cold.ts does the same
 * at scale: thousands of unique names.)
 *
 *   node dist/bench/lab-questions.js [--rtt 20] [--no-write]
 */
import { startLab, type Lab, type LabTraffic } from '../test/helpers/lab.js';
import { answerView, query } from '../test/helpers/lab-query.js';
import { makeTempDir } from '../test/helpers/lab-process.js';
import { LAB_CASES, type LabCase } from '../test/helpers/lab-zones.js';
import { publishReport, runBench } from './report.js';
import { startLabResolver, type LabResolver, type Target } from './targets.js';

interface Outcome { ms: number; ok: boolean; got: string; upstream: number; dot: number }

function total(traffic: Record<string, LabTraffic>): { queries: number; dot: number } {
  let queries = 0;
  let dot = 0;
  for (const t of Object.values(traffic)) {
    queries += t.udpQueries + t.tcpQueries;
    dot += t.dotConnections;
  }
  return { queries, dot };
}

async function runCase(lab: Lab, r: Target, c: LabCase): Promise<Outcome> {
  const before = total(lab.traffic());
  const start = performance.now();
  let got: string;
  let ok = false;
  try {
    const view = answerView(await query(r.address, r.ports.udp, c.name, c.type, { transport: 'tcp', timeoutMs: 20_000 }));
    ok = view.rcode === c.rcode && JSON.stringify(view.answers) === JSON.stringify(c.answers);
    got = view.rcode;
  } catch (err) {
    got = err instanceof Error ? err.message : String(err);
  }
  const ms = performance.now() - start;
  const after = total(lab.traffic());
  return { ms, ok, got, upstream: after.queries - before.queries, dot: after.dot - before.dot };
}

function render(rtt: number, labels: string[], results: Map<string, Outcome[]>): string {
  const head = ['| question | ' + labels.map((l) => `${l} ms | ${l} upstream q | ${l} ok`).join(' | ') + ' |',
    '|---|' + labels.map(() => '--:|--:|:-:').join('|') + '|'];
  const cellText = (o: Outcome | undefined): string => {
    if (!o) return '– | – | –';
    return `${o.ms.toFixed(0)} | ${o.upstream}${o.dot ? ` + ${o.dot} DoT` : ''} | ${o.ok ? 'yes' : `no: ${o.got}`}`;
  };
  const rows = LAB_CASES.map((c, i) =>
    `| ${c.name} ${c.type} (${c.what}) | ${labels.map((l) => cellText(results.get(l)?.[i])).join(' | ')} |`);
  const sums = labels.map((l) => {
    const list = results.get(l) ?? [];
    return `- ${l}: ${list.reduce((a, o) => a + o.upstream, 0)} upstream queries, `
      + `${list.reduce((a, o) => a + o.ms, 0).toFixed(0)} ms in all, ${list.filter((o) => o.ok).length}/${list.length} correct`;
  });
  return [
    '# Cold-cache benchmark: resolving the lab from an empty cache',
    '',
    `- date: ${new Date().toISOString()}; round-trip time added to every authority: ${rtt} ms`,
    '- questions asked one after another over TCP, in the order below, right after each resolver starts',
    '- upstream q: UDP and TCP queries the lab saw for that question; DoT: TLS connections opened',
    '',
    ...head, ...rows, '', ...sums, '',
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rttIdx = argv.indexOf('--rtt');
  const rtt = rttIdx >= 0 ? Number(argv[rttIdx + 1]) : 20;
  if (!Number.isFinite(rtt) || rtt < 0 || rtt > 500) throw new Error('--rtt needs a number of ms from 0 to 500');
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  const lab = await startLab({ rttMs: rtt });
  const results = new Map<string, Outcome[]>();
  const kinds: LabResolver[] = ['Unbound', 'Ward'];
  const tmp = makeTempDir('ward-lab-questions');
  let current: Target | undefined;
  const onSignal = (): void => { void Promise.all([current?.stop(), lab.stop()]).then(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const label of kinds) {
      current = await startLabResolver(label, lab, tmp.dir);
      const list: Outcome[] = [];
      for (const c of LAB_CASES) list.push(await runCase(lab, current, c));
      results.set(label, list);
      log(`${label}: ${list.filter((o) => o.ok).length}/${list.length} correct`);
      await current.stop();
      current = undefined;
    }
    publishReport('lab-questions', render(rtt, kinds, results), !argv.includes('--no-write'), log);
  } finally {
    await current?.stop();
    await lab.stop();
    tmp.remove();
  }
}

runBench(main);
