// Offline mode: after one visit the service worker (public/sw.js) serves the app shell and the variable
// catalog, so the whole flow works with the network off; a new build's worker replaces the old caches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, screenshot, DIST } from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const LONG = { timeout: 240000 };
const MARKERS = /\/\* PRECACHE_MANIFEST \*\/(.*?)\/\* END_PRECACHE_MANIFEST \*\//s;

/** The precache manifest the build wrote into sw.js. */
async function manifestOf(dir) {
  const match = MARKERS.exec(await readFile(join(dir, 'sw.js'), 'utf8'));
  assert.ok(match, 'sw.js holds the precache manifest');
  return JSON.parse(match[1]);
}

/** Evaluates `check` in the page every 250 ms until it resolves truthy (page.waitForFunction does not await). */
async function until(page, what, check, arg, timeout = 120000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(check, arg)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting until ${what}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

/** Waits until a service worker controls the page and every listed file is in the page's caches. */
async function waitUntilCached(page, paths) {
  await until(page, 'a service worker controls the page', () => navigator.serviceWorker.controller !== null);
  await until(page, 'every file is cached', async (wanted) => {
    const found = await Promise.all(wanted.map((path) => caches.match(new URL(path, document.baseURI).href)));
    return found.every(Boolean);
  }, paths);
}

test('the build lists every shipped file in the precache manifest', async () => {
  const manifest = await manifestOf(DIST);
  const shipped = [];
  const walk = async (dir, prefix) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else shipped.push(`${prefix}${entry.name}`);
    }
  };
  await walk(DIST, '');
  const listed = [...manifest.immutable, ...manifest.fresh, ...manifest.catalog.files];
  const unlisted = shipped.filter((path) => !listed.includes(path)).sort();
  assert.deepEqual(unlisted, ['embed-demo.html', 'sw.js'], 'only the worker itself and the demo host page are left out');
  assert.match(manifest.version, /^[0-9a-f]{16}$/);
  assert.ok(manifest.fresh.includes('index.html'));
  for (const path of manifest.immutable) assert.match(path, /[0-9a-f]{12,16}/, `${path} carries a content hash`);
  assert.ok(manifest.immutable.some((path) => path.endsWith('.wasm')), 'the app wasm is precached');
  for (const name of ['catalog/catalog.bin', 'catalog/hnsw.bin', 'catalog/embed/table.i8', 'catalog/embed/vocab.txt']) {
    assert.ok(manifest.catalog.files.includes(name), `${name} is cached`);
  }
  // The four search files, and the census values by ZIP (manifest, index, one file per measure; issue #15).
  const search = manifest.catalog.files.filter((path) => !path.startsWith('catalog/census/'));
  assert.deepEqual(search.length, 4, `only the four search files the worker fetches: ${search}`);
  assert.ok(manifest.catalog.files.includes('catalog/census/manifest.json'), 'the census values are cached');
});

