// Ready to activate, end to end in Chromium on tests/fixtures/activation-customers.csv (40 made-up
// customers; by hand: 24 in CA or NY, 23 aged 30 or more, 14 both; among the CA/NY customers 10 on the pro
// plan, all in CA, with one bad e-mail `bob@`, and 14 on basic with one bad phone `555-CALL-NOW`):
// filter with live counts → segment the filtered rows → holdout exact per segment → coverage shown with
// platform minimums → upload files for six platforms downloaded and checked → two segments compared →
// zero requests to other origins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedApp, screenshot, FIXTURES, download, whenReady } from './harness.mjs';

const app = servedApp();

const LONG = { timeout: 240000 };
const FIXTURE = join(FIXTURES, 'activation-customers.csv');
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Plain comma-separated rows (no quoted cells in the fixture or these downloads). */
const rowsOf = (text) => text.trim().split(/\r?\n/).map((line) => line.split(','));

/** Clicks `selector` and collects the `count` downloads it starts. */
async function downloads(page, selector, count) {
  const files = [];
  const done = new Promise((resolve) => {
    const on = async (file) => {
      files.push({ name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') });
      if (files.length === count) { page.off('download', on); resolve(); }
    };
    page.on('download', on);
  });
  await page.locator(selector).click();
  await Promise.race([done, new Promise((_, fail) => setTimeout(() => fail(new Error(`${files.length} of ${count} downloads`)), 30000))]);
  return files;
}

async function setRule(page, id, column, op, value) {
  await page.locator(`#filter-column-${id}`).selectOption(column);
  await page.locator(`#filter-op-${id}`).selectOption(op);
  if (value !== undefined) await page.locator(`#filter-value-${id}`).fill(value);
}

const countOf = (page, id) => page.locator(`li.filter-rule[data-rule="${id}"] .filter-count`);

test('filter → segment → holdout → coverage → six platforms → compare, all in the tab', LONG, async () => {
  const { context, page, watch } = await app.open();
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(FIXTURE);
  await page.locator('#row-count', { hasText: '40' }).waitFor({ timeout: 30000 });
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill('customers on the pro plan by age');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
  // Segment on plan and age only.
  for (const box of await page.locator('#column-choices tbody tr input[type=checkbox]').all()) await box.uncheck();
  for (const column of ['plan', 'age']) {
    await page.locator(`#column-choices tr[data-column="${column}"] input[type=checkbox]`).check();
  }

  // 1. Filters with live counts, before anything runs.
  await page.locator('#add-filter-rule').click();
  await setRule(page, 0, 'state', 'one-of', 'CA, NY');
  await countOf(page, 0).filter({ hasText: '24 customers' }).waitFor({ timeout: 20000 });
  await page.locator('#filter-total', { hasText: 'keeps 24 of 40 customers' }).waitFor({ timeout: 20000 });
  await page.locator('#add-filter-rule').click();
  await setRule(page, 1, 'age', 'at-least', 'thirty');
  await countOf(page, 1).filter({ hasText: 'Type a number for “age”' }).waitFor({ timeout: 20000 });
  await page.locator('#filter-value-1').fill('30');
  await countOf(page, 1).filter({ hasText: '23 customers' }).waitFor({ timeout: 20000 });
  await page.locator('#filter-total', { hasText: 'keeps 14 of 40 customers' }).waitFor({ timeout: 20000 });
  await page.locator('#filter-any').check();
  await page.locator('#filter-total', { hasText: 'keeps 33 of 40 customers' }).waitFor({ timeout: 20000 });
  await page.locator('#filter-all').check();
  // A column the file does not have is said beside its rule, in words.
  await page.locator('li.filter-rule[data-rule="1"] .remove-rule').click();
  await page.locator('#filter-total', { hasText: 'keeps 24 of 40 customers' }).waitFor({ timeout: 20000 });
  await screenshot(page, 'activation-filter');

  await page.locator('#bounded').uncheck();
  await page.locator('#k-fixed').check();
  await page.locator('#k-value').fill('2');
  await page.locator('#k-value').dispatchEvent('change');
  await page.locator('#seed').fill('7');
  await page.locator('#seed').dispatchEvent('change');
  await page.locator('#run-segmentation:not([disabled])').click();
  await page.locator('#results-summary').waitFor(LONG);
  assert.match(await page.locator('#filter-summary').textContent(), /“state in CA, NY”: 24 of 40 customers segmented/);
  const sizes = (await page.locator('.segment-size').allTextContents()).map(Number).sort((a, b) => a - b);
  assert.deepEqual(sizes, [10, 14], 'the 24 filtered customers, pro and basic');

  // Which segment is pro, from the clustered CSV (filtered-out rows marked, not dropped).
  const plain = rowsOf((await download(page, '#export-clustered-csv')).text);
  const header = plain[0];
  const col = (name) => [...header, 'holdout'].indexOf(name);
  assert.equal(plain.length, 41, 'every customer of the file, none dropped');
  assert.equal(plain.filter((r) => r[col('in_filter')] === 'yes').length, 24);
  const proSegment = plain.find((r) => r[col('plan')] === 'pro' && r[col('in_filter')] === 'yes')[col('segment')];
  const basicSegment = proSegment === '1' ? '2' : '1';

  // 2. Holdout: 25% of 10 → 3 (2.5 rounds up), of 14 → 4 (3.5 rounds up).
  await page.locator('#activation summary').click();
  await page.locator('#holdout-share').fill('25');
  await page.locator('#holdout-share').dispatchEvent('change');
  await page.locator('#draw-holdout').click();
  await page.locator('#holdout-table').waitFor({ timeout: 20000 });
  const heldOut = async (segment) => page.locator(`#holdout-table tr[data-segment="${segment}"] .held-out`).textContent();
  assert.equal(await heldOut(proSegment), '3');
  assert.equal(await heldOut(basicSegment), '4');
  const clustered = rowsOf((await download(page, '#export-clustered-csv')).text);
  assert.deepEqual(clustered[0], [...header, 'holdout'], 'a holdout column once a control group is drawn');
  const held = clustered.filter((r) => r[col('holdout')] === 'yes');
  assert.equal(held.length, 7);
  assert.equal(held.filter((r) => r[col('segment')] === proSegment).length, 3);
  const control = rowsOf((await download(page, '#export-holdout')).text);
  assert.equal(control.length, 1 + 7, 'the control group as its own file');
  const personas = JSON.parse((await download(page, '#export-personas-json')).text);
  assert.equal(personas.activation.filter.kept, 24);
  assert.equal(personas.activation.holdout.per_segment.reduce((n, s) => n + s.held_out, 0), 7);

  // 3. Coverage before export, with platform minimums and their sources beside the platforms.
  await page.locator('#check-coverage').click();
  await page.locator('#coverage-table').waitFor({ timeout: 20000 });
  const members = async (segment) => page.locator(`#coverage-table tr[data-segment="${segment}"] td`).first().textContent();
  assert.equal(await members(proSegment), '7', 'the control group is left out of the upload lists');
  assert.equal(await members(basicSegment), '10');
  const linkedin = page.locator(`#minimum-warnings li[data-segment="${proSegment}"][data-destination="linkedin"]`);
  assert.match(await linkedin.textContent(), /below the 300 that LinkedIn needs/);
  assert.equal(await linkedin.locator('a').getAttribute('href'), 'https://linkedin.com/help/lms/answer/a1489764');

  // 4. Upload files: six platforms × two segments, skipped rows counted beside the button.
  const files = await downloads(page, '#export-destinations', 12);
  const file = (slug, segment) => files.find((f) => f.name.startsWith(`customer-match-${slug}-segment-${segment}`));
  assert.match(file('tiktok', proSegment).text, /^Email_SHA256,Phone_SHA256\n/);
  assert.match(file('linkedin', proSegment).text, /^email,firstname,lastname,jobtitle,employeecompany,country,googleaid\n/);
  assert.match(file('hashed-email', basicSegment).text, /^email_sha256\n/);
  assert.ok(!file('x', proSegment).text.startsWith('email'), 'X files have no header');
  // Customer C1000 (pro, CA), written " Ann.Adams0@Example.COM ": trimmed and lower-cased, then hashed.
  const ann = sha256('ann.adams0@example.com');
  assert.equal(ann, 'bd02b17356adf221dc02a74028a6079010614cfacbb286d04a7bac1fee82cc47');
  const annHeld = clustered.find((r) => r[col('customer_id')] === 'C1000')[col('holdout')] === 'yes';
  for (const slug of ['tiktok', 'x', 'linkedin', 'hashed-email']) {
    assert.equal(file(slug, proSegment).text.includes(ann), !annHeld, `${slug}: C1000 uploaded unless held out`);
  }
  const uploaded = files.map((f) => f.text).join('\n');
  for (const row of held) {
    const email = row[col('email')].trim().toLowerCase();
    if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) assert.ok(!uploaded.includes(sha256(email)), `${email} is held out`);
  }
  assert.match(await page.locator('#destinations-message').textContent(), /Downloaded 12 files\. .*skipped/);

  // 5. Compare the pro segment with everyone else: plan differs most (score 1), conversion +48.6 points.
  await page.locator('#compare summary').click();
  await page.locator('#compare-a').selectOption(proSegment);
  await page.locator('#compare-b').selectOption('rest');
  await page.locator('#run-compare').click();
  await page.locator('#compare-table').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#compare-table tbody tr').first().getAttribute('data-column'), 'plan');
  assert.equal(await page.locator('#compare-table tbody tr .score').first().textContent(), '1.00');
  assert.match(await page.locator('#compare-measure').textContent(), /from 0 \(the same\) to 1 \(no overlap\)/);
  assert.match(await page.locator('#compare-conversion').textContent(), /7 of 10.*3 of 14.*\+48\.6 points \(95% interval/);
  assert.ok(await page.locator('.compare-variable[data-column="plan"] svg').count() === 1, 'a chart per top variable');
  // Readable on a 360 px phone: nothing of the comparison runs off the screen.
  await page.setViewportSize({ width: 360, height: 800 });
  const widest = await page.locator('#comparison svg, #comparison figure').evaluateAll((els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)));
  assert.ok(widest <= 360, `charts fit 360 px (right edge ${widest})`);
  // Nothing in the open activation and comparison panels runs off the screen.
  const overflowing = await page.locator('#activation *, #compare *, #filters *').evaluateAll((els) => els
    .filter((e) => e.getBoundingClientRect().right > 361 && !e.closest('.table-scroll'))
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className?.baseVal ?? e.className} ${Math.round(e.getBoundingClientRect().right)}`));
  assert.deepEqual(overflowing, [], 'elements wider than 360 px');
  await screenshot(page, 'activation-compare-360');

  assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.cspViolations, []);
  await context.close();
});
