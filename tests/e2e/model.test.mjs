// A segmentation that lasts (issue #18), in a real browser on small made-up files: segment month 1, save
// the segmentation, load month 2, apply it (same numbers and names), read who moved, score prospects
// against a segment and download the best, check stability. No request leaves the page's origin.
//
// tests/fixtures/model-month1.csv: C01–C10 low spenders, C11–C20 high spenders. model-month2.csv: C09 and
// C10 became high spenders, C19 and C20 are gone, N01–N02 (low) and N03–N04 (high) are new: 16 customers
// keep their segment, 2 move, 4 are new, 2 are gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, screenshot, FIXTURES, download, whenReady } from './harness.mjs';

let server;
let browser;
let scratch;
before(async () => {
  server = await serve();
  browser = await launch();
  scratch = await mkdtemp(join(tmpdir(), 'audience-model-'));
});
after(async () => {
  await browser?.close();
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

const LONG = { timeout: 240000 };

/** Simple CSV (no quoted commas in these files) as objects by column name. */
function rows(text) {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const columns = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
}

async function loadFile(page, name, rowCount) {
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(join(FIXTURES, name));
  await page.locator('#row-count', { hasText: new RegExp(`^${rowCount}$`) }).waitFor({ timeout: 30000 });
}

test('a saved segmentation applied to next month keeps numbers and names, counts who moved, scores prospects and is stable', LONG, async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  await loadFile(page, 'model-month1.csv', 20);
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill('customers by age, spend and plan');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
  for (const box of await page.locator('#column-choices tbody input[type=checkbox]').all()) await box.check();
  await page.locator('#min-share').fill('40');
  await page.locator('#min-share').dispatchEvent('change');
  await page.locator('#max-share').fill('60');
  await page.locator('#max-share').dispatchEvent('change');
  await page.locator('#k-fixed').check();
  await page.locator('#k-value').fill('2');
  await page.locator('#k-value').dispatchEvent('change');
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  const first = rows((await download(page, '#export-clustered-csv')).text);
  const segmentOf = Object.fromEntries(first.map((row) => [row.customer_id, row.segment]));
  const low = segmentOf.C01;
  const high = segmentOf.C20;
  assert.notEqual(low, high);
  for (let i = 1; i <= 10; i += 1) assert.equal(segmentOf[`C${String(i).padStart(2, '0')}`], low);
  const names = await page.locator('.segment-card h3').evaluateAll((hs) =>
    Object.fromEntries(hs.map((h) => [h.closest('.segment-card').dataset.segment, h.textContent])));

  // Save: a download without any customer row, kept in this browser.
  const model = await download(page, '#save-model');
  assert.equal(model.name, 'model-month1-segmentation.json');
  const document = JSON.parse(model.text);
  assert.equal(document.schema, 'audience-builder/segmentation-model');
  assert.equal(document.k, 2);
  for (const id of ['C01', 'C20', 'customer_id']) assert.ok(!model.text.includes(id), `${id} in the model`);
  await page.locator('#save-model-note', { hasText: 'kept in this browser' }).waitFor({ timeout: 10000 });

  // Stability: two planted groups keep every customer; the cards say so.
  await page.locator('#check-stability').click();
  await page.locator('#stability-summary').waitFor(LONG);
  assert.equal(await page.locator('#stability-summary').getAttribute('data-kept'), '1.0000');
  assert.equal(await page.locator('.segment-card .stability[data-unstable="false"]').count(), 2);
  await screenshot(page, 'model-stability');

  // Month 2: apply the saved segmentation with exact bounds.
  await loadFile(page, 'model-month2.csv', 22);
  await page.locator('#apply-saved summary').click();
  await page.locator('#apply-saved-select').selectOption({ label: '2 segments from model-month1.csv' });
  await page.locator('#apply-model').click();
  await page.locator('#apply-coverage').waitFor(LONG);
  assert.match(await page.locator('#apply-coverage').textContent(), /All 22 customers were placed .* 22 are in the segment nearest to them, 0 went/);
  await page.locator('#applied-summary').waitFor({ timeout: 10000 });
  const namesAfter = await page.locator('.segment-card h3').evaluateAll((hs) =>
    Object.fromEntries(hs.map((h) => [h.closest('.segment-card').dataset.segment, h.textContent])));
  assert.deepEqual(namesAfter, names, 'same numbers, same names');
  const second = rows((await download(page, '#export-clustered-csv')).text);
  assert.equal(second.length, 22);
  const after = Object.fromEntries(second.map((row) => [row.customer_id, row.segment]));
  for (const id of ['C01', 'C08', 'N01', 'N02']) assert.equal(after[id], low, id);
  for (const id of ['C09', 'C10', 'C11', 'C18', 'N03', 'N04']) assert.equal(after[id], high, id);

  // Who moved, against the file segmented before in this tab, then against last month's clustered CSV.
  await page.locator('#movement-panel summary').click();
  await page.locator('#movement-previous').click();
  await page.locator('#movement-summary').waitFor(LONG);
  const summary = await page.locator('#movement-summary').textContent();
  assert.match(summary, /16 customers kept their segment, 2 moved to another, 4 are new, 2 are gone/);
  assert.equal(await page.locator(`#movement-table td[data-from="${low}"][data-to="${high}"]`).textContent(), '2');
  assert.equal(await page.locator(`#movement-table td[data-from="${high}"][data-to="0"]`).textContent(), '2');
  assert.equal(await page.locator(`#movement-table td[data-from="0"][data-to="${low}"]`).textContent(), '2');
  assert.ok(await page.locator('#movement-chart rect').count() >= 4, 'one bar piece per destination');
  const movementCsv = await download(page, '#movement-download');
  assert.equal(movementCsv.name, 'model-month2-movement.csv');
  assert.ok(movementCsv.text.startsWith('from,to,customers\n'));
  assert.ok(movementCsv.text.includes(`${low},${high},2\n`), movementCsv.text);
  const lastMonth = join(scratch, 'month1-segments.csv');
  await writeFile(lastMonth, ['customer_id,segment', ...first.map((row) => `${row.customer_id},${row.segment}`)].join('\n') + '\n');
  await page.locator('#movement-file').setInputFiles(lastMonth);
  await page.locator('#movement-summary', { hasText: 'month1-segments.csv' }).waitFor(LONG);
  assert.match(await page.locator('#movement-summary').textContent(), /16 customers kept their segment, 2 moved to another, 4 are new, 2 are gone/);
  await screenshot(page, 'model-movement');

  // Lookalike: the three low-spending prospects are the best of the low spenders' segment.
  await page.locator('#lookalike-panel summary').click();
  await page.locator('#lookalike-segment').selectOption(low);
  await page.locator('#lookalike-top').fill('3');
  const prospects = await download(page, '#lookalike-file', (input) => input.setInputFiles(join(FIXTURES, 'model-prospects.csv')));
  assert.equal(prospects.name, `model-prospects-lookalike-segment-${low}.csv`);
  const best = rows(prospects.text);
  assert.deepEqual(best.map((row) => row.prospect_id).sort(), ['P01', 'P02', 'P03']);
  assert.ok(best.every((row) => row.lookalike_reason.length > 0), 'every prospect has a reason');
  await page.locator('#lookalike-summary').waitFor({ timeout: 10000 });
  assert.match(await page.locator('#lookalike-summary').textContent(), /Scored 6 prospects .* downloaded the 3 best/);
  await screenshot(page, 'model-lookalike');

  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('applying nothing, or a file that is not a saved segmentation, is refused beside the button', LONG, async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  const model = join(scratch, 'bad-model.json');
  await writeFile(model, '{"schema": "something else", "version": 1}');
  await loadFile(page, 'model-month1.csv', 20);
  await page.locator('#apply-saved summary').click();
  await page.locator('#apply-model').click();
  await page.locator('#apply-message', { hasText: 'Choose a saved segmentation' }).waitFor({ timeout: 10000 });
  await page.locator('#apply-model-file').setInputFiles(model);
  await page.locator('#apply-model').click();
  await page.locator('#apply-message', { hasText: 'save the segmentation again' }).waitFor(LONG);
  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});
