// Files a marketer can make readable and results they can act on (issues #14 and #16), in a real browser:
// catalog results as concepts, columns of unknown meaning described by a data dictionary or by hand, column
// rename, the value that means converted, "More like this" undone, the tier choice kept across runs, the
// focus after renaming a segment, a saved audience restored on another file, and charts on a 360 px screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { servedApp, FIXTURES, download, whenReady } from './harness.mjs';

const app = servedApp();

const LONG = { timeout: 300000 };
const CODED = join(FIXTURES, 'coded-policies.csv');

/** The catalog's state shows once a file is read. */
async function catalogLoaded(page) {
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 90000 });
}

async function loadDemo(page) {
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  await page.locator('#demo-button').click();
  await page.locator('#preview-heading', { hasText: 'leads.csv' }).waitFor({ timeout: 30000 });
  await catalogLoaded(page);
}

async function loadFile(page, path, rows) {
  await page.locator('#file-input').setInputFiles(path);
  await page.locator('#row-count', { hasText: String(rows) }).waitFor({ timeout: 30000 });
  await catalogLoaded(page);
}

async function describe(page, text) {
  await page.locator('#audience-query').fill(text);
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
}

async function segment(page) {
  await page.locator('#run-segmentation:not([disabled])').click();
  await page.locator('#results-summary').waitFor(LONG);
}

function clean(watch) {
  assert.deepEqual(watch.foreignRequests, [], 'no request leaves the origin');
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.consoleErrors, []);
}

test('the catalog lists ten different concepts, each expandable to its variables with the best pre-selected; "More like this" can be undone', LONG, async () => {
  const { context, page, watch } = await app.open();
  try {
    await whenReady(page);
    await loadDemo(page);
    await describe(page, 'affluent households with high income');
    const concepts = page.locator('.catalog-concept');
    await concepts.first().waitFor({ timeout: 30000 });
    const tables = await concepts.evaluateAll((items) => items.map((item) => item.dataset.table));
    assert.equal(tables.length, 10, `ten concepts: ${tables}`);
    assert.equal(new Set(tables).size, 10, `ten different tables: ${tables}`);
    const titles = await page.locator('.catalog-concept .concept-title').allTextContents();
    for (const title of titles) assert.match(title, /\(\w+\) · \d+ variables?$/, title);
    // Expanding a concept lists its matching variables, the best one(s) checked and the rest not.
    const first = concepts.first();
    const summary = await first.locator('.concept-variables summary').textContent();
    const [, listed, preselected] = summary.match(/(\d+) matching variables?, (\d+) pre-selected/).map(Number);
    await first.locator('.concept-variables summary').click();
    const boxes = first.locator('input.concept-variable');
    assert.equal(await boxes.count(), listed);
    assert.ok(preselected >= 1 && preselected <= listed);
    const checked = await boxes.evaluateAll((items) => items.map((item) => item.checked));
    assert.deepEqual(checked, checked.map((_, i) => i < preselected), `${summary}: ${checked}`);

    // "More like this" replaces the description and the column choices; Undo puts both back.
    const state = page.locator('#column-choices tr[data-column="State"] input[type=checkbox]');
    const before = await state.isChecked();
    await state.setChecked(!before);
    await first.locator('.more-like-this').click();
    await page.locator('#undo-more-like-this').waitFor({ timeout: 30000 });
    assert.notEqual(await page.locator('#audience-query').inputValue(), 'affluent households with high income');
    await page.locator('#undo-more-like-this').click();
    await page.locator('#undo-more-like-this').waitFor({ state: 'detached', timeout: 30000 });
    await page.waitForFunction(() => document.querySelector('#audience-query').value === 'affluent households with high income');
    // The choices come back once the suggestions for the old description are in.
    await page.waitForFunction((wanted) => {
      const box = document.querySelector('#column-choices tr[data-column="State"] input[type=checkbox]');
      return box && box.checked === wanted;
    }, !before, { timeout: 30000 });
    clean(watch);
  } finally {
    await context.close();
  }
});

