// The app's performance in headless Chromium (run by scripts/bench-app.sh; not a test: it prints figures
// against the targets and never fails on them).
//
//   node tests/bench/app.bench.mjs --file100k F.csv [--file1m G.csv] [--dist dist] [--loads 5] [--after-catalog]
//
// Measures, on the release build in dist/ served from 127.0.0.1, in a Chromium started 2 s before (its own
// start-up work done, as a user's browser is running before they open the page):
//   first load     navigation start → the file input is enabled (the engine worker is ready); cold (new
//                  profile, empty caches) and warm (reload, served by the service worker)
//   100k rows      file chosen as soon as the page is interactive (the catalog still indexing; with
//                  --after-catalog once it is indexed) → rows read → variables suggested → (fixed column
//                  selection) → results shown, through the real UI; navigation → catalog indexed with the
//                  file in flight; longest main-thread task while it ran. Each step is timed twice: from Node
//                  (a command's round trip and a locator's polling included) and by the page's own clock,
//                  from the user's action (the input's change event, a button's click) to the first frame
//                  after the answer is in the DOM; the app's time is the sum of the page-clock steps
//   memory         peak resident memory of the tab's renderer process (VmHWM: page + engine worker, JS heaps,
//                  wasm memories, DOM), sampled JS heaps of the page and the worker, and their wasm memories
//                  (a wasm memory never shrinks, so its final size is its peak)
//   1M rows        the same flow with the stages the progress bar showed; completes or reports why not
import { readFile, readdir, stat } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serve, DIST } from '../e2e/harness.mjs';
import { watchPageClock } from './page-clock.mjs';

const args = new Map();
for (let i = 2; i < process.argv.length; i += 1) {
  const name = process.argv[i].replace(/^--/, '');
  if (name === 'after-catalog') { args.set(name, true); continue; }
  args.set(name, process.argv[i + 1]);
  i += 1;
}
const dist = resolve(args.get('dist') ?? DIST);
const file100k = args.get('file100k');
const file1m = args.get('file1m');
const loads = Number(args.get('loads') ?? 5);
const afterCatalog = args.has('after-catalog');
if (!file100k) {
  console.error('usage: node tests/bench/app.bench.mjs --file100k F.csv [--file1m G.csv] [--dist dist] [--loads 5]');
  process.exit(2);
}

// The columns the benchmark segments on, whatever the suggestions rank first (ingest_bench's generator).
const COLUMNS = ['age', 'gender', 'state', 'industry', 'income', 'tenure', 'education', 'channel', 'visits', 'spend', 'rating', 'newsletter'];
const QUERY = 'high income customers who visit often and spend a lot';
const MB = 1024 * 1024;

/** The duration in a status line ("… in 240 ms." or "… in 1.4 s."), in milliseconds. */
function statusMs(text) {
  const match = / in ([\d.]+) (ms|s)\./.exec(text ?? '');
  if (!match) return NaN;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

/** How long a freshly launched browser is left alone before a measurement starts (see [`launch`]). */
const BROWSER_SETTLE_MS = 2000;

/**
 * Chromium, started, and left {@link BROWSER_SETTLE_MS} to finish its own start-up: in its first second it
 * loads its omnibox's WebUI in a renderer of its own (about 0.57 s of CPU on this machine), which would
 * otherwise compete with the page on 2 cores. A user's browser is running before they open the page.
 */
async function launch() {
  const browser = await launchNow();
  await new Promise((ok) => setTimeout(ok, BROWSER_SETTLE_MS));
  return browser;
}

function launchNow() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--enable-precise-memory-info',
    ],
  });
}

/** Every process descended from this node process whose command line says it is a Chromium renderer. */
function renderers() {
  const parent = new Map();
  const cmdline = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      parent.set(Number(entry), Number(fields[1]));
      cmdline.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8'));
    } catch { /* the process ended */ }
  }
  const descends = (pid) => {
    for (let p = pid; p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...cmdline].filter(([pid, cmd]) => cmd.includes('--type=renderer') && descends(pid)).map(([pid]) => pid);
}

