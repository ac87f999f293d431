// The whole workflow in a real browser on the demo data: load → describe → confirm variables → segment →
// every segment within the bounds → each export downloads and parses. Plus Cancel during segmentation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedApp, screenshot, DIST, download, whenReady, parseCsv } from './harness.mjs';

const app = servedApp();

const LONG = { timeout: 180000 };

async function loadDemo(page) {
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 20000 });
  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 20000 });
}

async function describeAndSuggest(page, text) {
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill(text);
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
}

test('the whole flow on the demo data: bounds hold and every export parses', LONG, async () => {
  const { context, page, watch } = await app.open();
  await loadDemo(page);
  await screenshot(page, 'step1-data');
  await describeAndSuggest(page, 'senior tech decision makers in California who came through referrals');
  assert.equal(await page.locator('#target-column').inputValue(), 'is_sale', 'the conversion column is detected');
  const checked = await page.locator('#column-choices tr:has(input[type=checkbox]:checked)').evaluateAll((rows) => rows.map((r) => r.dataset.column));
  for (const column of ['Industry', 'Job Title', 'State', 'Lead Source']) {
    assert.ok(checked.includes(column), `${column} is suggested for the description (checked: ${checked})`);
  }
  const names = await page.locator('#column-choices tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.column));
  assert.ok(!names.includes('is_sale'), 'the conversion column is not offered for clustering');
  await screenshot(page, 'step3-variables');

  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  await screenshot(page, 'step5-results');

  const shares = await page.locator('.segment-card').evaluateAll((cards) => cards.map((c) => Number(c.dataset.share)));
  assert.ok(shares.length >= 10 && shares.length <= 20, `k=${shares.length} within 10..20`);
  for (const share of shares) assert.ok(share >= 0.05 && share <= 0.10, `share ${share} within 5–10%`);
  const sizes = await page.locator('.segment-size').allTextContents();
  const demo = await readFile(join(DIST, 'demo', 'leads.csv'), 'utf8');
  const inputRows = parseCsv(demo);
  assert.equal(sizes.reduce((sum, size) => sum + Number(size), 0), inputRows.length - 1, 'every row is in a segment');
  const tiers = await page.locator('.segment-card .tier').allTextContents();
  assert.equal(tiers.length, shares.length, 'each segment has a value tier');
  for (const tier of tiers) assert.match(tier, /^(PREMIUM|HIGH|MEDIUM|LOW|MINIMAL)$/);

  const clustered = await download(page, '#export-clustered-csv');
  const clusteredRows = parseCsv(clustered.text);
  assert.equal(clusteredRows.length, inputRows.length, 'the clustered CSV has exactly the input rows');
  assert.deepEqual(clusteredRows[0], [...inputRows[0], 'segment', 'segment_name']);
  for (let i = 1; i < inputRows.length; i += 1) {
    assert.deepEqual(clusteredRows[i].slice(0, inputRows[0].length), inputRows[i], `row ${i} unchanged`);
  }
  const personas = JSON.parse((await download(page, '#export-personas-json')).text);
  assert.equal(personas.schema, 'audience-builder/personas');
  assert.equal(personas.personas.length, shares.length);
  const summary = parseCsv((await download(page, '#export-summary-csv')).text);
  assert.equal(summary.length, shares.length + 1, 'one summary row per segment plus the header');

  assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.cspViolations, []);
  await context.close();
});

