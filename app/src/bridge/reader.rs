//! The reading helper: a second Web Worker that reads a large customer file's second half of columns
//! while the engine worker reads the first half (`audience_engine::ingest::ColumnShare`).
//!
//! Both parse every record of the same `File`; each looks up the cells of its own columns only, which is
//! most of a read's time: on the benchmark's 1M-row file (148 MB, 20 columns) each half took 2.4–2.6 s in
//! Chromium against 4.1 s for every column in one worker, side by side on two cores. The helper
//! sends its columns back as one transferred buffer ([`ColumnPart::to_bytes`]) and closes; the engine
//! worker finishes the table with them, the same table bit for bit as one worker reading every column
//! ([`StreamingReader::finish_with`]). Where the helper cannot start, fails, or read other rows, the
//! engine worker reads the file again on its own: slower, never different.
//!
//! The helper is started for the file (it holds nothing between files: a worker's wasm memory never
//! shrinks, and it closes once it has answered), only for files of at least [`SHARED_READ_BYTES`], where
//! its start (about 0.1 s) is small against the half of the read it takes. A nested worker starts only
//! while its parent's thread is free: the engine worker waits for the helper to say it is reading
//! ([`ReaderWorker::started`]) before it reads its own half; without that wait the helper began only
//! after the engine worker's half, and the read took 1.5 s longer than one worker's.

use std::cell::RefCell;
use std::rc::Rc;

use audience_engine::ingest::{ColumnPart, ColumnShare, HeaderMode, StreamingReader};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent, Worker, WorkerOptions};

use super::{stream_blob, BridgeError};

/// The reading helper's name (its `self.name`, which tells `engine_worker.js` and [`run`] its role).
pub(crate) const READER_WORKER_NAME: &str = "reader";

/// Files of at least this many bytes are read by the engine worker and a reading helper side by side
/// (about 160,000 rows of the benchmark's 20 columns; its 100k-row file, 15 MB, is read by one).
pub(crate) const SHARED_READ_BYTES: f64 = 24e6;

/// The engine worker's part: the first run of columns.
pub(crate) const ENGINE_SHARE: ColumnShare = ColumnShare::Part { part: 0, parts: 2 };
/// The helper's part: the second.
const HELPER_SHARE: ColumnShare = ColumnShare::Part { part: 1, parts: 2 };

/// What the helper answered: its part's bytes, or why it has none.
type Answer = Result<Vec<u8>, String>;

/// How long the engine worker waits for its helper to start reading before it reads its own half: a
/// nested worker starts only while its parent's thread is free, so the parent must not be reading yet.
const HELPER_START_MS: i32 = 3_000;

/// The engine worker's handle on a reading helper started for one file.
pub(crate) struct ReaderWorker {
    worker: Worker,
    /// It has started reading (or answered, or failed).
    started: Rc<std::cell::Cell<bool>>,
    answer: Rc<RefCell<Option<Answer>>>,
    /// Resolves the promise [`Self::started`] or [`Self::part`] waits on, once one waits.
    wake: Rc<RefCell<Option<js_sys::Function>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl ReaderWorker {
    /// Starts a helper from this worker's own script and asks it at once for the second half of the
    /// columns of `file` read under the page's `header` setting (the request waits in
    /// `engine_worker.js` until the helper's wasm has loaded).
    pub(crate) fn start(
        scope: &DedicatedWorkerGlobalScope,
        file: &Blob,
        header: HeaderMode,
    ) -> Result<ReaderWorker, BridgeError> {
        let starting = |error| BridgeError::browser("starting the reading helper", error);
        let script = web_sys::Url::new_with_base("engine_worker.js", &scope.location().href())
            .map_err(starting)?
            .href();
        let worker_options = WorkerOptions::new();
        worker_options.set_name(READER_WORKER_NAME);
        let worker = Worker::new_with_options(&script, &worker_options).map_err(starting)?;
        let started: Rc<std::cell::Cell<bool>> = Rc::default();
        let answer: Rc<RefCell<Option<Answer>>> = Rc::default();
        let wake: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
        // `None`: it has started reading; `Some`: its answer.
        let settle = {
            let (started, answer, wake) = (started.clone(), answer.clone(), wake.clone());
            move |settled: Option<Answer>| {
                started.set(true);
                if let Some(settled) = settled {
                    answer.borrow_mut().get_or_insert(settled);
                }
                if let Some(wake) = wake.borrow_mut().take() {
                    let _ = wake.call0(&JsValue::NULL);
                }
            }
        };
        let on_answer = settle.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let reading = Reflect::get(&data, &"reading".into()).is_ok_and(|r| r.is_truthy());
            on_answer((!reading).then(|| read_answer(&data)));
        });
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                settle(Some(Err(format!(
                    "the reading helper stopped: {}",
                    event.message()
                ))));
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let request = Object::new();
        let set = |key: &str, value: &JsValue| {
            Reflect::set(&request, &key.into(), value)
                .map(drop)
                .map_err(|error| BridgeError::browser("asking the reading helper", error))
        };
        set("file", file)?;
        set("header", &header_text(header).into())?;
        worker
            .post_message(&request)
            .map_err(|error| BridgeError::browser("asking the reading helper", error))?;
        Ok(ReaderWorker {
            worker,
            started,
            answer,
            wake,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Waits until the helper has started reading (or has answered or failed), at most
    /// [`HELPER_START_MS`]; whether it is reading or has read. The engine worker's thread is free
    /// meanwhile, which the helper's start needs.
    pub(crate) async fn started(&self, scope: &DedicatedWorkerGlobalScope) -> bool {
        if !self.started.get() {
            self.wait_for_start(scope).await;
        }
        self.started.get() && !matches!(*self.answer.borrow(), Some(Err(_)))
    }

    async fn wait_for_start(&self, scope: &DedicatedWorkerGlobalScope) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = scope
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, HELPER_START_MS);
            *self.wake.borrow_mut() = Some(resolve);
        });
        let _ = JsFuture::from(promise).await;
        self.wake.borrow_mut().take();
    }

    /// The helper's columns, once it has answered; why there are none otherwise.
    pub(crate) async fn part(self) -> Result<ColumnPart, String> {
        if self.answer.borrow().is_none() {
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                *self.wake.borrow_mut() = Some(resolve);
            });
            let _ = JsFuture::from(promise).await;
        }
        self.worker.terminate();
        let answer = self
            .answer
            .borrow_mut()
            .take()
            .unwrap_or_else(|| Err("the reading helper did not answer".to_owned()));
        ColumnPart::from_bytes(&answer?).map_err(|error| error.to_string())
    }

    /// Stops the helper (the file could not be read here; its answer is not needed).
    pub(crate) fn stop(self) {
        self.worker.terminate();
    }
}

