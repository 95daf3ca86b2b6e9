/**
 * A real browser for page tests: headless Chromium from Debian (package `chromium`, installed by
 * .ci/run). Loads a URL, lets its scripts run for a budget of virtual time (the fetches and the
 * rendering they start), and returns the DOM as it then is; a second run takes a screenshot. A
 * missing browser is an error naming the package, never a skip: CI installs it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTempDir } from './lab-process.js';

const BROWSER = 'chromium';

/** Where tests keep what a person may want to look at afterwards (WARD_ARTEFACTS, or under the temp dir). */
export function artefactDir(name: string): string {
  const dir = join(process.env.WARD_ARTEFACTS ?? join(tmpdir(), 'ward-artefacts'), `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function requireBrowser(): void {
  try {
    execFileSync('sh', ['-c', `command -v ${BROWSER}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${BROWSER} is not installed: the browser tests need the Debian package 'chromium' (apt-get install chromium; .ci/run installs it)`);
  }
}

function runBrowser(args: string[], profile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(BROWSER, [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`, '--virtual-time-budget=5000', ...args,
    ], { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${BROWSER} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** The DOM of `url` after its scripts ran, and a screenshot of it written to `screenshot`. */
export async function renderPage(url: string, screenshot: string): Promise<string> {
  requireBrowser();
  const profile = makeTempDir('ward-chromium');
  try {
    const dom = await runBrowser(['--dump-dom', url], profile.dir);
    await runBrowser(['--window-size=1200,2000', '--hide-scrollbars', `--screenshot=${screenshot}`, url], profile.dir);
    return dom;
  } finally {
    profile.remove();
  }
}

/** The text of the element with `id` in a dumped DOM (one without child elements). */
export function textById(dom: string, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom);
  if (!m) throw new Error(`no element #${id} with text in the page`);
  return decodeEntities(m[1]);
}

/** The rows of the table with `id`: the text of each cell. */
export function tableRows(dom: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(dom);
  if (!table) throw new Error(`no table #${id} in the page`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1])?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => decodeEntities(cell[1].replace(/<[^>]*>/g, ''))));
}

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