test('after one visit the whole flow works with the network off', LONG, async () => {
  const server = await serve();
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    const manifest = await manifestOf(DIST);
    await waitUntilCached(page, [...manifest.immutable, ...manifest.fresh, ...manifest.catalog.files]);

    await context.setOffline(true);
    const served = server.requests.length;
    await page.reload();
    await page.locator('#demo-button:not([disabled])').waitFor({ timeout: 30000 });
    await page.locator('#demo-button').click();
    await page.locator('#row-count').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#row-count').textContent(), '5000');
    await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
    await page.locator('#audience-query').fill('senior tech decision makers in California who came through referrals');
    await page.locator('#find-variables').click();
    await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
    assert.ok(await page.locator('.catalog-hit').count() > 0, 'the cached catalog is searched');
    await page.locator('#run-segmentation').click();
    await page.locator('#results-summary').waitFor(LONG);
    await screenshot(page, 'offline-results');
    const shares = await page.locator('.segment-card').evaluateAll((cards) => cards.map((c) => Number(c.dataset.share)));
    assert.ok(shares.length >= 10, `${shares.length} segments`);
    for (const share of shares) assert.ok(share >= 0.05 && share <= 0.10, `share ${share} within 5–10%`);

    // The browser's own update check of the service worker script ignores DevTools' offline emulation
    // (with the network really off it fails quietly); nothing the page or the worker asked for got through.
    const online = server.requests.slice(served).filter((path) => path !== '/sw.js');
    assert.deepEqual(online, [], 'no request of the app reached the server while offline');
    assert.deepEqual(watch.foreignRequests, [], 'requests to other origins');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.cspViolations, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test('a new build installs a new worker that replaces the old shell cache and keeps an unchanged catalog', LONG, async () => {
  // A copy of dist/ (symlinks) whose sw.js can be rewritten as the next build's.
  const dir = await mkdtemp(join(tmpdir(), 'audience-sw-'));
  for (const entry of await readdir(DIST)) {
    if (entry !== 'sw.js') await symlink(join(DIST, entry), join(dir, entry));
  }
  const source = await readFile(join(DIST, 'sw.js'), 'utf8');
  await writeFile(join(dir, 'sw.js'), source);
  const manifest = await manifestOf(dir);
  const server = await serve(dir);
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await waitUntilCached(page, [...manifest.fresh, ...manifest.catalog.files]);
    const cachesBefore = await page.evaluate(() => caches.keys());
    assert.equal(cachesBefore.length, 2, `one shell and one catalog cache: ${cachesBefore}`);
    assert.ok(cachesBefore.some((name) => name.endsWith(`shell ${manifest.version}`)));

    // The harness sees what a service worker fetches (its foreign-request check covers the worker too).
    const fromWorker = [];
    context.on('request', (request) => { if (request.serviceWorker()) fromWorker.push(new URL(request.url()).pathname); });
    const next = 'f'.repeat(16) === manifest.version ? 'e'.repeat(16) : 'f'.repeat(16);
    await writeFile(join(dir, 'sw.js'), source.replace(`"version": "${manifest.version}"`, `"version": "${next}"`));
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration.update();
    });
    await until(page, 'the new worker is installed and waiting', async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return registration.waiting !== null;
    });
    assert.ok(fromWorker.includes('/index.html'), `the new worker's precache requests are observed: ${fromWorker}`);
    // The open page keeps the old version; once it is gone the new worker activates.
    assert.ok((await page.evaluate(() => caches.keys())).some((name) => name.endsWith(`shell ${manifest.version}`)));
    await page.close();
    const again = await context.newPage();
    await again.goto(server.url);
    await until(again, 'the new worker has activated', async (version) => {
      const names = await caches.keys();
      return names.some((name) => name.endsWith(`shell ${version}`)) && names.length === 2;
    }, next);
    const cachesAfter = await again.evaluate(() => caches.keys());
    assert.ok(!cachesAfter.some((name) => name.endsWith(`shell ${manifest.version}`)), `the old shell cache is deleted: ${cachesAfter}`);
    assert.ok(cachesAfter.some((name) => name.endsWith(`catalog ${manifest.catalog.version}`)), 'the unchanged catalog cache is kept');
    assert.deepEqual(watch.foreignRequests, []);
  } finally {
    await context.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a catalog the network cannot deliver is said in the page, with no uncaught error, and the file still segments', LONG, async () => {
  // Every catalog file's connection is dropped: all four fetches the worker starts at once fail.
  const catalogFiles = ['/catalog.bin', '/embed/vocab.txt', '/embed/table.i8', '/hnsw.bin'];
  const server = await serve(DIST, { refuse: (path) => catalogFiles.some((file) => path.endsWith(file)) });
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.locator('#demo-button:not([disabled])').click();
    await page.locator('#row-count').waitFor({ timeout: 30000 });
    await page.locator('#catalog-state', { hasText: 'The variable catalog could not be loaded' })
      .waitFor({ timeout: 60000 });
    assert.match(await page.locator('#catalog-state').textContent(), /Your file's columns are offered unranked\./);
    assert.deepEqual(watch.pageErrors, [], 'no fetch is left to fail unhandled');
    await page.locator('#audience-query').fill('senior tech decision makers who came through referrals');
    await page.locator('#find-variables').click();
    await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 30000 });
    assert.equal(await page.locator('.catalog-hit').count(), 0, 'no catalog variable without the catalog');
    await page.locator('#run-segmentation').click();
    await page.locator('#results-summary').waitFor(LONG);
    assert.ok(await page.locator('.segment-card').count() >= 10);
    assert.deepEqual(watch.pageErrors, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test("an engine whose files the network cannot deliver is said in the page, not waited for", LONG, async () => {
  // The worker's wasm never arrives: the engine cannot start, and the page must say so (trunk's loader
  // left the failure unhandled in the worker, and the page showed "Starting the engine…" forever).
  const server = await serve(DIST, { refuse: (path) => path.endsWith('/worker_bg.wasm') });
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    const status = page.locator('#status.status-error', { hasText: 'The engine could not start' });
    await status.waitFor({ timeout: 60000 });
    assert.match(await status.textContent(), /Check the connection and reload the page\./);
    assert.ok(await page.locator('#file-input').isDisabled(), 'no file is taken by an engine that is not there');
    // The label that looks like a button looks disabled too, as the demo button does.
    const look = (selector) => page.locator(selector).evaluate((element) => {
      const style = getComputedStyle(element);
      return { opacity: style.opacity, cursor: style.cursor };
    });
    assert.deepEqual(await look('label[for="file-input"]'), { opacity: '0.6', cursor: 'not-allowed' });
    assert.deepEqual(await look('#demo-button'), { opacity: '0.6', cursor: 'not-allowed' });
    assert.deepEqual(watch.pageErrors, [], 'the failed start is handled, not left uncaught');
    assert.ok(server.requests.some((path) => path.endsWith('/worker_bg.wasm')), 'the wasm was asked for');
  } finally {
    await context.close();
    await server.close();
  }
});