/** A /proc/PID/status field in bytes (VmHWM: peak resident set; VmRSS: current). */
function procBytes(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * DevTools sessions on the page and on its engine worker (non-flat Target protocol, since playwright-core's
 * CDP session has no child-session routing), for heap usage and wasm memory sizes.
 */
async function inspect(context, page) {
  const cdp = await context.newCDPSession(page);
  const pending = new Map();
  let nextId = 1;
  let workerSession = null;
  // The catalog's worker, a child of the engine worker: attached through the engine worker's session.
  let catalogSession = null;
  const settle = (reply) => {
    const done = pending.get(reply.id);
    if (!done) return;
    pending.delete(reply.id);
    if (reply.error) done.reject(new Error(reply.error.message)); else done.resolve(reply.result);
  };
  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    // The engine worker is the page's own.
    if (targetInfo.type === 'worker' && /engine_worker\.js$/.test(targetInfo.url)) workerSession ??= sessionId;
  });
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const reply = JSON.parse(message);
    if (sessionId === workerSession && reply.method === 'Target.attachedToTarget') {
      catalogSession ??= reply.params.sessionId;
    } else if (sessionId === workerSession && reply.method === 'Target.receivedMessageFromTarget') {
      settle(JSON.parse(reply.params.message));
    } else {
      settle(reply);
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const toWorker = (message) => cdp.send('Target.sendMessageToTarget', { sessionId: workerSession, message: JSON.stringify(message) });
  const inWorker = (method, params = {}) => new Promise((ok, fail) => {
    if (!workerSession) { fail(new Error('the engine worker is not attached')); return; }
    const id = nextId++;
    pending.set(id, { resolve: ok, reject: fail });
    toWorker({ id, method, params }).catch(fail);
  });
  const inCatalogWorker = (method, params = {}) => new Promise((ok, fail) => {
    if (!catalogSession) { fail(new Error('the catalog worker is not attached')); return; }
    const id = nextId++;
    pending.set(id, { resolve: ok, reject: fail });
    const message = JSON.stringify({ id, method, params });
    toWorker({ id: nextId++, method: 'Target.sendMessageToTarget', params: { sessionId: catalogSession, message } }).catch(fail);
  });
  // Once the engine worker is attached, its own worker (the catalog's) is attached through it.
  for (let i = 0; i < 100 && !workerSession; i += 1) await new Promise((ok) => setTimeout(ok, 50));
  if (workerSession) {
    // Without an answer, the catalog worker's figures are missing.
    await bounded(inWorker('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false }), 2000);
  }
  const heap = async (send) => {
    const usage = await send('Runtime.getHeapUsage');
    return usage.usedSize;
  };
  const wasm = async (send) => {
    const { result: proto } = await send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const { objects } = await send('Runtime.queryObjects', { prototypeObjectId: proto.objectId });
    const { result } = await send('Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.reduce((sum, memory) => sum + memory.buffer.byteLength, 0); }',
      returnByValue: true,
    });
    return result.value;
  };
  const onPage = (method, params) => cdp.send(method, params);
  return {
    pageHeap: () => heap(onPage),
    workerHeap: () => heap(inWorker),
    pageWasm: () => wasm(onPage),
    workerWasm: () => wasm(inWorker),
    catalogHeap: () => heap(inCatalogWorker),
    catalogWasm: () => wasm(inCatalogWorker),
  };
}

/** `probing`'s answer, or `missing` when it fails or has not answered within `ms`: a worker that does not
 * answer its debugger (a busy one, or one seen never to answer when the file is chosen after the catalog is
 * indexed) leaves a figure missing instead of holding the benchmark. */
function bounded(probing, ms, missing) {
  return Promise.race([probing.catch(() => missing), new Promise((ok) => setTimeout(() => ok(missing), ms))]);
}

/** Samples the heaps every 200 ms (a busy worker answers when it can) until stopped; keeps the peaks. */
function sampler(probe) {
  const peaks = { pageHeap: 0, workerHeap: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const [page, worker] = await Promise.all([
        probe.pageHeap().catch(() => 0),
        bounded(probe.workerHeap(), 1000, 0),
      ]);
      peaks.pageHeap = Math.max(peaks.pageHeap, page);
      peaks.workerHeap = Math.max(peaks.workerHeap, worker);
      await new Promise((ok) => setTimeout(ok, 200));
    }
  })();
  return { peaks, stop: async () => { running = false; await loop; } };
}

