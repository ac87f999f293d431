// The engine's worker script, for all of its roles: the page's engine worker (app/src/ui/worker_client.rs),
// the variable catalog's own worker, the warm-up worker and the reading helper, which the engine worker starts
// (app/src/bridge.rs, app/src/bridge/reader.rs). A failed
// start (the worker's wasm cannot be fetched or compiled, e.g. the server went away) is reported as an
// error event, which the worker's starter handles and shows, instead of an unhandled rejection that
// leaves the page waiting for an engine that never comes (trunk's own loader shim left it unhandled).
//
// Before the wasm compiles, each role starts what the wasm would otherwise start only afterwards: the
// engine worker starts the catalog's worker (early_worker.js), and the catalog's worker requests the
// catalog's files (app/src/bridge.rs CATALOG_FILES and CATALOG_WORKER_PREFIX; the wasm takes these
// requests over by URL, and requests itself any it does not find here).
importScripts('./early_worker.js');
const CATALOG_WORKER_PREFIX = 'catalog:';
if (self.name.startsWith(CATALOG_WORKER_PREFIX)) {
  const base = self.name.slice(CATALOG_WORKER_PREFIX.length).replace(/\/+$/, '');
  self.audienceCatalogFetches = {};
  for (const file of ['catalog.bin', 'embed/vocab.txt', 'embed/table.i8', 'hnsw.bin']) {
    const url = `${base}/${file}`;
    const request = fetch(url);
    // The wasm awaits it; until then a failure is not an unhandled rejection.
    request.catch(() => {});
    self.audienceCatalogFetches[url] = request;
  }
} else if (self.name === 'reader') {
  // The reading helper (app/src/bridge/reader.rs READER_WORKER_NAME): the engine worker posts its request as it
  // starts it, before this worker's wasm has loaded; the request waits here until the wasm takes it.
  self.audienceReaderInbox = [];
  self.onmessage = (event) => { self.audienceReaderInbox.push(event.data); };
} else if (!self.name) {
  // The engine worker (unnamed; the warm-up worker, app/src/bridge.rs WARM_UP_WORKER_NAME, starts nothing).
  // app/src/bridge.rs CATALOG_URL.
  const catalogWorker = self.startEarlyWorker('catalog', './engine_worker.js', `${CATALOG_WORKER_PREFIX}./catalog`);
  // The page's channel to the catalog's worker (public/early_worker.js) is passed on to it; listeners added
  // here run before the wasm's, which never sees this message.
  self.addEventListener('message', (event) => {
    const port = event.data && event.data.audienceCatalogPort;
    if (!port) return;
    event.stopImmediatePropagation();
    catalogWorker.postMessage({ audienceCatalogPort: port }, [port]);
  });
}
if (self.name.startsWith(CATALOG_WORKER_PREFIX)) {
  // The page's end of that channel: the wasm says there when the catalog is indexed (app/src/bridge.rs).
  self.addEventListener('message', (event) => {
    const port = event.data && event.data.audienceCatalogPort;
    if (!port) return;
    event.stopImmediatePropagation();
    self.audiencePagePort = port;
  });
}
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' }).catch((error) => self.reportError(error));