test('the engine and the catalog start before the app has loaded: one engine worker, one catalog worker, one warm-up worker, each catalog file fetched once', LONG, async () => {
  // Without the service worker, whose install fetches every file once more. public/early_worker.js starts the
  // engine worker from the page's first script, the engine worker's script starts the catalog's worker and
  // that one requests the catalog's files before its wasm compiles; the wasm adopts the workers and the
  // requests. A worker or a request it failed to adopt would be started or made a second time.
  const server = await serve(DIST);
  const { context, page, watch } = await openPage(browser, server.url, { serviceWorkers: 'block' });
  try {
    await page.locator('main[data-catalog="ready"]').waitFor({ state: 'attached', timeout: 60000 });
    await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached', timeout: 30000 });
    assert.deepEqual(await page.evaluate(() => Object.keys(self.audienceEarlyWorkers ?? { none: true })), [],
      'the page\'s wasm took over the engine worker its first script started');
    const count = (file) => server.requests.filter((path) => path === file).length;
    // Once the catalog is in, the engine worker starts the warm-up worker, which rehearses and closes.
    for (let i = 0; i < 100 && count('/engine_worker.js') < 3; i += 1) await page.waitForTimeout(100);
    await page.waitForTimeout(1000);
    assert.equal(count('/engine_worker.js'), 3, `the engine worker, the catalog's and the warm-up: ${server.requests}`);
    for (const file of ['/catalog/catalog.bin', '/catalog/embed/vocab.txt', '/catalog/embed/table.i8', '/catalog/hnsw.bin']) {
      assert.equal(count(file), 1, `${file} is fetched once: ${server.requests}`);
    }
    // The page answers with both: a file reads, and a description finds catalog variables.
    await page.locator('#demo-button').click();
    await page.locator('#row-count').waitFor({ timeout: 30000 });
    await page.locator('#audience-query').fill('high income households in urban areas');
    await page.locator('#find-variables').click();
    await page.locator('.catalog-hit').first().waitFor({ timeout: 30000 });
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.consoleErrors, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test('the service worker is registered only once the catalog is indexed, so a first visit does not fetch everything twice at once', LONG, async () => {
  const server = await serve(DIST);
  // The catalog's graph arrives 4 s late: the catalog stays loading that long.
  const { context, page, watch } = await openPage(browser, server.url, {}, (context) =>
    context.route('**/catalog/hnsw.bin', async (route) => {
      await new Promise((ok) => setTimeout(ok, 4000));
      await route.continue();
    }));
  try {
    await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached', timeout: 30000 });
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('main').getAttribute('data-catalog'), 'loading');
    assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()) ?? null), null,
      'no service worker while the catalog loads');
    await page.locator('main[data-catalog="ready"]').waitFor({ state: 'attached', timeout: 60000 });
    await until(page, 'a service worker controls the page', () => navigator.serviceWorker.controller !== null);
    assert.deepEqual(watch.pageErrors, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test('the page hears that the catalog is indexed while a large file is still being read', LONG, async () => {
  // 1,000,000 rows × 30 small numbers (87 MB): here about 1.5 s of reading in the engine worker, against
  // 0.6 s for the catalog's worker to index the catalog once the file is chosen (about 1 s of margin). The
  // catalog's worker says so on the page's own channel; through the engine worker alone the page would hear
  // it only once the file is read.
  const dir = await mkdtemp(join(tmpdir(), 'audience-large-'));
  const file = join(dir, 'large.csv');
  const columns = Array.from({ length: 30 }, (_, i) => `c${i}`);
  const lines = [columns.join(',')];
  for (let row = 0; row < 1000000; row += 1) lines.push(columns.map((_, i) => (row * 7 + i * 13) % 97).join(','));
  await writeFile(file, `${lines.join('\n')}\n`);
  const server = await serve(DIST);
  const { context, page, watch } = await openPage(browser, server.url, { serviceWorkers: 'block' });
  try {
    await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached', timeout: 30000 });
    await page.locator('#file-input').setInputFiles(file);
    await page.locator('main[data-catalog="ready"]').waitFor({ state: 'attached', timeout: 60000 });
    assert.equal(await page.locator('#row-count').count(), 0, 'the catalog is ready before the file is read');
    await page.locator('#row-count').waitFor({ timeout: 120000 });
    assert.match(await page.locator('#row-count').textContent(), /^1,?000,?000$/);
    assert.deepEqual(watch.pageErrors, []);
  } finally {
    await context.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
