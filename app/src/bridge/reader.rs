//! The reading helper: a second Web Worker that reads the rows of a large customer file's second half
//! while the engine worker reads the rows of the first (`audience_engine::ingest::split`).
//!
//! The file is cut at the first line break after its middle ([`split_offset`]). The helper plans the
//! file from its first slice, as the engine worker does, then parses the records after the cut and looks
//! up every cell of them; the engine worker parses the records before it. The parsing, which the two
//! workers both did when each read half of the columns (round 15 of #21), is no longer done twice. The
//! helper sends its rows back as one transferred buffer ([`RowPart::to_bytes`]) and closes; the engine
//! worker finishes the table with them, the same table bit for bit as one worker reading every row
//! ([`StreamingReader::finish_with_rows`]). Where the helper cannot start or fails, or its rows cannot
//! finish the table (the cut's line break was inside a quoted field), the engine worker reads the second
//! half itself: slower, never different.
//!
//! The helper is started for the file (it holds nothing between files: a worker's wasm memory never
//! shrinks, and it closes once it has answered), only for files of at least [`SHARED_READ_BYTES`], where
//! its start (about 0.1 s) is small against the half of the read it takes. A nested worker starts only
//! while its parent's thread is free: the engine worker waits for the helper to say it is reading
//! ([`ReaderWorker::started`]) before it reads its own half; without that wait the helper began only
//! after the engine worker's half, and the read took 1.5 s longer than one worker's.

use std::cell::RefCell;
use std::rc::Rc;

use audience_engine::ingest::{HeaderMode, RowPart, StreamingReader};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent, Worker, WorkerOptions};

use super::{stream_blob_part, BlobPart, BridgeError};

/// The reading helper's name (its `self.name`, which tells `engine_worker.js` and [`run`] its role).
pub(crate) const READER_WORKER_NAME: &str = "reader";

/// Files of at least this many bytes are read by the engine worker and a reading helper side by side
/// (about 160,000 rows of the benchmark's 20 columns; its 100k-row file, 15 MB, is read by one).
pub(crate) const SHARED_READ_BYTES: f64 = 24e6;

/// Where a file of `size` bytes is cut between the two readers: its middle (the cut is the first line
/// break from there).
pub(crate) fn split_offset(size: usize) -> usize {
    size / 2
}

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
    /// Starts a helper from this worker's own script and asks it at once for the rows of the second half
    /// of `file` ([`split_offset`]) read under the page's `header` setting (the request waits in
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

    /// The helper's rows, once it has answered; why there are none otherwise.
    pub(crate) async fn part(self) -> Result<RowPart, String> {
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
        RowPart::from_bytes(&answer?).map_err(|error| error.to_string())
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

/// Reads the rows of the second half of the request's file; their bytes ([`RowPart::to_bytes`]).
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
    let size = file.size() as usize;
    let split = split_offset(size);
    let mut reader = StreamingReader::with_capacity(options, size);
    // The file's start, until it is planned (its first slice, as in the engine worker).
    let start = BlobPart {
        from: 0,
        more: &|reader| !reader.is_streaming() && reader.bytes_received() < split,
        readers: 1,
    };
    stream_blob_part(&file, &mut reader, start, &mut |_| {}).map_err(|error| error.to_string())?;
    if !reader.read_rows_after(split) {
        return Err("the file's start could not be planned here".to_owned());
    }
    let rest = BlobPart {
        from: split,
        ..BlobPart::whole()
    };
    stream_blob_part(&file, &mut reader, rest, &mut |_| {}).map_err(|error| error.to_string())?;
    reader
        .finish_rows()
        .map(|part| part.to_bytes())
        .ok_or_else(|| "the rows after the middle could not be read on their own".to_owned())
}