test('coded columns say "meaning unknown" until a data dictionary or a typed description says what they hold', LONG, async () => {
  const { context, page, watch } = await app.open();
  try {
    await whenReady(page);
    await loadFile(page, CODED, 40);
    await describe(page, 'customers with many car policies');
    const mostype = page.locator('#column-choices tr[data-column="MOSTYPE"]');
    const mrelsa = page.locator('#column-choices tr[data-column="MRELSA"]');
    for (const row of [mostype, mrelsa]) {
      assert.match(await row.locator('td.relevance').textContent(), /meaning unknown/);
      assert.equal(await row.locator('meter').count(), 0, 'no made-up relevance');
    }
    assert.equal(await page.locator('#column-choices tr[data-column="age"] .meaning-unknown').count(), 0);

    await page.locator('#dictionary-input').setInputFiles({
      name: 'codebook.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Column,Description\nMOSTYPE,Number of car policies\nMFOO,Not in this file\n'),
    });
    await page.locator('#dictionary-message', { hasText: 'codebook.csv' }).waitFor({ timeout: 30000 });
    assert.match(await page.locator('#dictionary-message').textContent(), /1 column is described \(MOSTYPE\).*1 of its names are not columns of your file \(MFOO\)/);
    await mostype.locator('meter').waitFor({ timeout: 30000 });
    assert.match(await mostype.locator('td.why').textContent(), /described as “Number of car policies”/);
    assert.ok(await mostype.locator('input[type=checkbox]').isChecked(), 'the described column matches the request');

    // A description typed on the row works the same way.
    await mrelsa.locator('.describe-column input[type=text]').fill('share of married households in the area');
    await mrelsa.locator('.describe-column button[type=submit]').click();
    await mrelsa.locator('meter').waitFor({ timeout: 30000 });
    assert.match(await mrelsa.locator('td.why').textContent(), /described as “share of married households in the area”/);
    clean(watch);
  } finally {
    await context.close();
  }
});

test('a renamed column is used in the segments and downloads, and the chosen value of a two-valued column means converted', LONG, async () => {
  const { context, page, watch } = await app.open();
  try {
    await whenReady(page);
    await loadFile(page, CODED, 40);
    // Rename MOSTYPE in the preview; the focus comes back to its Rename button.
    const index = await page.locator('#preview-table thead th').evaluateAll((cells) =>
      cells.findIndex((cell) => cell.querySelector('.column-name').textContent === 'MOSTYPE'));
    await page.locator(`#rename-column-${index}`).click();
    await page.locator(`#column-name-input-${index}`).fill('car_policies');
    await page.locator(`#column-name-input-${index}`).press('Enter');
    await page.locator('#preview-table .column-name', { hasText: 'car_policies' }).waitFor({ timeout: 30000 });
    await page.waitForFunction((id) => document.activeElement?.id === id, `rename-column-${index}`);
    // Another column's name is refused beside the field.
    await page.locator(`#rename-column-${index}`).click();
    await page.locator(`#column-name-input-${index}`).fill('plan');
    await page.locator(`#column-name-input-${index}`).press('Enter');
    await page.locator(`#rename-column-message-${index}`, { hasText: 'already has a column called "plan"' }).waitFor({ timeout: 30000 });

    // The two-valued text column can be the conversion column, with the value that means converted.
    await describe(page, 'customers with many car policies');
    await page.locator('#target-column').selectOption('outcome');
    await page.locator('#positive-value').selectOption('renewed');
    const boxes = page.locator('#column-choices tbody tr input[type=checkbox]');
    for (const box of await boxes.all()) await box.uncheck();
    await page.locator('#column-choices tr[data-column="car_policies"] input[type=checkbox]').check();
    await page.locator('#bounded').uncheck();
    await page.locator('#k-fixed').check();
    await page.locator('#k-value').fill('2');
    await page.locator('#k-value').dispatchEvent('change');
    await segment(page);
    // By hand: 16 of the fixture's 40 rows renewed.
    assert.match(await page.locator('#results-step').textContent(), /The whole file converts at 40(\.0)?% \(outcome\)/);
    const cards = await page.locator('.segment-card').allTextContents();
    assert.ok(cards.some((text) => /car[ _]polic/i.test(text)), `traits use the new name: ${cards.join(' | ')}`);
    const csv = (await download(page, '#export-clustered-csv')).text;
    assert.ok(csv.startsWith('customer_id,age,car_policies,MRELSA,plan,outcome,'), csv.slice(0, 80));
    clean(watch);
  } finally {
    await context.close();
  }
});