/** Navigation start → the file input enabled, in ms, read from the page's own clock. */
async function timeToInteractive(page, url, reload = false) {
  if (reload) await page.reload({ waitUntil: 'commit' }); else await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(() => {
    const input = document.querySelector('#file-input');
    return input && !input.disabled ? performance.now() : false;
  }, null, { polling: 'raf', timeout: 30000 });
  return handle.jsonValue();
}

async function firstLoads(url) {
  const browser = await launch();
  const cold = [];
  const warm = [];
  try {
    for (let i = 0; i < loads; i += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      cold.push(await timeToInteractive(page, url));
      // Once the service worker controls the page, a reload is served from its caches.
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60000 });
      warm.push(await timeToInteractive(page, url, true));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { cold, warm };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The full flow on one file through the real UI; never throws (reports what failed instead). */
async function flow(url, file, { watchProgress = false, timeout = 600000 } = {}) {
  const browser = await launch();
  const result = { file, rows: null, ok: false };
  let crashed = false;
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('crash', () => { crashed = true; });
    await watchPageClock(page);
    const tNavigate = performance.now();
    await page.goto(url);
    await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached', timeout: 30000 });
    result.interactive = performance.now() - tNavigate;
    // The worker fetches and indexes the catalog from startup on. By default the file is chosen as soon as
    // the input is enabled, with the index in flight (a user who drops a file at once must not wait for
    // it); `--after-catalog` waits for the index first, as earlier versions of this benchmark did.
    const catalogReady = page.locator('main[data-catalog="ready"]').waitFor({ state: 'attached', timeout: 120000 })
      .then(() => performance.now() - tNavigate);
    if (afterCatalog) await catalogReady;
    const probe = await inspect(context, page);
    if (afterCatalog) await page.waitForTimeout(500); // lets the auto-attach report the worker
    await page.evaluate(() => { window.__longestTask = 0; });
    const sampling = sampler(probe);
    const stages = new Map();
    let polling = watchProgress;
    const progressLoop = (async () => {
      while (polling) {
        const seen = await page.evaluate(() => {
          const bar = document.querySelector('#progress-bar');
          const label = document.querySelector('#segment-progress label');
          return bar ? { stage: label?.textContent ?? '', value: bar.value } : null;
        }).catch(() => null);
        if (seen && seen.stage) {
          const values = stages.get(seen.stage) ?? new Set();
          values.add(Math.round(seen.value * 100));
          stages.set(seen.stage, values);
        }
        await new Promise((ok) => setTimeout(ok, 100));
      }
    })();

    const t0 = performance.now();
    await page.locator('#file-input').setInputFiles(file);
    await page.locator('#row-count').waitFor({ timeout });
    const tRead = performance.now();
    result.rows = Number((await page.locator('#row-count').textContent()).replace(/\D/g, ''));
    // "Read 99996 rows and 20 columns in 1.2 s.": the worker's own time for reading the file.
    result.workerRead = statusMs(await page.locator('#status').textContent());
    // If the catalog is still loading once the rows are read, that wait is reported (and counted).
    await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 120000 });
    const tCatalog = performance.now();
    result.catalogReady = await catalogReady;
    result.catalogWait = tCatalog - tRead;
    await page.locator('#audience-query').fill(QUERY);
    await page.locator('#find-variables').click();
    await page.locator('#column-choices tbody tr').first().waitFor({ timeout });
    const tSuggest = performance.now();
    const offered = await page.locator('#column-choices tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.column));
    const missing = COLUMNS.filter((column) => !offered.includes(column));
    if (missing.length) throw new Error(`columns not offered: ${missing.join(', ')}`);
    for (const column of offered) {
      await page.locator(`#column-choices tbody tr[data-column="${column}"] input[type=checkbox]`).setChecked(COLUMNS.includes(column));
    }
    const tChosen = performance.now();
    await page.locator('#run-segmentation').click();
    await page.locator('#results-summary').waitFor({ timeout });
    const tResults = performance.now();
    polling = false;
    await progressLoop;
    await sampling.stop();

    result.summary = (await page.locator('#results-summary').textContent()).trim();
    // "Made 16 segments of 99996 rows in 2.1 s.": the worker's own time for the segmentation request.
    result.workerSegment = statusMs(await page.locator('#status').textContent());
    result.read = tRead - t0;
    result.suggest = tSuggest - tCatalog;
    result.choose = tChosen - tSuggest;
    result.segment = tResults - tChosen;
    result.total = tResults - t0;
    result.longestTask = await page.evaluate(() => window.__longestTask);
    await page.waitForFunction(() => window.__marks.results !== undefined, null, { timeout: 10000 });
    const marks = await page.evaluate(() => window.__marks);
    result.page = {
      catalog: marks.catalog,
      read: marks.rows - marks.file,
      suggest: marks.suggested - Math.max(marks['find-variables'], marks.catalog ?? 0),
      segment: marks.results - marks['run-segmentation'],
    };
    result.page.total = result.page.read + result.page.suggest + result.page.segment;
    result.pageHeap = sampling.peaks.pageHeap;
    result.workerHeap = Math.max(sampling.peaks.workerHeap, await bounded(probe.workerHeap(), 10000, 0));
    result.pageWasm = await bounded(probe.pageWasm(), 10000, NaN);
    result.workerWasm = await bounded(probe.workerWasm(), 10000, NaN);
    result.catalogHeap = await bounded(probe.catalogHeap(), 10000, 0);
    result.catalogWasm = await bounded(probe.catalogWasm(), 10000, 0);
    result.rendererPeak = Math.max(0, ...renderers().map((pid) => procBytes(pid, 'VmHWM')));
    // Stage labels with their numbers folded ("Trying # segments: iteration # (run # of #)"), and how many
    // distinct updates the page showed.
    result.updates = stages.size;
    result.stages = [...new Set([...stages.keys()].map((stage) => stage.replace(/\d+/g, '#')))];
    result.ok = true;
    await context.close();
  } catch (error) {
    result.error = crashed ? `the tab crashed (${error.message.split('\n')[0]})` : error.message.split('\n')[0];
    result.rendererPeak = Math.max(0, ...renderers().map((pid) => procBytes(pid, 'VmHWM')));
  } finally {
    await browser.close();
  }
  return result;
}

