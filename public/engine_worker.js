// The engine's worker script, for both of its roles: the page's engine worker (app/src/ui/worker_client.rs)
// and the variable catalog's own worker, which the engine worker starts (app/src/bridge.rs). A failed
// start (the worker's wasm cannot be fetched or compiled, e.g. the server went away) is reported as an
// error event, which the worker's starter handles and shows, instead of an unhandled rejection that
// leaves the page waiting for an engine that never comes (trunk's own loader shim left it unhandled).
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' }).catch((error) => self.reportError(error));
