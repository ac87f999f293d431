// Census values by ZIP (issue #15) in a real browser: a customer file with ZIP codes → describe the audience →
// check "median household income" (B19013_001E) among the catalog matches, marked available for the file →
// coverage shown with the attribution → segment → a persona words it as where the customers live → the
// clustered CSV carries the column → no request to another origin → the same again with the network off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, openPage, screenshot, DIST, FIXTURES, download, whenReady } from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const LONG = { timeout: 240000 };
const INCOME = 'B19013_001E';
const MARKERS = /\/\* PRECACHE_MANIFEST \*\/(.*?)\/\* END_PRECACHE_MANIFEST \*\//s;

/** Evaluates `check` in the page every 250 ms until it resolves truthy. */
async function until(page, what, check, arg, timeout = 120000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(check, arg)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

/** Plain comma-separated rows (the fixture and the clustered CSV have no quoted cells). */
const rowsOf = (text) => text.trim().split(/\r?\n/).map((line) => line.split(','));

/** Load the fixture, describe, check income among the catalog matches, segment on it alone into 2 segments. */
async function segmentOnIncome(page) {
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(join(FIXTURES, 'customers-zip.csv'));
  await page.locator('#row-count', { hasText: '20' }).waitFor({ timeout: 30000 });
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill('affluent households with high income');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });

  const hit = page.locator('.catalog-hit', { has: page.locator('.hit-code', { hasText: INCOME }) });
  await hit.waitFor({ timeout: 30000 });
  assert.match(await hit.textContent(), /available for your file/);
  await hit.locator(`input[data-code="${INCOME}"]`).check();
  await page.locator('#retrieval-coverage').waitFor({ timeout: 30000 });
  const coverage = await page.locator('#retrieval-coverage').textContent();
  // By hand: 20 rows; C007 (02238, a PO Box) gets its county's value; C010 is blank; C011 is a UK postcode.
  assert.match(coverage, /of 20 rows, 17 matched their ZIP code area, 1 got their county's value/);
  assert.match(coverage, /1 are not US ZIP codes and 1 are blank/);
  assert.match(coverage, /public domain/);
  assert.match(coverage, /GeoNames \(CC BY 4\.0\)/);

  // Segment on the census column alone: the file's own columns unchecked.
  const boxes = page.locator('#column-choices tbody tr:not([data-column="B19013_001E"]) input[type=checkbox]');
  for (const box of await boxes.all()) await box.uncheck();
  const census = page.locator(`#column-choices tr[data-column="${INCOME}"] input[type=checkbox]`);
  assert.ok(await census.isChecked(), 'the retrieved column is a checked segmentation variable');
  await page.locator('#bounded').uncheck();
  await page.locator('#k-fixed').check();
  await page.locator('#k-value').fill('2');
  await page.locator('#k-value').dispatchEvent('change');
  await page.locator('#seed').fill('7');
  await page.locator('#seed').dispatchEvent('change');
  await page.locator('#run-segmentation:not([disabled])').click();
  await page.locator('#results-summary').waitFor(LONG);
  const cards = await page.locator('.segment-card').allTextContents();
  assert.equal(cards.length, 2);
  assert.ok(
    cards.some((text) => /lives in ZIP codes where the median household income is \$/.test(text)),
    `a persona words income as where its customers live: ${cards.join(' | ')}`,
  );
}

test('census income retrieved by ZIP segments the file, area-level, and exports with the column', LONG, async () => {
  const server = await serve();
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await segmentOnIncome(page);
    await screenshot(page, 'census-results');

    const input = rowsOf(await readFile(join(FIXTURES, 'customers-zip.csv'), 'utf8'));
    const clustered = rowsOf((await download(page, '#export-clustered-csv')).text);
    assert.equal(clustered.length, input.length, 'every row, none dropped');
    assert.deepEqual(clustered[0].slice(0, 5), [...input[0], INCOME]);
    const income = (id) => clustered.find((row) => row[0] === id)[4];
    assert.equal(income('C001'), '250000', '94507 is top-coded: written as its bound');
    assert.equal(income('C003'), '117124');
    assert.equal(income('C004'), '117124', 'the 4-digit 2139 is 02139');
    assert.equal(income('C010'), '', 'blank ZIP: no value, row kept');
    assert.equal(income('C011'), '', 'not a US ZIP: no value, row kept');

    const personas = JSON.parse((await download(page, '#export-personas-json')).text);
    const traits = personas.personas.flatMap((p) => p.traits).filter((t) => t.column === INCOME);
    assert.ok(traits.length > 0, 'income is a defining trait');
    for (const t of traits) {
      assert.equal(t.area_level.vintage, 'ACS 2018–2022 5-year, ZIP Code Tabulation Areas');
      assert.match(t.area_level.source, /American Community Survey/);
    }
    assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
    assert.deepEqual(watch.pageErrors, [], 'uncaught page errors');
    assert.deepEqual(watch.cspViolations, [], 'Content-Security-Policy violations');
  } finally {
    await context.close();
    await server.close();
  }
});

test('after one visit, census retrieval works again with the network off', LONG, async () => {
  const server = await serve();
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    const manifest = JSON.parse(MARKERS.exec(await readFile(join(DIST, 'sw.js'), 'utf8'))[1]);
    const census = manifest.catalog.files.filter((path) => path.startsWith('catalog/census/'));
    assert.ok(census.includes('catalog/census/manifest.json') && census.includes('catalog/census/zips.bin'));
    assert.ok(census.includes('catalog/census/median_household_income.bin'));
    await until(page, 'a service worker controls the page', () => navigator.serviceWorker.controller !== null);
    await until(page, 'every file is cached', async (wanted) => {
      const found = await Promise.all(wanted.map((path) => caches.match(new URL(path, document.baseURI).href)));
      return found.every(Boolean);
    }, [...manifest.immutable, ...manifest.fresh, ...manifest.catalog.files]);

    await context.setOffline(true);
    const served = server.requests.length;
    await page.reload();
    await segmentOnIncome(page);
    await screenshot(page, 'census-offline-results');
    const online = server.requests.slice(served).filter((path) => path !== '/sw.js');
    assert.deepEqual(online, [], 'no request of the app reached the server while offline');
    assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.cspViolations, []);
  } finally {
    await context.close();
    await server.close();
  }
});