test('Cancel stops a running segmentation and the page keeps working', LONG, async () => {
  const { context, page, watch } = await app.open();
  await loadDemo(page);
  // A retype before segmenting: the restarted engine must restore it, not fall back to the inferred type.
  const experience = page.locator('#preview-table thead th:nth-child(6) .column-type');
  assert.equal(await experience.textContent(), 'ordinal', 'Years of Experience is read as ordinal bands');
  await page.locator('#column-type-5').selectOption('categorical');
  await page.locator('#preview-table thead th:nth-child(6) .column-type', { hasText: 'categorical' }).waitFor({ timeout: 20000 });
  await describeAndSuggest(page, 'experienced healthcare professionals with a master\'s degree');
  // Segment and Cancel within one task of the page: the demo segments in under a second, and on a busy
  // machine it finished between two separate clicks. Cancel is shown by a render that runs in a microtask
  // after Segment's click; the engine's answer, a message, can only be handled in a later task, when the
  // worker it came from is gone.
  const cancelled = await page.evaluate(async () => {
    document.querySelector('#run-segmentation').click();
    for (let tick = 0; tick < 1000 && !document.querySelector('#cancel-segmentation'); tick += 1) {
      await Promise.resolve();
    }
    const cancel = document.querySelector('#cancel-segmentation');
    cancel?.click();
    return cancel !== null;
  });
  assert.ok(cancelled, 'Cancel is shown as soon as the segmentation starts');
  await page.locator('#status', { hasText: 'cancelled' }).waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#results-summary').count(), 0, 'no results after Cancel');
  await screenshot(page, 'step4-cancelled');
  // The restarted engine has the file again, with the retype, and segments on request, here with a fixed k.
  await page.locator('#status', { hasText: 'Segmentation cancelled. Read 5000 rows; restored 1 column type.' }).waitFor({ timeout: 30000 });
  assert.equal(await experience.textContent(), 'categorical', 'the retype survives the restart');
  assert.equal(await page.locator('#column-type-5').inputValue(), 'categorical');
  await page.locator('#k-fixed').check();
  await page.locator('#k-value').fill('12');
  await page.locator('#k-value').dispatchEvent('change');
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  assert.equal(await page.locator('.segment-card').count(), 12);
  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('customer-match files hold SHA-256 hashes of the normalised identifiers of the chosen segment', LONG, async () => {
  const { createHash } = await import('node:crypto');
  const { FIXTURES } = await import('./harness.mjs');
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(join(FIXTURES, 'contacts.csv'));
  await page.locator('#row-count').waitFor({ timeout: 20000 });
  await describeAndSuggest(page, 'pro plan customers in Austin');
  await page.locator('#bounded').uncheck();
  await page.locator('#k-fixed').check();
  await page.locator('#k-value').fill('4');
  await page.locator('#k-value').dispatchEvent('change');
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  await page.locator('.customer-match summary').click();
  const file = await download(page, '#export-customer-match');
  assert.match(file.name, /google/);
  const rows = parseCsv(file.text);
  const header = rows[0];
  assert.ok(header.includes('Email') && header.includes('Phone'), `header ${header}`);
  const fixture = parseCsv(await readFile(join(FIXTURES, 'contacts.csv'), 'utf8')).slice(1);
  const sha = (text) => createHash('sha256').update(text).digest('hex');
  const emailHashes = new Set(fixture.map((row) => row[0].trim().toLowerCase()).filter(Boolean).map(sha));
  const phoneHashes = new Set(fixture.map((row) => row[1]).filter(Boolean).map((phone) => sha(`+1${phone.replace(/\D/g, '')}`)));
  const emailColumn = header.indexOf('Email');
  const phoneColumn = header.indexOf('Phone');
  assert.ok(rows.length > 1, 'some rows written');
  for (const row of rows.slice(1)) {
    assert.ok(row[emailColumn] === '' || emailHashes.has(row[emailColumn]), `email hash ${row[emailColumn]}`);
    assert.ok(row[phoneColumn] === '' || phoneHashes.has(row[phoneColumn]), `phone hash ${row[phoneColumn]}`);
    assert.ok(row[emailColumn] !== '' || row[phoneColumn] !== '', 'every written row has an identifier');
  }
  const status = await page.locator('#status').textContent();
  const written = Number(status.match(/(\d+) of \d+ rows written/)[1]);
  assert.equal(rows.length - 1, written, 'the status counts the rows written');
  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('saved audience settings survive a reload and restore the description and columns', LONG, async () => {
  const { context, page, watch } = await app.open();
  await loadDemo(page);
  await describeAndSuggest(page, 'entry-level marketing staff from paid social');
  // Hand-pick exactly Gender (weight 2) besides what was suggested, then save.
  await page.locator('#column-choices tr[data-column="Gender"] input[type=checkbox]').check();
  await page.locator('#column-choices tr[data-column="Gender"] input.weight').fill('2');
  await page.locator('#column-choices tr[data-column="Gender"] input.weight').dispatchEvent('change');
  const before = await page.locator('#column-choices tr:has(input[type=checkbox]:checked)').evaluateAll((rows) => rows.map((r) => r.dataset.column));
  await page.locator('#saved-audiences summary').click();
  await page.locator('#audience-name').fill('Junior marketers');
  await page.locator('#save-audience').click();
  await page.locator('#status', { hasText: 'Saved “Junior marketers”' }).waitFor({ timeout: 10000 });
  await page.locator('#make-settings-string').click();
  const shared = JSON.parse(await page.locator('#settings-string').inputValue());
  assert.equal(shared.query, 'entry-level marketing staff from paid social');
  assert.deepEqual(shared.columns.find(([column]) => column === 'Gender'), ['Gender', 2]);

  await page.reload();
  await loadDemo(page);
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#saved-audiences summary').click();
  await page.locator('.saved-audience', { hasText: 'Junior marketers' }).locator('.restore-audience').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#audience-query').inputValue(), 'entry-level marketing staff from paid social');
  const after = await page.locator('#column-choices tr:has(input[type=checkbox]:checked)').evaluateAll((rows) => rows.map((r) => r.dataset.column));
  assert.deepEqual(after.sort(), before.sort());
  assert.equal(await page.locator('#column-choices tr[data-column="Gender"] input.weight').inputValue(), '2');
  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('segmenting on a column that cannot tell customers apart is said, and tied segments are named so', LONG, async () => {
  const { context, page, watch } = await app.open();
  await loadDemo(page);
  await describeAndSuggest(page, 'customers by gender');
  // Only Gender (4 values) for automatic k of 10 to 20 segments: the segments must repeat profiles.
  for (const box of await page.locator('#column-choices input[type=checkbox]:checked').all()) await box.uncheck();
  await page.locator('#column-choices tr[data-column="Gender"] input[type=checkbox]').check();
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  const warnings = await page.locator('#results-warnings').textContent();
  assert.match(warnings, /only 4 different customer profiles/);
  const names = await page.locator('.segment-card h3').allTextContents();
  assert.ok(names.some((name) => /same profile as segments? \d+/.test(name)), `tied segments named so: ${names}`);
  await screenshot(page, 'results-tied-segments');
  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});
