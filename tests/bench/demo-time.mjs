// Time of the demo's segmentation in the page: "Try the demo data" → "Find variables" → "Segment" with
// the page's defaults, from the click on Segment to the results summary (issue #14's 5,000-row figure).
//   node tests/bench/demo-time.mjs [--runs 3]
import { serve, launch, openPage } from '../e2e/harness.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const server = await serve();
const browser = await launch();
const times = [];
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
  const started = Date.now();
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor({ timeout: 120000 });
  const seconds = (Date.now() - started) / 1000;
  times.push(seconds);
  // The worker's own time (encode, fit, profiles, projection), as the status line states it.
  const status = await page.locator('#status').textContent();
  const worker = /segments of \d+ rows in ([\d.]+ m?s)/.exec(status)?.[1] ?? '?';
  console.log(`run ${run}: ${checked} columns checked, Segment → results ${seconds.toFixed(2)} s (worker ${worker})`);
  await context.close();
}
times.sort((a, b) => a - b);
console.log(`median ${times[Math.floor(times.length / 2)].toFixed(2)} s`);
await browser.close();
await server.close();