async function sizes() {
  const rows = [];
  for (const name of (await readdir(dist)).sort()) {
    if (!/\.(wasm|js)$/.test(name)) continue;
    const bytes = await readFile(join(dist, name));
    rows.push({ name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return rows;
}

const fmtMs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const fmtMb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MB).toFixed(0)} MB` : 'n/a');
const line = (what, value, target = '') => console.log(`${what.padEnd(46)} ${String(value).padStart(14)}   ${target}`);

/** Prints one flow's rows of the table. */
async function report(run, targets) {
  const label = `${run.rows ?? '?'} rows (${((await stat(run.file)).size / 1e6).toFixed(1)} MB)`;
  if (!run.ok) {
    line(`${label}: did not complete`, run.error);
    line(`${label}: peak renderer process RSS`, fmtMb(run.rendererPeak));
    return;
  }
  line(`${label}: navigation → file input enabled`, fmtMs(run.interactive));
  line(`${label}: navigation → catalog indexed`, fmtMs(run.catalogReady), afterCatalog ? '(file chosen after)' : '≤ 1 s, file in flight');
  line(`${label}: file chosen → rows read`, fmtMs(run.read));
  line(`${label}:   of which in the worker (bytes → preview)`, fmtMs(run.workerRead));
  line(`${label}: rows read → catalog ready (waited)`, fmtMs(Math.max(0, run.catalogWait)));
  line(`${label}: → variables suggested`, fmtMs(run.suggest));
  line(`${label}: → columns chosen (UI automation)`, fmtMs(run.choose));
  line(`${label}: → segmented, results shown`, fmtMs(run.segment));
  line(`${label}:   of which in the worker (encode → profiles)`, fmtMs(run.workerSegment));
  line(`${label}: file chosen → results shown`, fmtMs(run.total), targets ? '≤ 1.5 s (clicks excluded)' : '≤ 6 s (clicks excluded)');
  line(`${label}:   without the UI automation's clicks`, fmtMs(run.total - run.choose));
  line(`${label}: page's clock: navigation → catalog indexed`, fmtMs(run.page.catalog), '≤ 1 s');
  line(`${label}: page's clock: file chosen → rows shown`, fmtMs(run.page.read));
  line(`${label}: page's clock: Find variables → shown`, fmtMs(run.page.suggest));
  line(`${label}: page's clock: Segment → results shown`, fmtMs(run.page.segment));
  line(`${label}: page's clock: the app's time, file → results`, fmtMs(run.page.total), targets ? '≤ 1.5 s (the user\'s steps excluded)' : '≤ 6 s (the user\'s steps excluded)');
  line(`${label}: longest main-thread task`, fmtMs(run.longestTask));
  line(`${label}: peak JS heap, page / worker`, `${fmtMb(run.pageHeap)} / ${fmtMb(run.workerHeap)}`);
  line(`${label}: wasm memory, page / worker`, `${fmtMb(run.pageWasm)} / ${fmtMb(run.workerWasm)}`);
  line(`${label}: catalog worker: JS heap / wasm memory`, `${fmtMb(run.catalogHeap)} / ${fmtMb(run.catalogWasm)}`);
  line(`${label}: JS heaps + wasm memories`, fmtMb(run.pageHeap + run.workerHeap + run.pageWasm + run.workerWasm + run.catalogHeap + run.catalogWasm), targets ? '≤ 300 MB' : '');
  if (!targets) line(`${label}: worker wasm memory`, fmtMb(run.workerWasm), '≤ 400 MB');
  line(`${label}: peak renderer process RSS`, fmtMb(run.rendererPeak));
  if (run.stages.length) line(`${label}: progress updates seen`, run.updates, run.stages.join('; '));
  console.log(`  ${run.summary}`);
}

const server = await serve(dist);
try {
  console.log(`Audience Builder app benchmark: ${dist} on ${server.url}, Chromium headless, ${new Date().toISOString()}`);
  console.log();
  line('measure', 'value', 'target');
  line('-'.repeat(46), '-'.repeat(14), '-'.repeat(20));
  for (const { name, raw, gzip } of await sizes()) {
    const app = /^app-.*\.wasm$/.test(name);
    line(`${name} (raw ${(raw / 1e6).toFixed(2)} MB), gzip -9`, `${(gzip / 1e6).toFixed(2)} MB`, app ? '≤ 1.5 MB' : '');
  }
  const { cold, warm } = await firstLoads(server.url);
  line(`first load, cold (median of ${cold.length})`, fmtMs(median(cold)), '≤ 1.5 s');
  line('first load, warm via service worker (median)', fmtMs(median(warm)));
  await report(await flow(server.url, file100k), true);
  if (file1m) await report(await flow(server.url, file1m, { watchProgress: true, timeout: 1800000 }), false);
} finally {
  await server.close();
}