test('the tier choice is kept for the next run; renaming a segment moves the focus to its card', LONG, async () => {
  const { context, page, watch } = await app.open();
  try {
    await whenReady(page);
    await loadDemo(page);
    await describe(page, 'senior tech decision makers');
    await segment(page);
    const scheme = page.locator('#tier-scheme');
    const first = await scheme.getAttribute('data-scheme');
    await page.locator('#tier-switch').click();
    await page.waitForFunction((old) => document.querySelector('#tier-scheme')?.dataset.scheme !== old, first);
    const chosen = await scheme.getAttribute('data-scheme');
    await segment(page);
    await page.locator('#tier-scheme').waitFor();
    assert.equal(await page.locator('#tier-scheme').getAttribute('data-scheme'), chosen, 'the second run keeps the choice');

    const card = page.locator('.segment-card').first();
    const number = await card.getAttribute('data-segment');
    await card.locator('button.rename').click();
    await page.locator(`#rename-${number}`).fill('Tech leaders');
    await page.locator(`#rename-${number}`).press('Enter');
    await page.locator(`#segment-title-${number}`, { hasText: 'Tech leaders' }).waitFor({ timeout: 30000 });
    await page.waitForFunction((id) => document.activeElement?.id === id, `segment-title-${number}`);
    clean(watch);
  } finally {
    await context.close();
  }
});

test('a saved audience restored on another file says what did not match and keeps the conversion column', LONG, async () => {
  const { context, page, watch } = await app.open();
  try {
    await whenReady(page);
    await loadFile(page, CODED, 40);
    await describe(page, 'customers with many car policies');
    await page.locator('#target-column').selectOption('outcome');
    const saved = await page.locator('#column-choices tbody tr').evaluateAll((rows) => rows
      .filter((row) => row.querySelector('input[type=checkbox]').checked)
      .map((row) => row.dataset.column));
    assert.ok(saved.length > 0);
    await page.locator('#saved-audiences summary').click();
    await page.locator('#audience-name').fill('Policies');
    await page.locator('#save-audience').click();

    // The demo has none of these columns, and its own conversion column (is_sale).
    await loadDemo(page);
    await page.locator('#preview-heading', { hasText: 'leads.csv' }).waitFor({ timeout: 30000 });
    if (!(await page.locator('#saved-audiences').evaluate((details) => details.open))) {
      await page.locator('#saved-audiences summary').click();
    }
    await page.locator('.restore-audience').first().click();
    const message = page.locator('#restore-message');
    await message.locator('text=Restored').waitFor({ timeout: 30000 });
    const text = await message.textContent();
    assert.match(text, new RegExp(`None of its ${saved.length} saved columns`), text);
    for (const column of saved) assert.ok(text.includes(`“${column}”`), `${column} named: ${text}`);
    assert.match(text, /The conversion column “outcome” is not in this file; “is_sale” stays the conversion column\./);
    assert.ok(await page.locator('#column-choices tbody input[type=checkbox]:checked').count() > 0, 'the suggested columns stay checked');
    assert.equal(await page.locator('#target-column').inputValue(), 'is_sale', 'the conversion column is kept');
    clean(watch);
  } finally {
    await context.close();
  }
});

test('charts stay readable on a 360 px screen', LONG, async () => {
  const { context, page, watch } = await app.open({ viewport: { width: 360, height: 780 } });
  try {
    await whenReady(page);
    await loadDemo(page);
    await describe(page, 'senior tech decision makers');
    await segment(page);
    await page.locator('#result-charts .chart-svg svg').first().waitFor();
    const sizes = await page.locator('#result-charts .chart-svg svg').evaluateAll((svgs) => svgs.map((svg) => {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const fonts = [...svg.querySelectorAll('text[font-size]')].map((t) => Number(t.getAttribute('font-size')));
      return { chart: svg.closest('figure').dataset.chart, smallest: Math.min(...fonts) * scale };
    }));
    assert.ok(sizes.length >= 3, JSON.stringify(sizes));
    for (const { chart, smallest } of sizes) assert.ok(smallest >= 10, `${chart}: smallest text ${smallest.toFixed(1)} px`);
    // Each chart's data table opens with its caption and rows.
    const figures = page.locator('#result-charts figure.chart');
    const charts = await figures.count();
    for (let i = 0; i < charts; i += 1) {
      const figure = figures.nth(i);
      await figure.locator('summary', { hasText: 'Data table' }).click();
      await figure.locator('table caption').waitFor();
      assert.ok((await figure.locator('table caption').textContent()).trim().length > 0, `chart ${i}: a caption`);
      assert.ok(await figure.locator('table tbody tr').count() > 0, `chart ${i}: rows`);
    }
    // Nothing wider than the screen except inside a scrolling box (the opened tables included).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 360, `the page is ${overflow} px wide`);
    clean(watch);
  } finally {
    await context.close();
  }
});
