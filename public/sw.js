// Audience Builder's service worker: after the first visit the app and its variable catalog work offline.
//
// Same origin only: it answers GET requests for files inside its own scope and leaves every other request
// alone (it never fetches anything the page would not fetch itself).
//
// The build writes the precache manifest below (scripts/precache_manifest.py, a Trunk post-build hook):
//   version    content hash of the app shell; names this build's shell cache, so a new build installs a
//              new worker (sw.js changes byte for byte) whose activation deletes the old caches
//   immutable  shell files whose names carry a content hash (app-<hash>.js, …): cache-first
//   fresh      shell files with stable names (index.html, the engine worker's files, demo data):
//              network-first, falling back to this build's cached copy when the network is unavailable
//   catalog    the variable catalog's files and their content hash: cache-first, cached when first
//              fetched through this worker and warmed in the background at install, in a cache named by
//              the catalog's own hash (a new app build with the same catalog keeps it)
const MANIFEST = /* PRECACHE_MANIFEST */ null /* END_PRECACHE_MANIFEST */;

if (!MANIFEST) {
  throw new Error('sw.js: the precache manifest is missing; build with Trunk (scripts/build.sh)');
}

const SCOPE = self.registration.scope;
const PREFIX = `audience-builder ${SCOPE} `;
const SHELL_CACHE = `${PREFIX}shell ${MANIFEST.version}`;
const CATALOG_CACHE = `${PREFIX}catalog ${MANIFEST.catalog.version}`;
const IMMUTABLE = new Set(MANIFEST.immutable);
const FRESH = new Set(MANIFEST.fresh);
const CATALOG = new Set(MANIFEST.catalog.files);
const INDEX = 'index.html';

/** A scope-relative path as an absolute URL. */
const absolute = (path) => new URL(path, SCOPE).href;

/** Fetches `path` revalidated against the server (never a stale HTTP-cache copy) and stores it. */
async function store(cache, path) {
  const response = await fetch(absolute(path), { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  await cache.put(absolute(path), response);
}

/** Fetches and caches the catalog files not cached yet; a failure leaves them to the first fetch. */
async function warmCatalog() {
  const cache = await caches.open(CATALOG_CACHE);
  await Promise.allSettled(MANIFEST.catalog.files.map(async (path) => {
    if (!(await cache.match(absolute(path)))) await store(cache, path);
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    // The whole shell or nothing: a half-cached shell must not take over.
    const cache = await caches.open(SHELL_CACHE);
    await Promise.all([...IMMUTABLE, ...FRESH].map((path) => store(cache, path)));
    // The page's engine usually fetched the catalog before this worker existed, so that fetch was not
    // cached: fetch it once more (revalidated, so a static host's HTTP cache answers it cheaply).
    await warmCatalog();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL_CACHE, CATALOG_CACHE]);
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && !keep.has(name))
      .map((name) => caches.delete(name)));
    // Control the page that registered this worker without a reload. Only the first install can claim
    // a page; an update waits until every page of the old version is closed (no skipWaiting), so an open
    // page never mixes two builds.
    await self.clients.claim();
  })());
});

/** This build's cached copy, or the network when it is missing. */
async function cacheFirst(cacheName, path, request, keep) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(absolute(path));
  if (cached) return cached;
  const response = await fetch(request);
  if (keep && response.ok) await cache.put(absolute(path), response.clone());
  return response;
}

/** How long a network-first request waits for the server's headers before using the cached copy. */
const NETWORK_TIMEOUT_MS = 5000;

/**
 * The network's answer (a new build's, when online), or this build's cached copy when the network fails
 * or has not answered within NETWORK_TIMEOUT_MS.
 */
async function networkFirst(path, request) {
  const network = fetch(request);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${path}: no answer in ${NETWORK_TIMEOUT_MS} ms`)), NETWORK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([network, timeout]);
  } catch (error) {
    const cached = await caches.match(absolute(path), { cacheName: SHELL_CACHE });
    if (cached) return cached;
    return network;
  } finally {
    clearTimeout(timer);
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.search || !url.href.startsWith(SCOPE)) return;
  const path = decodeURIComponent(url.href.slice(SCOPE.length));
  if (request.mode === 'navigate' && (path === '' || path === INDEX)) {
    event.respondWith(networkFirst(INDEX, request));
  } else if (IMMUTABLE.has(path)) {
    event.respondWith(cacheFirst(SHELL_CACHE, path, request, false));
  } else if (FRESH.has(path)) {
    event.respondWith(networkFirst(path, request));
  } else if (CATALOG.has(path)) {
    event.respondWith(cacheFirst(CATALOG_CACHE, path, request, true));
  }
});
