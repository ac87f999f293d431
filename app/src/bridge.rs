//! The one wasm boundary: page ⇄ worker messages as JavaScript values, and the worker's message loop.
//!
//! A message is a plain JavaScript object `{ id, body, file? }`: `id` pairs a response with its request,
//! `body` is a [`Request`] or [`Response`] as JSON text, and `file` is an optional `Blob` (a `File` is one)
//! handed over by structured clone, so the main thread never copies file bytes.
//!
//! Why text: one string crosses the wasm boundary and the structured clone, where a JavaScript object
//! (serde-wasm-bindgen, before) is built and read back a field at a time; reading the demo's results
//! (≈0.5 MB as JSON, 5,000 plot points) that way took 160 ms of the page's main thread. JSON has no NaN
//! or infinity (serde_json writes `null`): the engine keeps its results finite, or says "missing" with
//! `null` itself, and test builds check every response of the service against JSON
//! (`protocol::assert_survives_json`). A body that still cannot be read fails its own request, by id.
//! Every failure at this edge becomes a readable [`BridgeError`]; nothing here panics on bad input.

use futures_util::future::join;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use audience_search::SearchAssets;
use js_sys::{ArrayBuffer, Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent, Worker};

use crate::protocol::{Failure, FailureKind, ProgressThrottle, ProgressUpdate, Request, Response};
use crate::service::{rehearse, Session};

/// The id of the unsolicited [`Response::Ready`] message.
pub const READY_ID: u32 = 0;

/// Something went wrong converting or passing a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// The message did not have the expected shape.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// A browser API refused (reading a file, posting a message, starting the worker).
    #[error("{0}")]
    Browser(String),
}

impl BridgeError {
    fn browser(context: &str, error: JsValue) -> Self {
        let detail = error
            .dyn_ref::<js_sys::Error>()
            .map(|error| String::from(error.message()))
            .or_else(|| error.as_string())
            .unwrap_or_else(|| format!("{error:?}"));
        BridgeError::Browser(format!("{context}: {detail}"))
    }
}

impl From<BridgeError> for Failure {
    fn from(error: BridgeError) -> Self {
        let kind = match error {
            BridgeError::Malformed(_) => FailureKind::Protocol,
            BridgeError::Browser(_) => FailureKind::Browser,
        };
        Failure::new(kind, error.to_string())
    }
}

/// A message body: `value` as JSON text.
fn encode_body<T: Serialize>(value: &T) -> Result<JsValue, BridgeError> {
    serde_json::to_string(value)
        .map(|text| JsValue::from_str(&text))
        .map_err(|error| BridgeError::Malformed(error.to_string()))
}

/// Reads a body written by [`encode_body`].
fn decode_body<T: DeserializeOwned>(body: JsValue) -> Result<T, BridgeError> {
    let text = body
        .as_string()
        .ok_or_else(|| BridgeError::Malformed("the message body is not text".into()))?;
    serde_json::from_str(&text).map_err(|error| BridgeError::Malformed(error.to_string()))
}

fn envelope(id: u32, body: JsValue, file: Option<&Blob>) -> Result<JsValue, BridgeError> {
    let message = Object::new();
    let set = |key: &str, value: &JsValue| {
        Reflect::set(&message, &JsValue::from_str(key), value)
            .map(drop)
            .map_err(|error| BridgeError::browser("building a message", error))
    };
    set("id", &JsValue::from(id))?;
    set("body", &body)?;
    if let Some(file) = file {
        set("file", file)?;
    }
    Ok(message.into())
}

fn open_envelope(message: &JsValue) -> Result<(u32, JsValue, Option<Blob>), BridgeError> {
    let get = |key: &str| {
        Reflect::get(message, &JsValue::from_str(key))
            .map_err(|_| BridgeError::Malformed(format!("the message has no readable {key:?}")))
    };
    let id = get("id")?
        .as_f64()
        .filter(|id| id.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(id))
        .ok_or_else(|| BridgeError::Malformed("the message id is not a whole number".into()))?
        as u32;
    let body = get("body")?;
    let file = get("file")?;
    let file = if file.is_undefined() || file.is_null() {
        None
    } else {
        Some(
            file.dyn_into::<Blob>()
                .map_err(|_| BridgeError::Malformed("the attached file is not a Blob".into()))?,
        )
    };
    Ok((id, body, file))
}