/// The header setting as the helper's request carries it.
fn header_text(header: HeaderMode) -> String {
    serde_json::to_string(&header).unwrap_or_default()
}

/// The helper's answer in a message: `{part: ArrayBuffer}` or `{failed: text}`.
fn read_answer(data: &JsValue) -> Answer {
    let part = Reflect::get(data, &"part".into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(buffer) = part.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    let failed = Reflect::get(data, &"failed".into())
        .ok()
        .and_then(|failed| failed.as_string());
    Err(failed.unwrap_or_else(|| "the reading helper answered something else".to_owned()))
}

/// The helper's entry point: reads the file of the request that `engine_worker.js` kept (or of the next
/// message), answers, and closes.
pub(crate) fn run(scope: DedicatedWorkerGlobalScope) {
    let kept = Reflect::get(&scope, &"audienceReaderInbox".into())
        .ok()
        .and_then(|inbox| inbox.dyn_into::<Array>().ok())
        .and_then(|inbox| inbox.iter().next());
    match kept {
        Some(request) => answer_and_close(&scope, &request),
        None => {
            let own_scope = scope.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                answer_and_close(&own_scope, &event.data());
            });
            scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();
        }
    }
}

fn answer_and_close(scope: &DedicatedWorkerGlobalScope, request: &JsValue) {
    let reading = Object::new();
    if Reflect::set(&reading, &"reading".into(), &JsValue::TRUE).is_ok() {
        let _ = scope.post_message(&reading);
    }
    let message = Object::new();
    let transfer = Array::new();
    let answer = match read_part(request) {
        Ok(bytes) => {
            let buffer = Uint8Array::from(bytes.as_slice()).buffer();
            transfer.push(&buffer);
            Reflect::set(&message, &"part".into(), &buffer)
        }
        Err(reason) => Reflect::set(&message, &"failed".into(), &reason.into()),
    };
    if answer.is_ok() {
        if let Err(error) = scope.post_message_with_transfer(&message, &transfer) {
            web_sys::console::error_2(&"audience reading helper: could not answer".into(), &error);
        }
    }
    scope.close();
}

/// Reads the second half of the columns of the request's file; its bytes ([`ColumnPart::to_bytes`]).
fn read_part(request: &JsValue) -> Result<Vec<u8>, String> {
    let file: Blob = Reflect::get(request, &"file".into())
        .ok()
        .and_then(|file| file.dyn_into().ok())
        .ok_or("the request has no file")?;
    let header: HeaderMode = Reflect::get(request, &"header".into())
        .ok()
        .and_then(|header| header.as_string())
        .and_then(|header| serde_json::from_str(&header).ok())
        .ok_or("the request has no header setting")?;
    let options = crate::service::customer_file_options(header);
    let mut reader = StreamingReader::sharing(options, file.size() as usize, HELPER_SHARE);
    stream_blob(&file, &mut reader, &mut |_| {}).map_err(|error| error.to_string())?;
    reader
        .finish_part()
        .map(|part| part.to_bytes())
        .ok_or_else(|| "the file was not read as it came".to_owned())
}
