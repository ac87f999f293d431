// Where the app's time goes in each step, from a Chromium trace (not a test: it prints what each thread
// did and never fails on it).
//
//   node tests/bench/trace-steps.mjs --file F.csv [--dist dist] [--trace /tmp/trace.json] [--functions N] [--compiles N]
//
// Runs the benchmark's flow once through the real UI of the release build (file chosen as soon as the page
// is interactive, Find variables, the benchmark's columns ticked, Segment), with Chromium's tracing on, and
// prints for each step (by the page's own clock, as tests/bench/app.bench.mjs times it):
//   - how long each thread was busy in it: the page's main thread and each worker (engine, catalog,
//     warm-up: a worker's role is told by what it did, the engine's being the one busiest while segmenting
//     and the catalog's the other one busiest while Find variables searched);
//   - the thread's tasks of 4 ms or more, in time order, with what they ran (a message handled, a timer,
//     a layout), so that a request found waiting behind another task shows as such.
// With --functions N, V8's sampling profiler runs too and each step lists, per thread, the N functions
// that took the most samples in it (their own time, not their callees'). A release build's wasm has no
// function names (wasm-opt drops them): `tests/bench/with-names.sh dist /tmp/dist-names` makes a copy whose
// worker keeps them; pass --dist /tmp/dist-names.
// With --compiles N, each step also says how much CPU V8 spent compiling wasm with its optimising tier
// (TurboFan) on its background threads, which compete with the page and the workers for the cores, and
// lists the N longest of those compiles that finished in it (V8's --trace-wasm-compilation-times; a build
// from with-names.sh names the functions, a release build numbers them).
// The trace is written to --trace for chrome://tracing or Perfetto.
import { compiled } from './wasm-compile-log.mjs';
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
const functions = Number(args.get('functions') ?? 0);
const compiles = Number(args.get('compiles') ?? 0);
if (!file) {
  console.error('usage: node tests/bench/trace-steps.mjs --file F.csv [--dist dist] [--trace /tmp/trace.json] [--functions N] [--compiles N]');
  process.exit(2);
}
// The benchmark's columns and description (tests/bench/app.bench.mjs).
const COLUMNS = ['age', 'gender', 'state', 'industry', 'income', 'tenure', 'education', 'channel', 'visits', 'spend', 'rating', 'newsletter'];
const QUERY = 'high income customers who visit often and spend a lot';
const TASK = 'ThreadControllerImpl::RunTask';

const server = await serve(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: compiles > 0 ? ['--js-flags=--trace-wasm-compilation-times'] : [],
});
// Chromium's own start-up work (its omnibox WebUI renderer) done before the page starts, as app.bench.mjs does.
await new Promise((ok) => setTimeout(ok, 2000));
let marks;
let anchor;
let timeOrigin;
try {
  const page = await (await browser.newContext()).newPage();
  await watchPageClock(page);
  await browser.startTracing(page, {
    path: tracePath,
    categories: ['toplevel', 'v8.execute', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', '__metadata']
      .concat(functions > 0 ? ['disabled-by-default-v8.cpu_profiler'] : [])
      .concat(compiles > 0 ? ['v8.wasm'] : []),
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
  marks.navigation = 0;
  timeOrigin = await page.evaluate(() => performance.timeOrigin);
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
  ...(compiles > 0 ? [['navigation → file chosen', 'navigation', 'file']] : []),
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
// V8's samples, per thread: [trace µs, function name] in time order (a Profile event starts each thread's
// profile; its ProfileChunk events carry the call-tree nodes, the sampled node ids and the time deltas).
const samples = new Map();
if (functions > 0) {
  const profiles = new Map();
  for (const e of events) {
    if (e.name === 'Profile') profiles.set(`${e.pid}:${e.id}`, { thread: threadOf(e), time: e.args.data.startTime, nodes: new Map() });
  }
  for (const e of events) {
    if (e.name !== 'ProfileChunk') continue;
    const profile = profiles.get(`${e.pid}:${e.id}`);
    if (!profile) continue;
    const { cpuProfile, timeDeltas = [] } = e.args.data;
    for (const node of cpuProfile?.nodes ?? []) {
      const { functionName, url } = node.callFrame;
      const where = url ? `${url.split('/').pop()}:${(node.callFrame.lineNumber ?? -1) + 1}` : '';
      profile.nodes.set(node.id, functionName || (url ? `(anonymous ${where})` : `(${node.callFrame.codeType ?? 'program'})`));
    }
    const list = samples.get(profile.thread) ?? [];
    (cpuProfile?.samples ?? []).forEach((id, i) => {
      profile.time += timeDeltas[i] ?? 0;
      list.push([profile.time, id, profile]);
    });
    samples.set(profile.thread, list);
  }
}
/** A Rust symbol's path (`_ZN…E`, its hash left out); other names as they are. */
function demangle(name) {
  const match = /^_?_ZN(.*)E$/.exec(name);
  if (!match) return name;
  const parts = [];
  let rest = match[1];
  while (rest.length > 0) {
    const length = /^\d+/.exec(rest);
    if (!length) return name;
    const start = length[0].length;
    parts.push(rest.slice(start, start + Number(length[0])));
    rest = rest.slice(start + Number(length[0]));
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts.join('::').replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ')
    .replace(/\$u7b\$/g, '{').replace(/\$u7d\$/g, '}').replace(/\$RF\$/g, '&').replace(/\$C\$/g, ',').replace(/\.\./g, '::');
}

/** The `functions` functions with the most own time on `thread` between two trace times (µs). */
function topFunctions(thread, start, end) {
  const list = (samples.get(thread) ?? []).filter(([t]) => t >= start && t < end);
  const own = new Map();
  for (let i = 0; i + 1 < list.length; i++) {
    const name = demangle(list[i][2].nodes.get(list[i][1]) ?? '?');
    if (/^\((idle|program|garbage collector|root)\)$/.test(name)) continue;
    own.set(name, (own.get(name) ?? 0) + Math.min(list[i + 1][0] - list[i][0], 10000));
  }
  return [...own].sort((a, b) => b[1] - a[1]).slice(0, functions);
}

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
  for (const [thread, us] of [...busy].sort((a, b) => b[1] - a[1])) {
    console.log(`  busy ${ms(us)} ms  ${role(thread)}`);
    for (const [name, own] of functions > 0 && us >= 20000 ? topFunctions(thread, start, end) : []) {
      console.log(`      ${(own / 1000).toFixed(1).padStart(7)} ms  ${name.length > 110 ? `${name.slice(0, 110)}…` : name}`);
    }
  }
  if (compiles > 0) {
    // The optimising compiles' CPU in this step, from the trace (their units run on background threads).
    let compiling = 0;
    for (const e of events) {
      if (e.ph !== 'X' || e.name !== 'wasm.ExecuteCompilationUnits' || !e.dur) continue;
      compiling += Math.max(0, Math.min(e.ts + e.dur, end) - Math.max(e.ts, start));
    }
    // The compiles V8 reported as done in this step (its lines carry no trace time: the page's clock is
    // told from when they arrived).
    const done = compiled
      .filter(({ at }) => at - timeOrigin >= marks[from] && at - timeOrigin < marks[to])
      .sort((a, b) => b.us - a.us);
    console.log(`  optimising wasm compiles ${ms(compiling)} ms of CPU; ${done.length} functions done, the longest:`);
    for (const { us, name } of done.slice(0, compiles)) {
      console.log(`      ${(us / 1000).toFixed(1).padStart(7)} ms  ${name.length > 110 ? `${name.slice(0, 110)}…` : name}`);
    }
  }
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
