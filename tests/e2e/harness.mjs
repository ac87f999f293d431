// Shared end-to-end harness: a static server for dist/ on a free loopback port, and a headless Debian
// Chromium driven by playwright-core (never `npx playwright install`: no browser download).
import { createServer } from 'node:http';
import { before, after } from 'node:test';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DIST = join(ROOT, 'dist');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

/**
 * Serves `dir` on 127.0.0.1 (free port). Returns { url, close, requests }. `refuse(path)` true drops the
 * connection for that path instead of answering.
 */
export async function serve(dir = DIST, { refuse = () => false } = {}) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    // A refused path drops the connection: the browser's fetch fails as if the network were down.
    if (refuse(path)) { req.socket.destroy(); return; }
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((ok) => server.close(ok)) };
}

/** Starts Debian's Chromium headless with the flags this machine needs (root, closed network). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * Opens a fresh context and page on `baseUrl` and watches it: every request to another origin (which is
 * also aborted), page errors, console errors and Content-Security-Policy violations. `options` go to the
 * new context; `prepare(context)` runs before the page navigates (routes of the test's own, say).
 */
export async function openPage(browser, baseUrl, options = {}, prepare = async () => {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const origin = new URL(baseUrl).origin;
  const watch = { foreignRequests: [], pageErrors: [], consoleErrors: [], cspViolations: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) return route.continue();
    watch.foreignRequests.push(url);
    return route.abort();
  });
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) {
      watch.foreignRequests.push(url);
    }
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => watch.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(message.text());
  });
  await page.exposeBinding('__reportCsp', (_source, text) => watch.cspViolations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      window.__reportCsp(`${event.violatedDirective} blocked ${event.blockedURI}`));
  });
  await prepare(context);
  await page.goto(baseUrl);
  return { context, page, watch };
}

/**
 * Serves dist and starts Chromium once for the calling test file (node:test's `before`), and closes both
 * after its tests. `open(options, path, prepare)` opens a watched page on the served app (see [`openPage`]):
 * `path` is relative to the app's root, `options` go to the new context, `prepare` runs before the page
 * navigates.
 */
export function servedApp() {
  let server;
  let browser;
  before(async () => {
    server = await serve();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    open: (options = {}, path = '', prepare = undefined) =>
      openPage(browser, `${server.url}${path}`, options, prepare),
  };
}

/** Saves a full-page screenshot under tests/artifacts/. */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Clicks `selector` (or runs `action` on its locator) and returns the download it starts: its suggested
 *  file name and its text. */
export async function download(page, selector, action = (locator) => locator.click()) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), action(page.locator(selector))]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

/** Waits until the engine worker has started (the file input is enabled). */
export async function whenReady(page, timeout = 30000) {
  await page.locator('#file-input:not([disabled])').waitFor({ state: 'attached', timeout });
}

/** RFC 4180 rows of `text` (quotes, embedded delimiters and line breaks), each an array of its fields. */
export function parseCsv(text, delimiter = ',') {
  const rows = [];
  let row = [''];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { row[row.length - 1] += '"'; i += 1; } else if (c === '"') quoted = false;
      else row[row.length - 1] += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) row.push('');
    else if (c === '\n') { rows.push(row); row = ['']; } else if (c !== '\r') row[row.length - 1] += c;
  }
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}