/// Packs a request (and the file it reads, if any) into a message for the worker.
pub fn encode_request(
    id: u32,
    request: &Request,
    file: Option<&Blob>,
) -> Result<JsValue, BridgeError> {
    envelope(id, encode_body(request)?, file)
}

/// Unpacks a message from the page.
pub fn decode_request(message: &JsValue) -> Result<(u32, Request, Option<Blob>), BridgeError> {
    let (id, body, file) = open_envelope(message)?;
    Ok((id, decode_body(body)?, file))
}

/// Packs a response into a message for the page.
pub fn encode_response(id: u32, response: &Response) -> Result<JsValue, BridgeError> {
    envelope(id, encode_body(response)?, None)
}

/// Unpacks a message from the worker.
pub fn decode_response(message: &JsValue) -> Result<(u32, Response), BridgeError> {
    let (id, body, _) = open_envelope(message)?;
    Ok((id, decode_body(body)?))
}

/// Reads a `Blob`'s bytes synchronously. Only available inside a worker (`FileReaderSync`).
pub fn read_blob_in_worker(blob: &Blob) -> Result<Vec<u8>, BridgeError> {
    let reader =
        FileReaderSync::new().map_err(|error| BridgeError::browser("opening the file", error))?;
    let buffer = reader
        .read_as_array_buffer(blob)
        .map_err(|error| BridgeError::browser("reading the file", error))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Bytes read from a `File` at a time: one slice is in JavaScript memory at once, never the whole file.
pub const READ_SLICE: usize = 4 << 20;

/// Reads a `Blob` a slice at a time (`FileReaderSync`, so only inside a worker) into `reader`, reporting
/// the share read to `progress`.
fn stream_blob(
    blob: &Blob,
    reader: &mut audience_engine::ingest::StreamingReader,
    progress: &mut dyn FnMut(ProgressUpdate),
) -> Result<(), BridgeError> {
    let file_reader =
        FileReaderSync::new().map_err(|error| BridgeError::browser("opening the file", error))?;
    let size = blob.size();
    let mut buffer = Vec::new();
    let mut start = 0.0;
    while start < size {
        let end = (start + READ_SLICE as f64).min(size);
        let slice = blob
            .slice_with_f64_and_f64(start, end)
            .map_err(|error| BridgeError::browser("reading the file", error))?;
        let bytes = file_reader
            .read_as_array_buffer(&slice)
            .map_err(|error| BridgeError::browser("reading the file", error))?;
        let view = Uint8Array::new(&bytes);
        buffer.resize(view.length() as usize, 0);
        view.copy_to(&mut buffer);
        reader.push(&buffer);
        start = end;
        if size > (4 * READ_SLICE) as f64 {
            progress(ProgressUpdate {
                stage: format!("Reading the file: {:.0} of {:.0} MB", end / 1e6, size / 1e6),
                fraction: end / size,
            });
        }
    }
    Ok(())
}

/// Answers one message from the page: decode, run, encode. Never panics on a bad message; the reply to an
/// undecodable one carries its id when that much could be read (else [`READY_ID`]). `progress` receives the
/// progress messages of long requests, already encoded, to post as they come. A customer file is read a
/// slice at a time ([`Session::load_streamed`]); other attached files whole.
pub fn answer(
    session: &mut Session,
    message: &JsValue,
    progress: &mut dyn FnMut(JsValue),
) -> JsValue {
    let mut throttle = ProgressThrottle::new(ProgressThrottle::INTERVAL_MS);
    let mut throttled = |id: u32, update: ProgressUpdate| {
        if throttle.due(js_sys::Date::now()) {
            progress(reply(id, &Response::Progress(update)));
        }
    };
    let (id, response) = match decode_request(message) {
        Ok((id, Request::LoadFile { file_name, header }, Some(file))) => {
            let mut report = |update: ProgressUpdate| throttled(id, update);
            let size = file.size() as usize;
            let mut fill = |reader: &mut audience_engine::ingest::StreamingReader| {
                stream_blob(&file, reader, &mut report).map_err(Failure::from)
            };
            (
                id,
                session.load_streamed(&file_name, header, size, &mut fill),
            )
        }
        Ok((id, request, file)) => {
            let attachment = match file.as_ref().map(read_blob_in_worker).transpose() {
                Ok(bytes) => bytes,
                Err(error) => {
                    return reply(id, &Response::Failed(error.into()));
                }
            };
            let mut report = |update: ProgressUpdate| throttled(id, update);
            (
                id,
                session.handle(request, attachment.as_deref(), &mut report),
            )
        }
        Err(error) => {
            let id = open_envelope(message).map_or(READY_ID, |(id, _, _)| id);
            (id, Response::Failed(error.into()))
        }
    };
    reply(id, &response)
}

fn reply(id: u32, response: &Response) -> JsValue {
    encode_response(id, response).unwrap_or_else(|error| {
        let fallback = Response::Failed(error.into());
        encode_response(id, &fallback).unwrap_or(JsValue::NULL)
    })
}

/// The catalog's asset files, relative to the catalog folder, in the order of [`SearchAssets`]' fields.
/// The catalog is the packed one (`catalog.bin`): it loads without parsing JSON or analysing text.
pub const CATALOG_FILES: [&str; 4] = [
    "catalog.bin",
    "embed/vocab.txt",
    "embed/table.i8",
    "hnsw.bin",
];

/// The census folder inside the catalog folder, and its manifest (which names the ZIP index).
pub const CENSUS_DIR: &str = "census";
/// The census manifest's file name.
pub const CENSUS_MANIFEST: &str = "manifest.json";

/// Fetches the census manifest and ZIP index (same origin) into the session, unless already there.
async fn ensure_census(
    scope: &DedicatedWorkerGlobalScope,
    session: &RefCell<Session>,
    base: &str,
) -> Result<(), BridgeError> {
    if session.borrow().census_manifest().is_some() {
        return Ok(());
    }
    let folder = format!("{base}/{CENSUS_DIR}");
    let manifest = fetch_bytes(scope, &format!("{folder}/{CENSUS_MANIFEST}")).await?;
    let index_name = audience_engine::retrieve::Manifest::from_json(&manifest)
        .map_err(|error| BridgeError::Browser(error.to_string()))?
        .index;
    let index = fetch_bytes(scope, &format!("{folder}/{index_name}")).await?;
    session
        .borrow_mut()
        .install_census(&manifest, &index)
        .map_err(|error| BridgeError::Browser(error.to_string()))
}

/// Fetches the census files `codes` need (only those not fetched yet), then retrieves.
async fn retrieve(
    scope: &DedicatedWorkerGlobalScope,
    session: &RefCell<Session>,
    base_url: &str,
    request: Request,
) -> Response {
    let base = base_url.trim_end_matches('/');
    let unavailable = |error: BridgeError| {
        Response::Failed(Failure::new(
            FailureKind::Retrieval,
            format!(
                "The census values could not be loaded ({error}). Reload the page while online once, \
                 then try again: afterwards they also work offline."
            ),
        ))
    };
    if let Err(error) = ensure_census(scope, session, base).await {
        return unavailable(error);
    }
    let codes = match &request {
        Request::Retrieve { codes, .. } => codes.clone(),
        _ => Vec::new(),
    };
    let missing = match session.borrow().census_files_missing(&codes) {
        Ok(missing) => missing,
        Err(error) => return Response::Failed(error.into()),
    };
    for file in missing {
        let bytes = match fetch_bytes(scope, &format!("{base}/{CENSUS_DIR}/{file}")).await {
            Ok(bytes) => bytes,
            Err(error) => return unavailable(error),
        };
        if let Err(error) = session.borrow_mut().add_census_file(&file, &bytes) {
            return Response::Failed(error.into());
        }
    }
    session.borrow_mut().handle(request, None, &mut |_| {})
}

/// Fetches a same-origin file from inside the worker.
async fn fetch_bytes(
    scope: &DedicatedWorkerGlobalScope,
    url: &str,
) -> Result<Vec<u8>, BridgeError> {
    fetched_bytes(JsFuture::from(scope.fetch_with_str(url)), url).await
}

/// The bytes of a fetch already started (several can be in flight at once). Taking the fetch as a
/// [`JsFuture`] means its promise has a rejection handler from the moment the future was made: a fetch
/// that fails while an earlier one is awaited is not an unhandled rejection.
async fn fetched_bytes(fetch: JsFuture, url: &str) -> Result<Vec<u8>, BridgeError> {
    let response: web_sys::Response = fetch
        .await
        .map_err(|error| BridgeError::browser(&format!("fetching {url}"), error))?
        .dyn_into()
        .map_err(|_| BridgeError::Browser(format!("fetching {url}: not a response")))?;
    if !response.ok() {
        return Err(BridgeError::Browser(format!(
            "fetching {url}: HTTP {}",
            response.status()
        )));
    }
    let promise = response
        .array_buffer()
        .map_err(|error| BridgeError::browser(&format!("reading {url}"), error))?;
    let buffer: ArrayBuffer = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|error| BridgeError::browser(&format!("reading {url}"), error))?
        .dyn_into()
        .map_err(|_| BridgeError::Browser(format!("reading {url}: not bytes")))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Lets the worker answer the messages already waiting (a file the user chose) before going on.
async fn yield_to_messages(scope: &DedicatedWorkerGlobalScope) {
    sleep(scope, 0).await;
}

/// Resolves after `ms` milliseconds, once the worker is free (other messages are answered meanwhile).
async fn sleep(scope: &DedicatedWorkerGlobalScope, ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if scope
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .is_err()
        {
            // No timer: go on at once.
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// How long the worker must have had no request before it rehearses (see [`rehearse_when_idle`]).
const REHEARSAL_IDLE_MS: i32 = 150;

/// Runs the rehearsal ([`rehearse`]) once the worker has had no request for [`REHEARSAL_IDLE_MS`]: a
/// user describing an audience or ticking columns never waits for it. `requests` counts the requests the
/// worker has received; once one of them was a segmentation the rehearsal is pointless and never runs.
async fn rehearse_when_idle(scope: &DedicatedWorkerGlobalScope, requests: &WorkerActivity) {
    loop {
        let seen = requests.received.get();
        sleep(scope, REHEARSAL_IDLE_MS).await;
        if requests.segmented.get() {
            return;
        }
        if requests.received.get() == seen {
            drop(rehearse());
            return;
        }
    }
}

/// What the worker has been asked so far, for [`rehearse_when_idle`].
#[derive(Default)]
struct WorkerActivity {
    /// Requests received.
    received: Cell<u64>,
    /// Whether one of them was a segmentation.
    segmented: Cell<bool>,
}

/// Fetches the catalog's assets from `base_url` and installs them in the session.
async fn load_catalog(
    scope: &DedicatedWorkerGlobalScope,
    session: &RefCell<Session>,
    base_url: &str,
) -> Response {
    let base = base_url.trim_end_matches('/');
    // Every asset is requested at once; the worker answers other messages while they arrive.
    let urls: Vec<String> = CATALOG_FILES
        .iter()
        .map(|name| format!("{base}/{name}"))
        .collect();
    let fetches: Vec<JsFuture> = urls
        .iter()
        .map(|url| JsFuture::from(scope.fetch_with_str(url)))
        .collect();
    let catalog_files = async {
        let mut files = Vec::with_capacity(CATALOG_FILES.len());
        let mut first_error = None;
        // Every fetch has its handler from the start and is awaited even after one failed: a fetch left
        // without one would reject unhandled when the server is gone (a page error for each file).
        for (fetch, url) in fetches.into_iter().zip(&urls) {
            match fetched_bytes(fetch, url).await {
                Ok(bytes) => files.push(bytes),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        first_error.map_or(Ok(files), Err)
    };
    // The census manifest and ZIP index come meanwhile: they mark the variables that can be retrieved for
    // the file. Without them the catalog still works, and checking such a variable fetches them again.
    let (files, census) = join(catalog_files, ensure_census(scope, session, base)).await;
    if let Err(error) = census {
        web_sys::console::warn_2(
            &"audience worker: census values unavailable".into(),
            &error.to_string().into(),
        );
    }
    let files = match files {
        Ok(files) => files,
        Err(error) => {
            return Response::Failed(Failure::new(
                FailureKind::Catalog,
                format!("The variable catalog could not be loaded ({error})."),
            ))
        }
    };
    // Indexing holds the worker for a moment: a file chosen meanwhile is read first.
    yield_to_messages(scope).await;
    let assets = SearchAssets {
        catalog: &files[0],
        vocab: &files[1],
        table: &files[2],
        graph: Some(&files[3]),
    };
    session.borrow_mut().install_catalog(&assets)
}

/// The worker's entry point: installs the message loop and tells the page it is ready.
pub fn run_worker() -> Result<(), BridgeError> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into().map_err(|_| {
        BridgeError::Browser("run_worker must be called inside a dedicated worker".into())
    })?;
    let session = Rc::new(RefCell::new(Session::new()));
    let activity = Rc::new(WorkerActivity::default());
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        activity.received.set(activity.received.get() + 1);
        let post = {
            let scope = reply_scope.clone();
            move |message: JsValue| {
                if let Err(error) = scope.post_message(&message) {
                    web_sys::console::error_2(
                        &"audience worker: could not post a reply".into(),
                        &error,
                    );
                }
            }
        };
        let data = event.data();
        // Fetching the catalog is asynchronous; everything else answers at once.
        let decoded = decode_request(&data);
        if let Ok((id, Request::LoadCatalog { base_url }, _)) = decoded {
            let (scope, session, activity) =
                (reply_scope.clone(), session.clone(), activity.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let response = load_catalog(&scope, &session, &base_url).await;
                post(reply(id, &response));
                // The page asks for the catalog once the worker starts, and the user then picks a file and
                // describes an audience: once the worker is idle it rehearses a segmentation, so that the
                // user's first one runs on optimised code (see `service::rehearsal`).
                rehearse_when_idle(&scope, &activity).await;
            });
            return;
        }
        if let Ok((_, Request::Segment(_), _)) = decoded {
            activity.segmented.set(true);
        }
        // So is retrieving census values: the measure files are fetched first.
        if let Ok((id, request @ Request::Retrieve { .. }, _)) = decode_request(&data) {
            let (scope, session) = (reply_scope.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let base_url = match &request {
                    Request::Retrieve { base_url, .. } => base_url.clone(),
                    _ => String::new(),
                };
                let response = retrieve(&scope, &session, &base_url, request).await;
                post(reply(id, &response));
            });
            return;
        }
        let mut progress = post.clone();
        let response = answer(&mut session.borrow_mut(), &data, &mut progress);
        post(response);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    scope
        .post_message(&encode_response(READY_ID, &Response::Ready)?)
        .map_err(|error| BridgeError::browser("announcing the worker", error))
}

/// The page's handle on the engine worker.
pub struct EngineWorker {
    worker: Worker,
    next_id: u32,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl EngineWorker {
    /// Starts the worker from `script_url` (Trunk's worker loader). `on_response` receives every reply with
    /// its request id, including [`Response::Ready`]; a crash of the worker arrives as a [`Response::Failed`]
    /// with id [`READY_ID`].
    pub fn spawn(
        script_url: &str,
        on_response: impl Fn(u32, Response) + Clone + 'static,
    ) -> Result<Self, BridgeError> {
        let worker = Worker::new(script_url)
            .map_err(|error| BridgeError::browser("starting the engine worker", error))?;
        let on_message_response = on_response.clone();
        let on_message =
            Closure::<dyn FnMut(MessageEvent)>::new(
                move |event: MessageEvent| match decode_response(&event.data()) {
                    Ok((id, response)) => on_message_response(id, response),
                    // An answer that cannot be read fails its own request when its id can be read.
                    Err(error) => {
                        let id = open_envelope(&event.data()).map_or(READY_ID, |(id, _, _)| id);
                        on_message_response(id, Response::Failed(error.into()));
                    }
                },
            );
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                on_response(
                    READY_ID,
                    Response::Failed(Failure::new(
                        FailureKind::Crashed,
                        format!(
                            "The engine stopped unexpectedly ({}). Please try again.",
                            event.message()
                        ),
                    )),
                );
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(EngineWorker {
            worker,
            next_id: READY_ID,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request (with the file it reads, if any) and returns its id.
    pub fn send(&mut self, request: &Request, file: Option<&Blob>) -> Result<u32, BridgeError> {
        self.next_id = self.next_id.wrapping_add(1).max(READY_ID + 1);
        let message = encode_request(self.next_id, request, file)?;
        self.worker
            .post_message(&message)
            .map_err(|error| BridgeError::browser("sending a request to the engine", error))?;
        Ok(self.next_id)
    }
}

impl Drop for EngineWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
