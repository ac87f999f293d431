// Embedding and small screens: the demo host page (public/embed-demo.html) frames the app, which works
// inside the frame with the host's styles kept out; at 360 px wide no step overflows horizontally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedApp, screenshot } from './harness.mjs';

const app = servedApp();

const LONG = { timeout: 240000 };
const NARROW = 360;

/** The document's width against its viewport's, and the elements that stick out past the right edge. */
function overflow(target) {
  return target.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .filter((el) => !el.closest('.table-scroll, .visually-hidden'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`);
    return { scrollWidth: document.documentElement.scrollWidth, width, culprits };
  });
}

async function assertFits(target, step) {
  const { scrollWidth, width, culprits } = await overflow(target);
  assert.ok(scrollWidth <= NARROW, `${step}: page is ${scrollWidth} px wide in a ${width} px viewport; sticking out: ${culprits.join(', ')}`);
}

test('the demo host page embeds the widget, which works inside its frame at 360 px', LONG, async () => {
  const { context, page, watch } = await app.open({ viewport: { width: 1280, height: 1000 } }, 'embed-demo.html');
  await page.locator('label[for="width-360"]').click();
  const frameElement = page.locator('#audience-builder');
  const frame = await (await frameElement.elementHandle()).contentFrame();
  await frame.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  assert.equal(new URL(frame.url()).pathname, '/', 'the frame shows the app');
  assert.equal(await frame.evaluate(() => window.innerWidth), NARROW, 'the widget has a 360 px viewport');
  await frame.locator('#demo-button').click();
  await frame.locator('#row-count').waitFor({ timeout: 30000 });
  assert.equal(await frame.locator('#row-count').textContent(), '5000');
  await assertFits(frame, 'data step in the frame');

  // Style isolation: the host's serif font and letter-spacing do not reach the widget.
  const hostFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  const widget = await frame.evaluate(() => {
    const button = document.querySelector('#demo-button');
    return { font: getComputedStyle(document.body).fontFamily, spacing: getComputedStyle(button).letterSpacing };
  });
  assert.match(hostFont, /Georgia/);
  assert.doesNotMatch(widget.font, /Georgia/, 'the host font does not leak into the widget');
  assert.equal(widget.spacing, 'normal', 'the host letter-spacing does not leak into the widget');
  await screenshot(page, 'embed-host-360');

  assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.cspViolations, []);
  await context.close();
});

test('at 360 px wide no step of the workflow overflows the page', LONG, async () => {
  const { context, page, watch } = await app.open({ viewport: { width: NARROW, height: 780 } });
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  await assertFits(page, 'start');
  await screenshot(page, 'narrow-360-step0-start');

  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 30000 });
  await assertFits(page, 'data preview');
  await screenshot(page, 'narrow-360-step1-data');

  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill('senior tech decision makers in California who came through referrals');
  await assertFits(page, 'describe');
  await screenshot(page, 'narrow-360-step2-describe');

  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
  await assertFits(page, 'variables');
  // The variables table is not clipped: no sideways scrolling in its box, every cell (weight and reason
  // included) inside the 360 px viewport.
  const table = await page.locator('#column-choices').evaluate((element) => {
    const box = element.closest('.table-scroll');
    const cells = [...element.querySelectorAll('tbody td')].map((cell) => cell.getBoundingClientRect());
    return {
      overflow: box.scrollWidth - box.clientWidth,
      cells: cells.length,
      outside: cells.filter((r) => r.left < 0 || r.right > window.innerWidth + 0.5).length,
    };
  });
  assert.ok(table.cells > 0, 'the variables table has cells');
  assert.ok(table.overflow <= 1, `the variables table scrolls sideways by ${table.overflow} px`);
  assert.equal(table.outside, 0, `${table.outside} of ${table.cells} cells of the variables table are cut off`);
  await screenshot(page, 'narrow-360-step3-variables');

  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  await assertFits(page, 'results');
  await screenshot(page, 'narrow-360-step5-results');

  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.cspViolations, []);
  await context.close();
});
