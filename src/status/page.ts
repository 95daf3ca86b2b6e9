/**
 * The status page (GET /): one self-contained HTML document, its style and script inline, so it
 * needs no build step and nothing from the internet. The Content-Security-Policy admits exactly
 * this script and style (by hash) and fetches from this origin only: names on the page come from
 * whoever sends queries, and must never become markup or code.
 */
import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.js';

const STYLE = `
:root { color-scheme: light dark; --ok: #3b82c4; --blocked: #d9534f; --muted: #888; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; padding: 0 1rem; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.4rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
.muted, .axis, .empty { color: var(--muted); fill: var(--muted); }
.axis { font-size: 11px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: .75rem; margin: 1rem 0; }
.card, section { border: 1px solid #8884; border-radius: 6px; padding: .75rem; }
.card .figure { font-size: 1.6rem; font-weight: 600; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: .75rem; margin-bottom: .75rem; }
section { margin-bottom: .75rem; overflow-x: auto; }
.chart { width: 100%; height: auto; }
.chart .grid { stroke: #8884; }
.bar-ok { fill: var(--ok); }
.bar-blocked { fill: var(--blocked); }
.minibar { width: 160px; height: 10px; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 2px 6px; text-align: left; white-space: nowrap; }
td.count, td.share, td.duration_ms { text-align: right; font-variant-numeric: tabular-nums; }
td.key, td.name, td.client { font-family: ui-monospace, monospace; overflow-wrap: anywhere; white-space: normal; }
tr.blocked td { color: var(--blocked); }
#error { color: var(--blocked); font-weight: 600; }
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const topSection = (id: string, title: string, what: string): string => `
<section><h2>${title}</h2>
<table id="${id}"><thead><tr><th>${what}</th><th>queries</th><th>share</th></tr></thead><tbody></tbody></table></section>`;

const barSection = (id: string, title: string): string => `
<section><h2>${title}</h2><table id="${id}"><tbody></tbody></table></section>`;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ward status</title><style>${STYLE}</style></head>
<body>
<header><h1>Ward status</h1><span id="uptime" class="muted"></span><span id="generated" class="muted"></span></header>
<p id="error" hidden></p>
<div class="cards">
<div class="card"><div class="muted">queries</div><div class="figure" id="total">-</div></div>
<div class="card"><div class="muted">blocked</div><div class="figure" id="blocked">-</div></div>
<div class="card"><div class="muted">share blocked</div><div class="figure" id="blocked-share">-</div></div>
<div class="card"><div class="muted">answered from cache</div><div class="figure" id="cache-share">-</div></div>
<div class="card"><div class="muted">upstream encrypted</div><div class="figure" id="encrypted-share">-</div></div>
</div>
<section><h2>Queries per minute, last hour <span class="muted" id="per-minute-sum"></span></h2><div id="per-minute"></div></section>
<section><h2>Queries per 10 seconds, last 10 minutes <span class="muted" id="per-ten-seconds-sum"></span></h2><div id="per-ten-seconds"></div></section>
<div class="grid2">${topSection('top-names', 'Top names', 'name')}${topSection('top-blocked', 'Top blocked names', 'name')}${topSection('top-clients', 'Top clients', 'client')}</div>
<div class="grid2">${barSection('dnssec', 'DNSSEC outcomes')}${barSection('upstream', 'Upstream queries by transport')}${barSection('rcodes', 'Answers by RCODE')}</div>
<section><h2>Recent queries</h2>
<p id="recent-off" class="muted" hidden>The query log is off (log.queries.enabled).</p>
<table id="recent" hidden><thead><tr><th>time</th><th>client</th><th>name</th><th>type</th><th>transport</th><th>rcode</th><th>source</th><th>dnssec</th><th>ms</th></tr></thead><tbody></tbody></table>
</section>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;

/** Headers for the page: no caching, no framing, only its own script and style. */
export const STATUS_PAGE_HEADERS: { [name: string]: string } = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': [
    "default-src 'none'", `script-src ${sha256(PAGE_SCRIPT)}`, `style-src ${sha256(STYLE)}`,
    "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; '),
};
