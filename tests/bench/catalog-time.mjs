// Navigation → catalog ready and Find variables → suggestions shown, by the page's own clock, over many
// fresh loads of one or more builds (alternated, so that the machine's load falls on each alike):
//   node tests/bench/catalog-time.mjs [--loads 8] [--file F] [--idle MS] [--dist DIR ...]
// Each load chooses `--file` (default: the shipped demo file) as soon as the page is interactive, waits for
// the rows and the catalog, waits `--idle` ms more (default 0: the fastest possible user), types the issue's
// example description and clicks Find variables. The page's clock runs from navigation; a step ends at the
// first frame after its answer is in the DOM (page-clock.mjs). Service workers are blocked, so every load
// is a first visit. Prints each build's median and every load's figure; asserts nothing.
import { resolve } from 'node:path';
import { serve, launch, ROOT } from '../e2e/harness.mjs';
import { watchPageClock } from './page-clock.mjs';

const values = (name) => process.argv.flatMap((arg, at) => (arg === name ? [process.argv[at + 1]] : []));
const option = (name, fallback) => values(name)[0] ?? fallback;
const loads = Number(option('--loads', 8));
const file = resolve(option('--file', `${ROOT}/public/demo/leads.csv`));
const idle = Number(option('--idle', 0));
const dists = values('--dist').map((dir) => resolve(dir));
if (!dists.length) dists.push(resolve(ROOT, 'dist'));
const DESCRIPTION = 'environmentally conscious millennials with high disposable income in urban areas';

const servers = await Promise.all(dists.map((dir) => serve(dir)));
const browser = await launch();
// Chromium's own start-up work (its omnibox WebUI renderer, about 0.57 s of CPU in its first second) done
// before the first page, as tests/bench/app.bench.mjs does.
await new Promise((ok) => setTimeout(ok, 2000));
const results = dists.map(() => ({ catalog: [], find: [] }));
try {
  for (let load = 0; load < loads; load++) {
    for (const [at, server] of servers.entries()) {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      await watchPageClock(page);
      await page.goto(server.url);
      await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached' });
      await page.locator('#file-input').setInputFiles(file);
      await page.locator('#row-count').waitFor({ timeout: 120000 });
      await page.locator('main[data-catalog="ready"]').waitFor({ state: 'attached', timeout: 120000 });
      await page.waitForTimeout(idle);
      await page.locator('#audience-query').fill(DESCRIPTION);
      await page.locator('#find-variables').click();
      await page.waitForFunction(() => window.__marks.suggested !== undefined, null, { timeout: 60000 });
      const marks = await page.evaluate(() => window.__marks);
      results[at].catalog.push(marks.catalog);
      results[at].find.push(marks.suggested - marks['find-variables']);
      await context.close();
    }
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((server) => server.close()));
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const ms = (list) => list.map((value) => value.toFixed(0)).join(' ');
console.log(`${loads} loads per build, file ${file}, ${idle} ms idle before Find variables; page's clock, ms`);
for (const [at, dir] of dists.entries()) {
  const { catalog, find } = results[at];
  console.log(`${dir}: navigation → catalog ready median ${median(catalog).toFixed(0)} (${ms(catalog)}); ` +
    `Find variables → shown median ${median(find).toFixed(0)} (${ms(find)})`);
}
