// Results a marketer can trust (issue #14), in a real browser on the demo file: the described audience's
// badges and its download, renaming a segment on its card, and the tiers' scheme with its switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedApp, screenshot, download, parseCsv } from './harness.mjs';

const app = servedApp();

const LONG = { timeout: 240000 };
const DESCRIPTION = 'senior tech decision makers in California who came through referrals';

/** Loads the demo, describes the audience, takes the suggested columns and segments. */
async function segmentDemo(page) {
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 30000 });
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill(DESCRIPTION);
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
}

/** RFC 4180 records (segment names may hold commas or quotes), as objects by column name. */
function rows(text) {
  const records = parseCsv(text);
  const [columns, ...data] = records;
  return data.map((cells) => Object.fromEntries(cells.map((cell, i) => [columns[i], cell])));
}

test('segments matching the description carry a badge with the reason, and only their rows can be downloaded', LONG, async () => {
  const { context, page, watch } = await app.open();
  await segmentDemo(page);
  const badged = page.locator('.segment-card:has(.audience-badge)');
  const matching = await badged.evaluateAll((cards) => cards.map((c) => Number(c.dataset.segment)));
  const total = await page.locator('.segment-card').count();
  assert.ok(matching.length >= 1 && matching.length < total, `${matching.length} of ${total} segments match`);
  const reason = await badged.first().locator('.audience-reason').textContent();
  assert.match(reason, /% are Industry Technology \(file: \d+%\)/);
  assert.match(reason, /Lead Source Referral/);
  assert.match(await page.locator('#audience-summary').textContent(), new RegExp(`${matching.length} of ${total} segments match`));
  await screenshot(page, 'results-audience');

  const sizes = await badged.locator('.segment-size').allTextContents();
  const expected = sizes.reduce((sum, size) => sum + Number(size), 0);
  await page.locator('#matching-only').check();
  const audience = await download(page, '#export-clustered-csv');
  assert.equal(audience.name, 'leads-audience.csv');
  const kept = rows(audience.text);
  assert.equal(kept.length, expected, 'every row of the matching segments, and only those');
  for (const row of kept) assert.ok(matching.includes(Number(row.segment)), `row of segment ${row.segment}`);

  await page.locator('#matching-only').uncheck();
  const every = await download(page, '#export-clustered-csv');
  assert.equal(every.name, 'leads-segments.csv');
  assert.equal(rows(every.text).length, 5000);
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.consoleErrors, []);
  await context.close();
});

test('a segment renamed on its card is named so in the downloads, and a clash is refused beside the field', LONG, async () => {
  const { context, page, watch } = await app.open();
  await segmentDemo(page);
  const cards = page.locator('.segment-card');
  const first = cards.nth(0);
  const number = Number(await first.getAttribute('data-segment'));
  const otherName = (await cards.nth(1).locator('.segment-name h3').textContent()).trim();

  await first.locator('button.rename').click();
  const field = page.locator(`#rename-${number}`);
  // The field takes the focus once drawn.
  await page.waitForFunction((id) => document.activeElement?.id === id, `rename-${number}`, { timeout: 5000 });
  await field.fill(otherName.toUpperCase());
  await first.locator('.rename-form button[type=submit]').click();
  const message = page.locator(`#rename-message-${number}`);
  await message.filter({ hasText: 'already called' }).waitFor({ timeout: 10000 });
  assert.match(await message.textContent(), new RegExp(`give segment ${number} a different name`));

  await field.fill('Referral tech buyers');
  await first.locator('.rename-form button[type=submit]').click();
  await page.locator(`.segment-card[data-segment="${number}"] .segment-name h3`, { hasText: 'Referral tech buyers' }).waitFor({ timeout: 10000 });

  const clustered = rows((await download(page, '#export-clustered-csv')).text);
  const named = clustered.filter((row) => Number(row.segment) === number);
  assert.ok(named.length > 0);
  for (const row of named) assert.equal(row.segment_name, 'Referral tech buyers');
  const personas = JSON.parse((await download(page, '#export-personas-json')).text);
  const persona = personas.personas.find((p) => p.segment === number);
  assert.equal(persona.name, 'Referral tech buyers');
  assert.match((await download(page, '#export-summary-csv')).text, /Referral tech buyers/);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('the results say which tiers they show and switch between lift and rate', LONG, async () => {
  const { context, page, watch } = await app.open();
  await segmentDemo(page);
  const scheme = page.locator('#tier-scheme');
  const before = await scheme.getAttribute('data-scheme');
  assert.ok(['lift', 'absolute'].includes(before), before);
  await page.locator('#tier-switch').click();
  const after = before === 'lift' ? 'absolute' : 'lift';
  await page.locator(`#tier-scheme[data-scheme="${after}"]`).waitFor({ timeout: 10000 });
  const personas = JSON.parse((await download(page, '#export-personas-json')).text);
  assert.equal(personas.tier_scheme, after);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

const focused = (page) => page.evaluate(() => document.activeElement?.id ?? '');

test('feedback where the user acts: focus follows each step, refusals show beside their control, skip and step links move focus', LONG, async () => {
  const { context, page, watch } = await app.open();
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  // The first Tab reaches the skip link; following it puts the focus on the steps.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await focused(page), 'main-steps');

  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 30000 });
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill(DESCRIPTION);
  await page.locator('#find-variables').click();
  await page.waitForFunction(() => document.activeElement?.id === 'variables-heading', null, { timeout: 30000 });

  // Bounds no number of segments can meet (30–32%: 3 segments are 33% each, 4 are 25%): said beside Segment.
  await page.locator('#min-share').fill('30');
  await page.locator('#min-share').dispatchEvent('change');
  await page.locator('#max-share').fill('32');
  await page.locator('#max-share').dispatchEvent('change');
  await page.locator('#run-segmentation').click();
  const refusal = page.locator('#segment-message');
  await page.waitForFunction(() => (document.querySelector('#segment-message')?.textContent ?? '').length > 0, null, { timeout: 30000 });
  assert.equal(await refusal.getAttribute('aria-live'), 'polite');
  assert.match(await refusal.textContent(), /30/);

  await page.locator('#min-share').fill('5');
  await page.locator('#min-share').dispatchEvent('change');
  await page.locator('#max-share').fill('10');
  await page.locator('#max-share').dispatchEvent('change');
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  await page.waitForFunction(() => document.activeElement?.id === 'results-heading', null, { timeout: 10000 });
  assert.equal(await refusal.textContent(), '', 'the refusal is gone once segmenting works');

  // The demo has no e-mail or phone column: the customer-match button says so beside itself.
  await page.locator('details.customer-match summary').click();
  await page.locator('.match-segment').first().check();
  await page.locator('#export-customer-match').click();
  await page.locator('#customer-match-message', { hasText: 'e-mail or phone' }).waitFor({ timeout: 10000 });

  // A step link moves the focus to its step.
  await page.locator('nav.steps a[href="#segment-heading"]').click();
  assert.equal(await focused(page), 'segment-heading');
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});
