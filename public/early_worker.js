// Starts the engine's workers before the wasm that talks to them has loaded, and keeps what they say until
// it has (app/src/bridge.rs `EngineWorker::adopt_or_spawn` takes them over and replays it in order).
//
// In the page (a <script> in index.html, before the app's own): the engine worker starts at once instead of
// after the app's wasm is fetched, compiled and mounted. In the engine worker (importScripts in
// engine_worker.js): the catalog's worker starts before the engine's wasm is compiled. Loading the same
// file in both keeps one definition; `self.document` tells the page from a worker.
'use strict';

/** Workers started early, by role ("engine", "catalog"), until the wasm adopts them. */
self.audienceEarlyWorkers = self.audienceEarlyWorkers || {};

/** Starts `url` as the worker for `role` (named `name`, if given), keeping its messages and errors; returns it. */
self.startEarlyWorker = function startEarlyWorker(role, url, name) {
  const worker = name === undefined ? new Worker(url) : new Worker(url, { name });
  const early = [];
  worker.onmessage = (event) => { early.push(event); };
  // Kept and handled by the adopter: a failed start is reported there, in the page's words.
  worker.onerror = (event) => { event.preventDefault(); early.push(event); };
  self.audienceEarlyWorkers[role] = { worker, early };
  return worker;
};

if (self.document) {
  // app/src/ui/worker_client.rs WORKER_SCRIPT.
  self.startEarlyWorker('engine', './engine_worker.js');
  // The catalog's worker tells the page itself once the catalog is indexed, even while the engine worker
  // is busy reading a file: the page keeps one end of this channel, and the other goes to the catalog's
  // worker through the engine worker's script.
  const channel = new MessageChannel();
  self.audienceEarlyWorkers.engine.catalogPort = channel.port1;
  self.audienceEarlyWorkers.engine.worker.postMessage({ audienceCatalogPort: channel.port2 }, [channel.port2]);
}
