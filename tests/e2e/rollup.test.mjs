// Order logs (issue #17) in a real browser: a whitespace-aligned log with zero-padded customer ids, YYYYMMDD
// dates, a refund and an unreadable date → the data step says how it was read and offers "one row per
// customer" with the detected columns → the report beside the button → segments of customers → personas in
// recency, frequency and value → the customer table and the transactions, each with its segment → no request
// to another origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { servedApp, screenshot, FIXTURES, download, whenReady } from './harness.mjs';

const app = servedApp();

const LONG = { timeout: 240000 };
const LOG = join(FIXTURES, 'orders-log.txt');

/** Plain comma-separated rows (neither download of this fixture has quoted cells). */
const rowsOf = (text) => text.trim().split(/\r?\n/).map((line) => line.split(','));

async function loadLog(page) {
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(LOG);
  await page.locator('#row-count', { hasText: '52' }).waitFor({ timeout: 30000 });
  await page.locator('#order-log').waitFor({ timeout: 10000 });
}

async function rollUp(page, customers) {
  await page.locator('#rollup-button:not([disabled])').click();
  await page.locator(`#rollup-report[data-customers="${customers}"]`).waitFor({ timeout: 30000 });
}

test('an order log becomes customer segments with personas in recency, frequency and value, and both downloads', LONG, async () => {
  const { context, page, watch } = await app.open();
  try {
    await loadLog(page);
    // How the file was read: aligned columns, ids kept as text, compact dates.
    assert.match(await page.locator('#dataset-summary').textContent(), /whitespace-aligned columns/);
    const notes = await page.locator('.notes li').allTextContents();
    assert.ok(notes.some((n) => /runs of spaces/.test(n)), `aligned note in ${notes}`);
    assert.ok(notes.some((n) => /customer_id: values such as .*keep their leading zeros/.test(n)), `ids note in ${notes}`);
    assert.ok(notes.some((n) => /date: eight-digit values .* are read as dates/.test(n)), `dates note in ${notes}`);
    // The offer, with the detected columns.
    assert.match(await page.locator('#order-log-summary').textContent(), /52 rows, one per purchase, from 2023-01-10 to 2024-12-31/);
    assert.equal(await page.locator('#log-customer').inputValue(), 'customer_id');
    assert.equal(await page.locator('#log-date').inputValue(), 'date');
    assert.equal(await page.locator('#log-amount').inputValue(), 'amount');
    assert.equal(await page.locator('#log-quantity').inputValue(), 'quantity');
    assert.match(await page.locator('#log-as-of-hint').textContent(), /2024-12-31/);
    await screenshot(page, 'rollup-offer');

    await rollUp(page, 20);
    const report = page.locator('#rollup-report');
    assert.equal(await report.getAttribute('data-transactions'), '52');
    assert.equal(await report.getAttribute('data-used'), '51');
    assert.equal(await report.getAttribute('data-left-out'), '1');
    assert.equal(await report.getAttribute('data-refunds'), '1');
    const said = await report.textContent();
    assert.match(said, /20 customers from 51 of the 52 transactions, as of 2024-12-31/);
    assert.match(said, /left out 1 row with a date that cannot be read \(line 49\)/);
    assert.match(said, /refunds, 40\.00 in all.*\(line 14\)/);
    // The rest of the flow sees the customer table.
    await page.locator('#row-count', { hasText: '20' }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#preview-table tbody tr:first-child td:first-child').textContent(), '00101');
    await screenshot(page, 'rollup-report');

    await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
    await page.locator('#audience-query').fill('recent frequent customers who spend the most');
    await page.locator('#find-variables').click();
    await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
    const offered = await page.locator('#column-choices tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.column));
    for (const column of ['recency_days', 'orders', 'total_spend']) assert.ok(offered.includes(column), `${column} in ${offered}`);
    assert.ok(!offered.includes('customer'), 'the customer id is not a variable');
    for (const box of await page.locator('#column-choices tbody tr input[type=checkbox]').all()) await box.uncheck();
    for (const column of ['recency_days', 'orders', 'total_spend']) {
      await page.locator(`#column-choices tr[data-column="${column}"] input[type=checkbox]`).check();
    }
    await page.locator('#bounded').uncheck();
    await page.locator('#k-fixed').check();
    await page.locator('#k-value').fill('3');
    await page.locator('#k-value').dispatchEvent('change');
    // Seed 2: with this column order, seeds 3, 4 and 7 settle in a costlier split of 13/4/3 customers (all three
    // restarts alike), whose two small segments are too small to have traits.
    await page.locator('#seed').fill('2');
    await page.locator('#seed').dispatchEvent('change');
    await page.locator('#run-segmentation:not([disabled])').click();
    await page.locator('#results-summary').waitFor(LONG);
    const cards = await page.locator('.segment-card').allTextContents();
    assert.equal(cards.length, 3);
    const sizes = await page.locator('.segment-size').allTextContents();
    assert.equal(sizes.reduce((sum, size) => sum + Number(size), 0), 20, 'every customer is in a segment');
    const words = cards.join(' | ');
    assert.match(words, /Recency days/, `recency in the personas: ${words}`);
    assert.match(words, /Orders/, `frequency in the personas: ${words}`);
    assert.match(words, /Total spend/, `value in the personas: ${words}`);
    await screenshot(page, 'rollup-results');

    // The customer table with segments.
    const customers = await download(page, '#export-clustered-csv');
    assert.equal(customers.name, 'orders-log-segments.csv');
    const table = rowsOf(customers.text);
    assert.equal(table.length, 21, 'one row per customer plus the header');
    assert.deepEqual(table[0].slice(0, 2), ['customer', 'first_purchase']);
    assert.deepEqual(table[0].slice(-2), ['segment', 'segment_name']);
    const segmentOf = new Map(table.slice(1).map((row) => [row[0], row[table[0].length - 2]]));
    assert.ok([...segmentOf.keys()].every((id) => /^00\d{3}$/.test(id)), 'ids keep their zeros');
    assert.deepEqual([...new Set(segmentOf.values())].sort(), ['1', '2', '3']);

    // The transactions, each with its customer's segment.
    const transactions = await download(page, '#export-transactions-csv');
    assert.equal(transactions.name, 'orders-log-transactions-segments.csv');
    const rows = rowsOf(transactions.text);
    assert.equal(rows.length, 53, 'all 52 transactions plus the header');
    assert.deepEqual(rows[0], ['customer_id', 'date', 'quantity', 'amount', 'channel', 'segment', 'segment_name']);
    for (const row of rows.slice(1)) assert.equal(row[5], segmentOf.get(row[0]), `the segment of ${row.join(' ')}`);
    assert.ok(rows.some((row) => row[3] === '-40.00'), 'the refund is kept');
    assert.ok(rows.some((row) => row[1] === '2024073X'), 'the row with an unreadable date is kept');
    assert.match(await page.locator('#status').textContent(), /all 52 transactions, each with its customer's segment/);

    assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
    assert.deepEqual(watch.pageErrors, [], 'uncaught page errors');
    assert.deepEqual(watch.cspViolations, [], 'Content-Security-Policy violations');
  } finally {
    await context.close();
  }
});

test('the columns, the as-of date and a repeat-purchase target can be chosen; a refusal is said beside the button', LONG, async () => {
  const { context, page, watch } = await app.open();
  try {
    await loadLog(page);
    // One column in two roles is refused beside the button, and nothing changes.
    await page.locator('#log-amount').selectOption('quantity');
    await page.locator('#rollup-button').click();
    await page.locator('#rollup-message', { hasText: 'cannot be both' }).waitFor({ timeout: 20000 });
    assert.equal(await page.locator('#row-count').textContent(), '52');
    await page.locator('#log-amount').selectOption('amount');

    // As of 2024-06-30: 21 later purchases are left out and counted; 4 customers had not bought yet.
    await page.locator('#log-as-of').fill('2024-06-30');
    await page.locator('#log-as-of').dispatchEvent('change');
    await rollUp(page, 16);
    const report = await page.locator('#rollup-report').textContent();
    assert.match(report, /as of 2024-06-30/);
    assert.match(report, /left out 21 rows with a date after 2024-06-30/);
    assert.equal(await page.locator('#row-count').textContent(), '16');
    assert.equal(await page.locator('#rollup-button').textContent(), 'Roll up again');

    // A 30-day repeat-purchase target: the conversion column personas are ranked by.
    await page.locator('#log-as-of').fill('');
    await page.locator('#log-as-of').dispatchEvent('change');
    await page.locator('#log-repeat').fill('30');
    await page.locator('#log-repeat').dispatchEvent('change');
    await rollUp(page, 17);
    assert.match(await page.locator('#rollup-report').textContent(), /repeat_purchase: 4 of 17 customers \(23\.5%\) bought again within 30 days after 2024-12-01/);
    await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
    await page.locator('#audience-query').fill('loyal customers');
    await page.locator('#find-variables').click();
    await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#target-column').inputValue(), 'repeat_purchase');

    assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.cspViolations, []);
  } finally {
    await context.close();
  }
});
