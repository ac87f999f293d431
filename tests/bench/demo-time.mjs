// Time of the demo's segmentation in the page: "Try the demo data" → "Find variables" → "Segment" with
// the page's defaults, from the click on Segment to the results summary (issue #14's 5,000-row figure).
//   node tests/bench/demo-time.mjs [--runs 3] [--again 0] [--pause 0] [--dist DIR]
// Each run opens a fresh page; `--again N` then clicks Segment N more times in the same page (the code is
// compiled and optimised by then). `--pause MS` waits that long after the suggestions appear before the
// first click, as a person reading them would (the worker rehearses a segmentation once the catalog is in;
// on the 2-core machine of issue #14 a 2 s pause gave the same median as none, 0.72 s).
// `--dist` times another build (default: dist/), e.g. an older commit's.
import { resolve } from 'node:path';
import { serve, launch, openPage } from '../e2e/harness.mjs';

const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const runs = Number(option('--runs', 3));
const again = Number(option('--again', 0));
const pause = Number(option('--pause', 0));
const dist = option('--dist', undefined);
const server = await serve(dist ? resolve(dist) : undefined);
const browser = await launch();
// Chromium's own start-up work (its omnibox WebUI renderer, about 0.57 s of CPU in its first second) done
// before the first page, as tests/bench/app.bench.mjs does.
await new Promise((ok) => setTimeout(ok, 2000));
const first = [];
const later = [];

/// Clicks Segment and waits for new results; returns the seconds taken and the worker's own time.
async function segment(page) {
  const before = await page.locator('#status').textContent();
  const started = Date.now();
  await page.locator('#run-segmentation').click();
  await page.waitForFunction(
    (previous) => document.querySelector('#results-summary')
      && document.querySelector('#status').textContent !== previous
      && /segments of \d+ rows in/.test(document.querySelector('#status').textContent),
    before,
    { timeout: 120000, polling: 'raf' },
  );
  const seconds = (Date.now() - started) / 1000;
  // The worker's own time (encode, fit, profiles, projection), as the status line states it.
  const status = await page.locator('#status').textContent();
  const worker = /segments of \d+ rows in ([\d.]+ m?s)/.exec(status)?.[1] ?? '?';
  return { seconds, worker };
}

for (let run = 1; run <= runs; run += 1) {
  const { context, page } = await openPage(browser, server.url);
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 60000 });
  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 60000 });
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 120000 });
  await page.locator('#audience-query').fill('senior tech decision makers who came through referrals');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 60000 });
  const checked = await page.locator('#column-choices tbody input[type=checkbox]:checked').count();
  if (pause > 0) await page.waitForTimeout(pause);
  const { seconds, worker } = await segment(page);
  first.push(seconds);
  console.log(`run ${run}: ${checked} columns checked, Segment → results ${seconds.toFixed(2)} s (worker ${worker})`);
  for (let repeat = 1; repeat <= again; repeat += 1) {
    await page.waitForTimeout(300);
    const next = await segment(page);
    later.push(next.seconds);
    console.log(`  again ${repeat}: ${next.seconds.toFixed(2)} s (worker ${next.worker})`);
  }
  await context.close();
}
const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)].toFixed(2);
console.log(`median ${median(first)} s${later.length ? `; segmented again in the same page: median ${median(later)} s` : ''}`);
await browser.close();
await server.close();
