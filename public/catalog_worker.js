// The variable catalog's own worker, started by the engine worker: the engine's script, whose start-up
// failure (its wasm cannot be fetched, e.g. the server went away) is reported to the engine worker as an
// error event, which it handles, instead of an unhandled rejection that reaches the page.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' }).catch((error) => self.reportError(error));
