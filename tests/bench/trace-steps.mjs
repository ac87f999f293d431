// Where the app's time goes in each step, from a Chromium trace (not a test: it prints what each thread
// did and never fails on it).
//
//   node tests/bench/trace-steps.mjs --file F.csv [--dist dist] [--trace /tmp/trace.json]
//
// Runs the benchmark's flow once through the real UI of the release build (file chosen as soon as the page
// is interactive, Find variables, the benchmark's columns ticked, Segment), with Chromium's tracing on, and
// prints for each step (by the page's own clock, as tests/bench/app.bench.mjs times it):
//   - how long each thread was busy in it: the page's main thread and each worker (engine, catalog,
//     warm-up: a worker's role is told by what it did, the engine's being the one busiest while segmenting
//     and the catalog's the other one busiest while Find variables searched);
//   - the thread's tasks of 4 ms or more, in time order, with what they ran (a message handled, a timer,
//     a layout), so that a request found waiting behind another task shows as such.
// The trace is written to --trace for chrome://tracing or Perfetto.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serve, DIST } from '../e2e/harness.mjs';
import { watchPageClock } from './page-clock.mjs';

const args = new Map();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const dist = resolve(args.get('dist') ?? DIST);
const file = args.get('file');
const tracePath = args.get('trace') ?? '/tmp/audience-trace.json';
if (!file) {
  console.error('usage: node tests/bench/trace-steps.mjs --file F.csv [--dist dist] [--trace /tmp/trace.json]');
  process.exit(2);
}
// The benchmark's columns and description (tests/bench/app.bench.mjs).
const COLUMNS = ['age', 'gender', 'state', 'industry', 'income', 'tenure', 'education', 'channel', 'visits', 'spend', 'rating', 'newsletter'];
const QUERY = 'high income customers who visit often and spend a lot';
const TASK = 'ThreadControllerImpl::RunTask';

const server = await serve(dist);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true });
// Chromium's own start-up work (its omnibox WebUI renderer) done before the page starts, as app.bench.mjs does.
await new Promise((ok) => setTimeout(ok, 2000));
let marks;
let anchor;
try {
  const page = await (await browser.newContext()).newPage();
  await watchPageClock(page);
  await browser.startTracing(page, {
    path: tracePath,
    categories: ['toplevel', 'v8.execute', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', '__metadata'],
  });
  await page.goto(server.url);
  await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached' });
  await page.locator('#file-input').setInputFiles(file);
  await page.locator('#row-count').waitFor({ timeout: 600000 });
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 120000 });
  await page.locator('#audience-query').fill(QUERY);
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 120000 });
  const offered = await page.locator('#column-choices tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.column));
  for (const column of offered) {
    await page.locator(`#column-choices tbody tr[data-column="${column}"] input[type=checkbox]`).setChecked(COLUMNS.includes(column));
  }
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor({ timeout: 600000 });
  await page.waitForFunction(() => window.__marks.results !== undefined);
  marks = await page.evaluate(() => window.__marks);
  // A user-timing mark ties the page's clock (performance.now) to the trace's.
  anchor = await page.evaluate(() => { const now = performance.now(); performance.mark('audience-trace-anchor'); return now; });
  await browser.stopTracing();
} finally {
  await browser.close();
  server.close?.();
}

const parsed = JSON.parse(readFileSync(tracePath, 'utf8'));
const events = parsed.traceEvents ?? parsed;
const threadNames = new Map();
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
const anchorEvent = events.find((e) => e.name === 'audience-trace-anchor');
const origin = anchorEvent.ts - anchor * 1000; // the trace's µs at the page's performance.now() = 0
const threadOf = (e) => `${threadNames.get(`${e.pid}:${e.tid}`) ?? 'thread'} ${e.tid}`;
const watched = (name) => /CrRendererMain|DedicatedWorker|ServiceWorker/.test(name);
const steps = [
  ['file chosen → rows shown', 'file', 'rows'],
  ['Find variables → shown', 'find-variables', 'suggested'],
  ['Segment → results shown', 'run-segmentation', 'results'],
];
const ms = (us) => Math.round(us / 1000);

/** Each watched thread's busy time (µs) between two page-clock marks. */
function busyBetween(from, to) {
  const start = origin + marks[from] * 1000;
  const end = origin + marks[to] * 1000;
  const busy = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== TASK || !e.dur) continue;
    const thread = threadOf(e);
    if (!watched(thread)) continue;
    const overlap = Math.min(e.ts + e.dur, end) - Math.max(e.ts, start);
    if (overlap > 0) busy.set(thread, (busy.get(thread) ?? 0) + overlap);
  }
  return busy;
}
// The workers' roles, told by what they did: the engine worker is the one busiest while segmenting, the
// catalog's the other one busiest while Find variables searched; any other is the warm-up worker.
const busiest = (busy, except = []) => [...busy]
  .filter(([thread]) => /DedicatedWorker/.test(thread) && !except.includes(thread))
  .sort((a, b) => b[1] - a[1])[0]?.[0];
const engineThread = busiest(busyBetween('run-segmentation', 'results'));
const catalogThread = busiest(busyBetween('find-variables', 'suggested'), [engineThread]);
const role = (thread) => {
  if (thread === engineThread) return `engine worker (${thread})`;
  if (thread === catalogThread) return `catalog worker (${thread})`;
  if (/DedicatedWorker/.test(thread)) return `warm-up worker (${thread})`;
  if (/CrRendererMain/.test(thread)) return `page (${thread})`;
  return thread;
};
for (const [label, from, to] of steps) {
  const start = origin + marks[from] * 1000;
  const end = origin + marks[to] * 1000;
  console.log(`\n${label}: ${ms(end - start)} ms (page's clock ${ms(marks[from] * 1000)} → ${ms(marks[to] * 1000)} ms)`);
  const busy = new Map();
  const tasks = [];
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== TASK || !e.dur) continue;
    const thread = threadOf(e);
    if (!watched(thread)) continue;
    const overlap = Math.min(e.ts + e.dur, end) - Math.max(e.ts, start);
    if (overlap <= 0) continue;
    busy.set(thread, (busy.get(thread) ?? 0) + overlap);
    if (e.dur >= 4000) tasks.push(e);
  }
  for (const [thread, us] of [...busy].sort((a, b) => b[1] - a[1])) console.log(`  busy ${ms(us)} ms  ${role(thread)}`);
  tasks.sort((a, b) => a.ts - b.ts);
  for (const task of tasks) {
    // What the task ran: its longest events below the task itself.
    const inside = events
      .filter((e) => e.tid === task.tid && e.ph === 'X' && e !== task && e.name !== TASK && e.ts >= task.ts && e.ts < task.ts + task.dur && e.dur >= task.dur * 0.3)
      .map((e) => e.name)
      .filter((name, i, all) => all.indexOf(name) === i)
      .slice(0, 3)
      .join(' > ');
    console.log(`    ${ms(task.ts - origin)} ms +${ms(task.dur)} ms  ${role(threadOf(task))}  ${inside}`);
  }
}
console.log(`\ntrace: ${tracePath}`);
process.exit(0);
