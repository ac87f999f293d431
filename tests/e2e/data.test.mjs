// Step 1 in a real browser: pick a file through the real file input, see its counts and inferred types;
// bad files get a specific message and the next file still works; nothing leaves the page's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { servedApp, screenshot, FIXTURES, DIST, whenReady } from './harness.mjs';

const app = servedApp();

async function pick(page, fixture) {
  await page.locator('#file-input').setInputFiles(join(FIXTURES, fixture));
}

function assertClean(watch) {
  assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
  assert.deepEqual(watch.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(watch.cspViolations, [], 'Content-Security-Policy violations');
}

test('a Latin-1, semicolon-separated file shows its counts and inferred column types', async () => {
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await pick(page, 'customers-latin1-semicolon.csv');
  await page.locator('#row-count').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#row-count').textContent(), '30');
  assert.equal(await page.locator('#column-count').textContent(), '6');
  const types = await page.locator('#preview-table thead .column-type').allTextContents();
  assert.deepEqual(types, ['identifier', 'categorical', 'ordinal', 'numeric', 'binary', 'date']);
  const names = await page.locator('#preview-table thead .column-name').allTextContents();
  assert.deepEqual(names, ['customer_id', 'city', 'age_band', 'annual_spend', 'member', 'signup_date']);
  // Latin-1 decoded, not mojibake.
  assert.equal(await page.locator('#preview-table tbody tr:first-child td:nth-child(2)').textContent(), 'Zürich');
  assert.match(await page.locator('#dataset-summary').textContent(), /Windows-1252 \/ Latin-1, ";"-separated, with a header row/);
  await screenshot(page, 'data-preview');
  assertClean(watch);
  await context.close();
});

test('a binary file gets a specific message and the next file still loads', async () => {
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await pick(page, 'not-a-csv.bin');
  const status = page.locator('#status.status-error');
  await status.waitFor({ timeout: 20000 });
  assert.match(await status.textContent(), /^not-a-csv\.bin: this is not a text file/);
  await pick(page, 'empty.csv');
  await page.locator('#status.status-error', { hasText: 'empty.csv' }).waitFor({ timeout: 20000 });
  assert.match(await status.textContent(), /^empty\.csv: .*empty/i);
  await screenshot(page, 'data-bad-file');
  await pick(page, 'customers-latin1-semicolon.csv');
  await page.locator('#row-count').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#row-count').textContent(), '30');
  assert.equal(await page.locator('#status.status-error').count(), 0);
  assertClean(watch);
  await context.close();
});

test('the demo data loads with one click', async () => {
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 20000 });
  const demo = await readFile(join(DIST, 'demo', 'leads.csv'), 'utf8');
  const dataRows = demo.trimEnd().split('\n').length - 1;
  assert.equal(Number(await page.locator('#row-count').textContent()), dataRows);
  assert.equal(await page.locator('#column-count').textContent(), '9');
  assertClean(watch);
  await context.close();
});

test('the page declares a same-origin-only Content-Security-Policy', async () => {
  const { context, page } = await app.open();
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(policy, /default-src 'self'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(policy, /connect-src 'self'/);
  const inlineScripts = await page.locator('script:not([src])').count();
  assert.equal(inlineScripts, 0, 'inline scripts would be blocked by the policy');
  await context.close();
});

test('a headerless file: the guessed header is said, and "No header row" reads every line as a customer', async () => {
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await pick(page, 'headerless-names.csv');
  await page.locator('#row-count').waitFor({ timeout: 20000 });
  // Every column is text and the first line repeats nowhere: it is taken as the header, and the page says so.
  assert.equal(await page.locator('#row-count').textContent(), '11');
  const names = await page.locator('#preview-table thead .column-name').allTextContents();
  assert.deepEqual(names, ['Ann Lee', 'Paris', 'amber']);
  assert.match(await page.locator('.notes').first().textContent(), /this is a guess.*choose "No header row"/s);
  await page.locator('#header-mode').selectOption('absent');
  await page.locator('#row-count', { hasText: '12' }).waitFor({ timeout: 20000 });
  const columns = await page.locator('#preview-table thead .column-name').allTextContents();
  assert.deepEqual(columns, ['column_1', 'column_2', 'column_3']);
  assert.equal(await page.locator('#preview-table tbody tr:first-child td:first-child').textContent(), 'Ann Lee');
  await screenshot(page, 'data-no-header');
  assertClean(watch);
  await context.close();
});
