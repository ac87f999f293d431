// Step 1's enrichment join in a real browser: a customer file with ZIP codes, a ZCTA-level census extract
// with ACS-coded columns; the coverage shown is exact and the census columns become selectable variables
// under their catalog labels. Also: an "exclude" role keeps a column out of the Variables step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { servedApp, screenshot, FIXTURES, whenReady } from './harness.mjs';

const app = servedApp();

const LABELS = [
  'Median household income in the past 12 months (in 2019 inflation-adjusted dollars) (B19013_001E)',
  'Total population (B01003_001E)',
  'Median value (dollars) (B25077_001E)',
];

test('an enrichment file joins on ZIP with exact coverage and catalog-labelled variables', async () => {
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(join(FIXTURES, 'enrichment-customers.csv'));
  await page.locator('#row-count', { hasText: '10' }).waitFor({ timeout: 20000 });
  // The catalog labels the census columns, so let it load before joining.
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });

  await page.locator('#enrichment-input').setInputFiles(join(FIXTURES, 'enrichment-census-zcta.csv'));
  await page.locator('#join-button').waitFor({ timeout: 20000 });
  // The shared-name rule does not apply (zip vs ZCTA): the ZIP-like column and the first column are proposed.
  assert.equal(await page.locator('#customer-key').inputValue(), 'zip');
  assert.equal(await page.locator('#enrichment-key').inputValue(), 'ZCTA');
  await page.locator('#join-button:not([disabled])').click();
  await page.locator('#join-coverage').waitFor({ timeout: 20000 });

  // By hand: C001, C002 (2139 = 02139), C003, C004, C005, C006, C009 match; C007 has no ZIP;
  // C008 (73301) and C010 (99999) have no census row. 10001 appears twice: the first row is kept.
  assert.equal(await page.locator('#matched-count').textContent(), '7');
  assert.equal(await page.locator('#unmatched-count').textContent(), '3');
  assert.match(await page.locator('#missing-key-count').textContent(), /^1 row\(s\)/);
  assert.match(await page.locator('#duplicate-keys').textContent(), /^1 key\(s\) .*1 rows set aside.*10001/);
  assert.equal(await page.locator('#column-count').textContent(), '8');
  const names = await page.locator('#preview-table thead .column-name').allTextContents();
  assert.deepEqual(names.slice(5), LABELS);
  await screenshot(page, 'data-enrichment');

  // Exclude a column: it must not be offered in the Variables step.
  await page.locator('#column-role-2').selectOption('exclude');

  await page.locator('#data-kind').selectOption('third_party');
  await page.locator('#audience-query').fill('high income households in expensive areas');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
  const offered = await page.locator('#column-choices tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.column));
  for (const label of LABELS) assert.ok(offered.includes(label), `${label} offered in ${offered}`);
  assert.ok(!offered.includes('plan'), `the excluded column is not offered: ${offered}`);
  assert.ok(!offered.includes('converted'), 'the conversion column is not offered');
  // Each enrichment column can be checked by the user.
  for (const label of LABELS) {
    const box = page.locator(`#column-choices tr[data-column="${label}"] input[type=checkbox]`);
    await box.check();
    assert.ok(await box.isChecked());
  }
  await screenshot(page, 'data-enrichment-variables');
  assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
  assert.deepEqual(watch.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(watch.cspViolations, [], 'Content-Security-Policy violations');
  await context.close();
});

test('changing a column type re-reads it, and an impossible type says why', async () => {
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(join(FIXTURES, 'enrichment-customers.csv'));
  await page.locator('#row-count', { hasText: '10' }).waitFor({ timeout: 20000 });
  // monthly_spend (column 4) is numeric; read it as categorical.
  assert.equal(await page.locator('#preview-table thead th:nth-child(4) .column-type').textContent(), 'numeric');
  await page.locator('#column-type-3').selectOption('categorical');
  await page.locator('#preview-table thead th:nth-child(4) .column-type', { hasText: 'categorical' }).waitFor({ timeout: 20000 });
  // plan (column 3) holds words: it cannot be numeric.
  const planType = await page.locator('#preview-table thead th:nth-child(3) .column-type').textContent();
  await page.locator('#column-type-2:not([disabled])').selectOption('numeric');
  const status = page.locator('#status.status-error');
  await status.waitFor({ timeout: 20000 });
  assert.match(await status.textContent(), /^"plan" cannot be read as numeric: /);
  assert.equal(await page.locator('#preview-table thead th:nth-child(3) .column-type').textContent(), planType);
  assert.equal(await page.locator('#column-type-2').inputValue(), planType, 'the select shows the type kept');
  assert.deepEqual(watch.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(watch.cspViolations, [], 'Content-Security-Policy violations');
  await context.close();
});
