// Accessibility: an axe-core audit (WCAG 2 A and AA rules) of each step of the workflow, status messages in
// a live region, and animations switched off for users who ask for reduced motion.
//
// axe-core is injected as a script, which the page's Content-Security-Policy forbids; only this audit's
// browser context bypasses the policy (bypassCSP), every other test runs under it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { servedApp, screenshot } from './harness.mjs';

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const app = servedApp();

const LONG = { timeout: 240000 };

/** Runs the WCAG 2 A/AA rules on the page; returns one line per violation and element. */
async function audit(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const { violations, passes } = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return { violations, passed: passes.length };
  });
  assert.ok(result.passed >= 10, `axe ran its rules (${result.passed} passed)`);
  return result.violations.flatMap((violation) => violation.nodes.map((node) =>
    `${violation.id} (${violation.impact}): ${node.target.join(' ')}: ${node.failureSummary.replace(/\s+/g, ' ')}`));
}

test('no WCAG 2 A/AA violations on any step of the workflow', LONG, async () => {
  const { context, page, watch } = await app.open({ bypassCSP: true });
  const found = {};
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  found.start = await audit(page);

  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 30000 });
  found['data preview'] = await audit(page);

  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill('senior tech decision makers in California who came through referrals');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
  found.variables = await audit(page);

  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  found.results = await audit(page);
  await screenshot(page, 'a11y-results');

  // Control: the audit does report a violation when there is one (an unnamed button, a low-contrast text).
  await page.evaluate(() => {
    const probe = document.createElement('div');
    probe.id = 'a11y-probe';
    const button = document.createElement('button');
    const faint = document.createElement('p');
    faint.textContent = 'faint';
    faint.style.color = '#dddddd';
    probe.append(button, faint);
    document.querySelector('main').append(probe);
  });
  const control = (await audit(page)).map((line) => line.split(' ')[0]);
  assert.ok(control.includes('button-name') && control.includes('color-contrast'), `control violations found: ${control}`);

  const failures = Object.entries(found).flatMap(([step, lines]) => lines.map((line) => `${step}: ${line}`));
  assert.deepEqual(failures, [], `axe-core violations:\n${failures.join('\n')}`);
  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('status messages are announced from a live region that exists before they change', LONG, async () => {
  const { context, page } = await app.open();
  const status = page.locator('#status');
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  assert.equal(await status.getAttribute('role'), 'status');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  // The same element (not a replaced one) receives the message, so screen readers announce it.
  await status.evaluate((element) => { element.dataset.original = 'yes'; });
  await page.locator('#demo-button').click();
  await page.locator('#status', { hasText: 'Read 5000 rows' }).waitFor({ timeout: 30000 });
  assert.equal(await status.getAttribute('data-original'), 'yes');
  await context.close();
});

/** Transition and animation durations of a probe element given a 2 s transition and animation. */
async function probeMotion(page) {
  return page.evaluate(() => {
    const probe = document.createElement('div');
    probe.style.transition = 'opacity 2s';
    probe.style.animation = 'probe 2s infinite';
    document.body.append(probe);
    const style = getComputedStyle(probe);
    const result = { transition: style.transitionDuration, animation: style.animationName };
    probe.remove();
    return result;
  });
}

test('animations and transitions are switched off when the user prefers reduced motion', async () => {
  const moving = await app.open({ reducedMotion: 'no-preference' });
  await moving.page.locator('#demo-button').waitFor({ timeout: 30000 });
  assert.deepEqual(await probeMotion(moving.page), { transition: '2s', animation: 'probe' }, 'control: motion is kept by default');
  await moving.context.close();

  const still = await app.open({ reducedMotion: 'reduce' });
  await still.page.locator('#demo-button').waitFor({ timeout: 30000 });
  assert.deepEqual(await probeMotion(still.page), { transition: '0s', animation: 'none' });
  assert.equal(await still.page.evaluate(() => document.getAnimations().length), 0, 'nothing animates');
  await still.context.close();
});

test('the file input, hidden behind its button-like label, is reached with Tab and shows its focus on the label', async () => {
  const { context, page, watch } = await app.open();
  const label = page.locator('label[for="file-input"]');
  await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached', timeout: 30000 });
  const outline = () => label.evaluate((element) => getComputedStyle(element).outlineStyle);
  assert.equal(await outline(), 'none', 'no ring before the input has the focus');
  assert.equal(await label.evaluate((element) => getComputedStyle(element).opacity), '1', 'enabled, it looks enabled');
  for (let press = 0; press < 20 && await page.evaluate(() => document.activeElement?.id) !== 'file-input'; press++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'file-input', 'Tab reaches the file input');
  assert.equal(await outline(), 'solid', 'the label shows the focus ring');
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('a column checkbox toggled with the keyboard keeps the focus, and the toggle reaches the settings', LONG, async () => {
  const { context, page, watch } = await app.open();
  await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
  await page.locator('#demo-button').click();
  await page.locator('#row-count').waitFor({ timeout: 30000 });
  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill('senior tech decision makers in California');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });

  const second = page.locator('#column-choices tbody tr').nth(1).locator('input[type=checkbox]');
  const id = await second.getAttribute('id');
  const before = await second.isChecked();
  const label = async () => page.locator('#run-segmentation').textContent();
  const countBefore = Number((await label()).match(/\d+/)[0]);
  await second.focus();
  await page.keyboard.press('Space');
  // The same element still has the focus (a re-rendered row would have dropped it to <body>).
  assert.equal(await page.evaluate(() => document.activeElement?.id), id);
  assert.equal(await second.isChecked(), !before);
  const countAfter = Number((await label()).match(/\d+/)[0]);
  assert.equal(countAfter, countBefore + (before ? -1 : 1), 'the Segment button counts the toggled column');
  // A second press toggles back, focus still in place.
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => document.activeElement?.id), id);
  assert.equal(await second.isChecked(), before);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});
