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

use audience_engine::ingest::{HeaderMode, StreamingReader};
use audience_search::SearchAssets;
use js_sys::{ArrayBuffer, Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent, Worker, WorkerOptions,
};

use crate::protocol::{Failure, FailureKind, ProgressThrottle, ProgressUpdate, Request, Response};
use crate::service::{rehearse, rehearse_search, Session, REHEARSAL_ROWS, WARM_UP_ROWS};
use reader::{ReaderWorker, READER_WORKER_NAME, SHARED_READ_BYTES};

mod reader;

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

/// Bytes given to the reader at a time: a slice is pushed in pieces, so that the reader's loops, which run
/// once per push, get the browser's optimised code early. Chromium runs a wasm function first as baseline
/// code and a call under way keeps it: a 4 MB push ran as baseline code to its end.
const PUSH_PIECE: usize = 256 << 10;

/// Reads a `Blob` a slice at a time (`FileReaderSync`, so only inside a worker) into `reader`, reporting
/// the share read to `progress`.
pub(crate) fn stream_blob(
    blob: &Blob,
    reader: &mut StreamingReader,
    progress: &mut dyn FnMut(ProgressUpdate),
) -> Result<(), BridgeError> {
    stream_blob_part(blob, reader, BlobPart::whole(), progress)
}

/// Which bytes of a `Blob` [`stream_blob_part`] reads.
pub(crate) struct BlobPart<'a> {
    /// The offset of the first byte.
    pub from: usize,
    /// Whether to read the next slice, asked before each (the reader so far).
    pub more: &'a dyn Fn(&StreamingReader) -> bool,
    /// Readers reading the file side by side, each about as fast: the share read that `progress` is
    /// told is this many times this reader's.
    pub readers: usize,
}

impl BlobPart<'_> {
    /// Every byte, by one reader.
    pub(crate) fn whole() -> BlobPart<'static> {
        BlobPart {
            from: 0,
            more: &|_| true,
            readers: 1,
        }
    }
}

/// [`stream_blob`] from byte `part.from` on, while `part.more` says so.
pub(crate) fn stream_blob_part(
    blob: &Blob,
    reader: &mut StreamingReader,
    part: BlobPart<'_>,
    progress: &mut dyn FnMut(ProgressUpdate),
) -> Result<(), BridgeError> {
    let file_reader =
        FileReaderSync::new().map_err(|error| BridgeError::browser("opening the file", error))?;
    let size = blob.size();
    let mut buffer = Vec::new();
    let mut start = part.from as f64;
    while start < size && (part.more)(reader) {
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
        for piece in buffer.chunks(PUSH_PIECE) {
            reader.push(piece);
        }
        start = end;
        if size > (4 * READ_SLICE) as f64 {
            let read = (end * part.readers as f64).min(size);
            progress(ProgressUpdate {
                stage: format!(
                    "Reading the file: {:.0} of {:.0} MB",
                    read / 1e6,
                    size / 1e6
                ),
                fraction: read / size,
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
            let mut fill = |reader: &mut StreamingReader| {
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

/// The engine worker's answer to [`Request::LoadFile`] for a large file: the rows of its first half read
/// here while `helper` reads the rows of the second, then the table finished with the helper's rows (see
/// [`reader`]). Where the helper has not started reading within 3 s or failed first, this worker reads
/// the whole file itself; where the helper's rows cannot finish the table (it failed, or the middle's
/// line break was inside a quoted field), this worker reads the second half too.
async fn load_shared(
    scope: &DedicatedWorkerGlobalScope,
    session: &RefCell<Session>,
    id: u32,
    file_name: &str,
    header: HeaderMode,
    file: &Blob,
    helper: ReaderWorker,
) -> Response {
    let started = js_sys::Date::now();
    // A helper that has not started reading by now is not waited for: this worker reads alone.
    let helper = if helper.started(scope).await {
        Some(helper)
    } else {
        helper.stop();
        None
    };
    let size = file.size() as usize;
    let mut throttle = ProgressThrottle::new(ProgressThrottle::INTERVAL_MS);
    let mut report = |update: ProgressUpdate| {
        if throttle.due(js_sys::Date::now()) {
            // A progress report that cannot be posted is only a bar that does not move.
            let _ = scope.post_message(&reply(id, &Response::Progress(update)));
        }
    };
    let options = crate::service::customer_file_options(header);
    let mut reader = StreamingReader::with_capacity(options, size);
    if helper.is_some() {
        reader.stop_at(reader::split_offset(size));
    }
    let first_half = BlobPart {
        from: 0,
        more: &|reader| reader.stopped_at().is_none(),
        readers: if helper.is_some() { 2 } else { 1 },
    };
    if let Err(error) = stream_blob_part(file, &mut reader, first_half, &mut report) {
        if let Some(helper) = helper {
            helper.stop();
        }
        return Response::Failed(error.into());
    }
    let Some(helper) = helper else {
        return session
            .borrow_mut()
            .keep_streamed(file_name, header, reader.finish(), started);
    };
    if reader.stopped_at().is_none() {
        // The file's start was read whole, or it has no line break after its middle: read here.
        helper.stop();
        return session
            .borrow_mut()
            .keep_streamed(file_name, header, reader.finish(), started);
    }
    let unused = |why: &str| {
        web_sys::console::warn_2(
            &"audience worker: the reading helper's rows are not used, this worker reads them"
                .into(),
            &why.into(),
        );
    };
    let mut reader = if !reader.ends_with_a_record() {
        unused("the line break after the file's middle is inside a quoted field");
        helper.stop();
        reader.resume();
        reader
    } else {
        match helper.part().await {
            Ok(part) => match reader.finish_with_rows(&part) {
                Ok(read) => {
                    return session
                        .borrow_mut()
                        .keep_streamed(file_name, header, read, started)
                }
                Err(resumed) => {
                    unused("they were read otherwise than the rows before them");
                    *resumed
                }
            },
            Err(reason) => {
                unused(&reason);
                reader.resume();
                reader
            }
        }
    };
    let second_half = BlobPart {
        from: reader.bytes_received(),
        ..BlobPart::whole()
    };
    if let Err(error) = stream_blob_part(file, &mut reader, second_half, &mut report) {
        return Response::Failed(error.into());
    }
    session
        .borrow_mut()
        .keep_streamed(file_name, header, reader.finish(), started)
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

/// Catalog item vectors computed per slice by [`compute_catalog_vectors`]: about 10 ms in Chromium, so a
/// request that comes meanwhile waits no longer than that.
const VECTOR_SLICE: usize = 2_048;

/// Computes the loaded catalog's item vectors a slice at a time ([`Session::compute_catalog_vectors`]),
/// answering the messages that wait between slices. Loading computes none (it would have held the catalog
/// back by about 0.2 s), and the first search computes all that are left; this computes them while the user
/// is still choosing a file or describing an audience.
async fn compute_catalog_vectors(scope: &DedicatedWorkerGlobalScope, session: &RefCell<Session>) {
    let mut next = Some(0);
    while let Some(from) = next {
        yield_to_messages(scope).await;
        next = session.borrow().compute_catalog_vectors(from, VECTOR_SLICE);
    }
}

/// Rehearses a catalog search ([`rehearse_search`]) once the catalog's item vectors are computed, unless
/// the user has searched already; a message that came meanwhile is answered first.
async fn rehearse_search_when_idle(
    scope: &DedicatedWorkerGlobalScope,
    session: &RefCell<Session>,
    requests: &WorkerActivity,
) {
    yield_to_messages(scope).await;
    if !requests.searched.get() {
        drop(rehearse_search(&session.borrow()));
    }
}

/// How long the worker must have had no request before it rehearses (see [`rehearse_when_idle`]).
const REHEARSAL_IDLE_MS: i32 = 150;

/// Runs the rehearsal ([`rehearse`]) once the worker has had no request for [`REHEARSAL_IDLE_MS`]: a
/// user describing an audience or ticking columns never waits for it. `requests` counts the requests the
/// worker has received; once one of them was a segmentation the rehearsal is pointless and never runs. It
/// only runs where no warm-up worker could start ([`start_warm_up_worker`]): in Chromium on 2 cores the
/// 400 rows took up to 0.5 s while the warm-up worker and the catalog's competed for the cores, and a
/// Find variables clicked meanwhile waited for it.
async fn rehearse_when_idle(scope: &DedicatedWorkerGlobalScope, requests: &WorkerActivity) {
    loop {
        let seen = requests.received.get();
        sleep(scope, REHEARSAL_IDLE_MS).await;
        if requests.segmented.get() || requests.warm_up_started.get() {
            return;
        }
        if requests.received.get() == seen {
            drop(rehearse(REHEARSAL_ROWS));
            return;
        }
    }
}

/// The warm-up worker's name (its `self.name`): it rehearses a segmentation of [`WARM_UP_ROWS`] rows and
/// closes.
const WARM_UP_WORKER_NAME: &str = "warm-up";

/// Starts a worker that rehearses a segmentation of [`WARM_UP_ROWS`] rows and then closes. The browser
/// shares one compiled module between the workers of a page, and the code it optimises while the
/// warm-up worker rehearses serves the engine worker too; nothing waits for it. Where it cannot start, the
/// engine worker rehearses a small segmentation itself once idle ([`rehearse_when_idle`]).
fn start_warm_up_worker(scope: &DedicatedWorkerGlobalScope, activity: &WorkerActivity) {
    let Ok(script) = web_sys::Url::new_with_base("engine_worker.js", &scope.location().href())
    else {
        return;
    };
    let options = WorkerOptions::new();
    options.set_name(WARM_UP_WORKER_NAME);
    match Worker::new_with_options(&script.href(), &options) {
        Ok(worker) => {
            activity.warm_up_started.set(true);
            // It closes itself; the handle is kept so that nothing ends it sooner.
            std::mem::forget(worker);
        }
        Err(error) => web_sys::console::warn_2(&"audience worker: no warm-up".into(), &error),
    }
}

/// What the worker has been asked so far, for [`rehearse_when_idle`].
#[derive(Default)]
struct WorkerActivity {
    /// Requests received.
    received: Cell<u64>,
    /// Whether one of them was a segmentation.
    segmented: Cell<bool>,
    /// Whether one of them searched the catalog (a suggestion, or the catalog's part of one).
    searched: Cell<bool>,
    /// Whether a warm-up worker was started: it rehearses for this worker (the browser shares the code
    /// it optimises), so this worker's own rehearsal, which a request would wait for, is not needed.
    warm_up_started: Cell<bool>,
}

/// Fetches the catalog's assets from `base_url` and installs them in the session (and the census manifest
/// and ZIP index with them when `with_census`: not in the catalog's own worker).
async fn load_catalog(
    scope: &DedicatedWorkerGlobalScope,
    session: &RefCell<Session>,
    base_url: &str,
    with_census: bool,
) -> Response {
    let base = base_url.trim_end_matches('/');
    // Every asset is requested at once; the worker answers other messages while they arrive.
    let urls: Vec<String> = CATALOG_FILES
        .iter()
        .map(|name| format!("{base}/{name}"))
        .collect();
    // The worker's script requested them before the wasm compiled (public/engine_worker.js): those
    // requests are awaited here, and any it did not make is made now.
    let fetches: Vec<JsFuture> = urls
        .iter()
        .map(|url| {
            JsFuture::from(take_early_fetch(url).unwrap_or_else(|| scope.fetch_with_str(url)))
        })
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
    let census = async {
        if with_census {
            ensure_census(scope, session, base).await
        } else {
            Ok(())
        }
    };
    let (files, census) = join(catalog_files, census).await;
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

/// Where the catalog's assets are, relative to the page.
pub const CATALOG_URL: &str = "./catalog";

/// The engine worker names the worker it starts for the catalog with this prefix and the catalog's URL:
/// that worker fetches and indexes the catalog as soon as it runs, without waiting to be asked (a request
/// would wait for the engine worker, which may be reading a file).
const CATALOG_WORKER_PREFIX: &str = "catalog:";

/// The id of the catalog worker's unsolicited answer once it has indexed the catalog (or failed to): a
/// [`Response::CatalogReady`] or [`Response::Failed`]. Request ids count up from 1: they reach it only
/// after four billion requests to the catalog worker.
const CATALOG_LOADED_ID: u32 = u32::MAX;

/// The catalog's own worker, started by the engine worker (see [`run_worker`]): the catalog is fetched and
/// indexed there, on the other core, so a file read meanwhile never waits for it, and the engine worker's
/// memory holds no index. The engine worker asks it for the catalog's part of each suggestion
/// ([`Request::SearchCatalog`]) and for the names of an enrichment file's catalog codes
/// ([`Request::CatalogLabels`]).
struct CatalogWorker {
    worker: RefCell<EngineWorker>,
    /// Where it loads the catalog from.
    base_url: String,
    state: Rc<CatalogWorkerState>,
}

/// What the catalog worker's replies update.
#[derive(Default)]
struct CatalogWorkerState {
    /// It has announced itself ([`Response::Ready`]): requests can be posted.
    started: Cell<bool>,
    /// It stopped (a crash): every request fails.
    stopped: RefCell<Option<Failure>>,
    /// How loading the catalog ended, once it has.
    loaded: RefCell<Option<Response>>,
    /// Requests waiting for the catalog to be loaded.
    waiting_for_load: RefCell<Vec<js_sys::Function>>,
    /// Requests waiting for it to start.
    waiting_for_start: RefCell<Vec<js_sys::Function>>,
    /// Requests posted, by id: how to wake the request, and where its answer goes.
    pending: RefCell<Vec<(u32, js_sys::Function, AnswerSlot)>>,
}

/// Where a request's answer is left for it.
type AnswerSlot = Rc<RefCell<Option<Response>>>;

impl CatalogWorkerState {
    fn receive(&self, id: u32, response: Response) {
        match response {
            Response::Ready if id == READY_ID => {
                self.started.set(true);
                for wake in self.waiting_for_start.take() {
                    let _ = wake.call0(&JsValue::NULL);
                }
            }
            Response::Failed(failure) if id == READY_ID => {
                self.started.set(true);
                *self.stopped.borrow_mut() = Some(failure.clone());
                self.loaded
                    .borrow_mut()
                    .get_or_insert_with(|| Response::Failed(failure.clone()));
                let waiting = self.waiting_for_start.take();
                for wake in waiting.into_iter().chain(self.waiting_for_load.take()) {
                    let _ = wake.call0(&JsValue::NULL);
                }
                for (_, wake, answer) in self.pending.take() {
                    *answer.borrow_mut() = Some(Response::Failed(failure.clone()));
                    let _ = wake.call0(&JsValue::NULL);
                }
            }
            response if id == CATALOG_LOADED_ID => {
                *self.loaded.borrow_mut() = Some(response);
                for wake in self.waiting_for_load.take() {
                    let _ = wake.call0(&JsValue::NULL);
                }
            }
            Response::Progress(_) => {}
            response => {
                let at = self
                    .pending
                    .borrow()
                    .iter()
                    .position(|(waiting, ..)| *waiting == id);
                if let Some(at) = at {
                    let (_, wake, answer) = self.pending.borrow_mut().swap_remove(at);
                    *answer.borrow_mut() = Some(response);
                    let _ = wake.call0(&JsValue::NULL);
                }
            }
        }
    }
}

impl CatalogWorker {
    /// Starts the catalog worker from this worker's own script; it loads the catalog at `base_url` at once.
    fn spawn(scope: &DedicatedWorkerGlobalScope, base_url: &str) -> Result<Self, BridgeError> {
        let script = web_sys::Url::new_with_base("engine_worker.js", &scope.location().href())
            .map_err(|error| BridgeError::browser("starting the catalog worker", error))?
            .href();
        let state = Rc::new(CatalogWorkerState::default());
        let receiver = state.clone();
        let name = format!("{CATALOG_WORKER_PREFIX}{base_url}");
        let on_response = move |id, response| receiver.receive(id, response);
        // The engine worker's script started one on the page's catalog URL (public/engine_worker.js).
        let worker = match take_early_worker("catalog").filter(|_| base_url == CATALOG_URL) {
            Some(early) => {
                EngineWorker::attach(early.worker, Some((early.early, None)), on_response)?
            }
            None => EngineWorker::spawn_named(&script, &name, on_response)?,
        };
        Ok(CatalogWorker {
            worker: RefCell::new(worker),
            base_url: base_url.to_owned(),
            state,
        })
    }

    /// Posts `request` (once the worker has started) and waits for its answer.
    async fn ask(&self, request: &Request) -> Response {
        if !self.state.started.get() {
            let promise = js_sys::Promise::new(&mut |wake, _| {
                self.state.waiting_for_start.borrow_mut().push(wake);
            });
            let _ = JsFuture::from(promise).await;
        }
        if let Some(failure) = self.state.stopped.borrow().clone() {
            return Response::Failed(failure);
        }
        let id = match self.worker.borrow_mut().send(request, None) {
            Ok(id) => id,
            Err(error) => return Response::Failed(error.into()),
        };
        let answer = Rc::new(RefCell::new(None));
        let promise = js_sys::Promise::new(&mut |wake, _| {
            self.state
                .pending
                .borrow_mut()
                .push((id, wake, answer.clone()));
        });
        let _ = JsFuture::from(promise).await;
        let answer = answer.borrow_mut().take();
        answer.unwrap_or_else(|| {
            Response::Failed(Failure::new(
                FailureKind::Catalog,
                "The variable catalog did not answer. Reload the page.".to_owned(),
            ))
        })
    }

    /// How loading the catalog ended ([`Response::CatalogReady`] or [`Response::Failed`]), once it has.
    async fn loaded(&self) -> Response {
        if self.state.loaded.borrow().is_none() {
            let promise = js_sys::Promise::new(&mut |wake, _| {
                self.state.waiting_for_load.borrow_mut().push(wake);
            });
            let _ = JsFuture::from(promise).await;
        }
        let loaded = self.state.loaded.borrow().clone();
        loaded.unwrap_or_else(|| {
            Response::Failed(Failure::new(
                FailureKind::Catalog,
                "The variable catalog could not be loaded.".to_owned(),
            ))
        })
    }

    /// Whether the catalog is installed there.
    fn indexed(&self) -> bool {
        matches!(
            *self.state.loaded.borrow(),
            Some(Response::CatalogReady { .. })
        ) && self.state.stopped.borrow().is_none()
    }
}

/// The engine worker's answer to [`Request::LoadCatalog`] when the catalog has its own worker: that worker
/// fetches and indexes it while this one fetches the census manifest and ZIP index (they mark the catalog
/// variables that can be retrieved for the file, and retrieval happens here).
async fn load_catalog_elsewhere(
    scope: &DedicatedWorkerGlobalScope,
    session: &RefCell<Session>,
    catalog: &CatalogWorker,
    base_url: &str,
) -> Response {
    let base = base_url.trim_end_matches('/');
    let (response, census) = join(catalog.loaded(), ensure_census(scope, session, base)).await;
    if let Err(error) = census {
        web_sys::console::warn_2(
            &"audience worker: census values unavailable".into(),
            &error.to_string().into(),
        );
    }
    response
}

/// The engine worker's answer to [`Request::Suggest`] when the catalog has its own worker: the file's
/// columns described here, searched there, the suggestions put together here.
async fn suggest_elsewhere(
    session: &RefCell<Session>,
    catalog: &CatalogWorker,
    request: Request,
) -> Response {
    let Request::Suggest {
        query,
        data_kind,
        withheld,
    } = request
    else {
        return Response::Failed(Failure::new(
            FailureKind::Protocol,
            "not a suggestion request".to_owned(),
        ));
    };
    let to_search = match session
        .borrow_mut()
        .columns_to_search_without(&query, withheld)
    {
        Ok(to_search) => to_search,
        Err(error) => return Response::Failed(error.into()),
    };
    let request = Request::SearchCatalog {
        to_search: to_search.clone(),
        data_kind,
    };
    match catalog.ask(&request).await {
        Response::CatalogAnswer(answer) => session
            .borrow()
            .suggestions_from(to_search, Some(answer))
            .map_or_else(
                |error| Response::Failed(error.into()),
                Response::Suggestions,
            ),
        Response::Failed(failure) => Response::Failed(failure),
        other => Response::Failed(Failure::new(
            FailureKind::Protocol,
            format!("the catalog worker answered {other:?}"),
        )),
    }
}

/// The engine worker's answer to [`Request::Join`] when the catalog has its own worker: the enrichment
/// file's headers that are catalog codes get their readable names from there first.
async fn join_elsewhere(
    session: &RefCell<Session>,
    catalog: &CatalogWorker,
    request: Request,
) -> Response {
    let codes = session.borrow().enrichment_headers();
    if let Response::CatalogLabels(labels) = catalog.ask(&Request::CatalogLabels { codes }).await {
        session.borrow_mut().add_catalog_labels(labels);
    }
    session.borrow_mut().handle(request, None, &mut |_| {})
}

/// The worker's entry point: installs the message loop and tells the page it is ready.
pub fn run_worker() -> Result<(), BridgeError> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into().map_err(|_| {
        BridgeError::Browser("run_worker must be called inside a dedicated worker".into())
    })?;
    if scope.name() == WARM_UP_WORKER_NAME {
        drop(rehearse(WARM_UP_ROWS));
        scope.close();
        return Ok(());
    }
    if scope.name() == READER_WORKER_NAME {
        reader::run(scope);
        return Ok(());
    }
    let session = Rc::new(RefCell::new(Session::new()));
    let activity = Rc::new(WorkerActivity::default());
    // The catalog's own worker (named by the engine worker, see `CatalogWorker`) loads the catalog as soon
    // as it runs and starts no worker; the engine worker starts it when the page asks for the catalog.
    let catalog_url = scope
        .name()
        .strip_prefix(CATALOG_WORKER_PREFIX)
        .map(str::to_owned);
    let is_catalog_worker = catalog_url.is_some();
    // The engine worker starts the catalog's worker at once, on the page's catalog URL: it compiles and
    // indexes while the page starts and asks for the catalog.
    let catalog_worker: Rc<RefCell<Option<Rc<CatalogWorker>>>> = Rc::new(RefCell::new(
        (!is_catalog_worker)
            .then(|| CatalogWorker::spawn(&scope, CATALOG_URL).ok())
            .flatten()
            .map(Rc::new),
    ));
    let own_session = session.clone();
    let own_activity = activity.clone();
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
        let decoded = decode_request(&data);
        // Fetching the catalog is asynchronous; everything else answers at once.
        if let Ok((id, Request::LoadCatalog { base_url }, _)) = decoded {
            let (scope, session, activity) =
                (reply_scope.clone(), session.clone(), activity.clone());
            // The catalog is indexed in a worker of its own, started now (again, if it failed before);
            // where none can start, here.
            let catalog = if is_catalog_worker {
                None
            } else {
                let mut slot = catalog_worker.borrow_mut();
                let usable = slot.as_ref().is_some_and(|worker| {
                    worker.base_url == base_url
                        && !matches!(*worker.state.loaded.borrow(), Some(Response::Failed(_)))
                });
                if !usable {
                    *slot = CatalogWorker::spawn(&scope, &base_url)
                        .inspect_err(|error| {
                            web_sys::console::warn_2(
                                &"audience worker: the catalog is indexed here".into(),
                                &error.to_string().into(),
                            );
                        })
                        .ok()
                        .map(Rc::new);
                }
                slot.clone()
            };
            wasm_bindgen_futures::spawn_local(async move {
                let response = match &catalog {
                    Some(catalog) => {
                        load_catalog_elsewhere(&scope, &session, catalog, &base_url).await
                    }
                    None => load_catalog(&scope, &session, &base_url, !is_catalog_worker).await,
                };
                let indexed_here =
                    catalog.is_none() && matches!(response, Response::CatalogReady { .. });
                post(reply(id, &response));
                // The page asks for the catalog once the worker starts, and the user then picks a file and
                // describes an audience: a warm-up worker rehearses a segmentation beside this one (or,
                // where none can start, this worker rehearses a small one itself once idle), so that the
                // user's first one runs on optimised code (see `service::rehearsal`).
                if !is_catalog_worker {
                    start_warm_up_worker(&scope, &activity);
                }
                if indexed_here {
                    compute_catalog_vectors(&scope, &session).await;
                    rehearse_search_when_idle(&scope, &session, &activity).await;
                }
                if !is_catalog_worker {
                    rehearse_when_idle(&scope, &activity).await;
                }
            });
            return;
        }
        match decoded {
            Ok((_, Request::Segment(_), _)) => activity.segmented.set(true),
            Ok((_, Request::Suggest { .. } | Request::SearchCatalog { .. }, _)) => {
                activity.searched.set(true);
            }
            _ => {}
        }
        // With the catalog in its own worker, suggestions and joins ask it, asynchronously.
        let catalog = catalog_worker.borrow().clone();
        if let Some(catalog) = catalog.filter(|c| c.indexed()) {
            if let Ok((id, request @ (Request::Suggest { .. } | Request::Join { .. }), _)) =
                decode_request(&data)
            {
                let session = session.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let response = match request {
                        Request::Join { .. } => join_elsewhere(&session, &catalog, request).await,
                        _ => suggest_elsewhere(&session, &catalog, request).await,
                    };
                    post(reply(id, &response));
                });
                return;
            }
        }
        // A large customer file is read with a reading helper, which reads the rows of its second half
        // in a worker of its own: this worker waits for its answer.
        if let Ok((id, Request::LoadFile { file_name, header }, Some(file))) = &decoded {
            let (id, header) = (*id, *header);
            let helper = (!is_catalog_worker && file.size() >= SHARED_READ_BYTES)
                .then(|| ReaderWorker::start(&reply_scope, file, header))
                .and_then(|started| {
                    started
                        .inspect_err(|error| {
                            web_sys::console::warn_2(
                                &"audience worker: the file is read by this worker alone".into(),
                                &error.to_string().into(),
                            );
                        })
                        .ok()
                });
            if let Some(helper) = helper {
                let (scope, session) = (reply_scope.clone(), session.clone());
                let (file_name, file) = (file_name.clone(), file.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let response =
                        load_shared(&scope, &session, id, &file_name, header, &file, helper).await;
                    post(reply(id, &response));
                });
                return;
            }
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
        .map_err(|error| BridgeError::browser("announcing the worker", error))?;
    if let Some(base_url) = catalog_url {
        wasm_bindgen_futures::spawn_local(async move {
            let response = load_catalog(&scope, &own_session, &base_url, false).await;
            let message = reply(CATALOG_LOADED_ID, &response);
            if let Err(error) = scope.post_message(&message) {
                web_sys::console::error_2(
                    &"audience worker: could not post a reply".into(),
                    &error,
                );
            }
            // The page hears it at once on its own channel (public/engine_worker.js), even while the
            // engine worker, which passes it on too, is busy reading a file.
            if matches!(response, Response::CatalogReady { .. }) {
                if let Some(port) = Reflect::get(&scope, &"audiencePagePort".into())
                    .ok()
                    .and_then(|port| port.dyn_into::<web_sys::MessagePort>().ok())
                {
                    let _ = port.post_message(&message);
                }
                compute_catalog_vectors(&scope, &own_session).await;
                rehearse_search_when_idle(&scope, &own_session, &own_activity).await;
            }
        });
    }
    Ok(())
}

/// A handler of `message` events, kept alive by whoever holds it.
type MessageHandler = Closure<dyn FnMut(MessageEvent)>;

/// The page's handle on the engine worker.
pub struct EngineWorker {
    worker: Worker,
    /// Held while the handlers below live (an adopted worker's handlers are installed by a microtask).
    _alive: Rc<()>,
    /// The page's end of the catalog's channel, if the worker was started early with one, and its handler.
    catalog_port: Option<(web_sys::MessagePort, MessageHandler)>,
    next_id: u32,
    _on_message: MessageHandler,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl EngineWorker {
    /// Starts the worker from `script_url` (`engine_worker.js`, whose failed start is an error event).
    /// `on_response` receives every reply with its request id, including [`Response::Ready`]; a crash of
    /// the worker (or a failed start) arrives as a [`Response::Failed`] with id [`READY_ID`].
    pub fn spawn(
        script_url: &str,
        on_response: impl Fn(u32, Response) + Clone + 'static,
    ) -> Result<Self, BridgeError> {
        let worker = Worker::new(script_url)
            .map_err(|error| BridgeError::browser("starting the engine worker", error))?;
        Self::attach(worker, None, on_response)
    }

    /// The worker `public/early_worker.js` started for `role` ("engine" in the page, "catalog" in the
    /// engine worker) before this wasm loaded, if it did and nobody has taken it yet; otherwise
    /// [`Self::spawn`]. What the early worker said meanwhile (its [`Response::Ready`], or a failed start)
    /// reaches `on_response` first, in order, once the caller has the handle: from a microtask, never from
    /// inside this call.
    pub fn adopt_or_spawn(
        role: &str,
        script_url: &str,
        on_response: impl Fn(u32, Response) + Clone + 'static,
    ) -> Result<Self, BridgeError> {
        match take_early_worker(role) {
            Some(early) => Self::attach(
                early.worker,
                Some((early.early, early.catalog_port)),
                on_response,
            ),
            None => Self::spawn(script_url, on_response),
        }
    }

    /// [`Self::spawn`] with the worker's name (its `self.name`), which tells it its role.
    fn spawn_named(
        script_url: &str,
        name: &str,
        on_response: impl Fn(u32, Response) + Clone + 'static,
    ) -> Result<Self, BridgeError> {
        let options = WorkerOptions::new();
        options.set_name(name);
        let worker = Worker::new_with_options(script_url, &options)
            .map_err(|error| BridgeError::browser("starting the catalog worker", error))?;
        Self::attach(worker, None, on_response)
    }

    /// Handles `worker`'s messages and errors with `on_response`; `early` holds the events an early start
    /// kept (see [`Self::adopt_or_spawn`]), handled before any later one, and the page's end of the
    /// catalog's channel, whose [`Response::CatalogReady`] also goes to `on_response`.
    fn attach(
        worker: Worker,
        early: Option<(js_sys::Array, Option<web_sys::MessagePort>)>,
        on_response: impl Fn(u32, Response) + Clone + 'static,
    ) -> Result<Self, BridgeError> {
        let on_catalog_response = on_response.clone();
        // Whether the worker has said anything yet: an error before that is a failed start.
        let started = Rc::new(std::cell::Cell::new(false));
        let on_message_started = started.clone();
        let on_message_response = on_response.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            on_message_started.set(true);
            match decode_response(&event.data()) {
                Ok((id, response)) => on_message_response(id, response),
                // An answer that cannot be read fails its own request when its id can be read.
                Err(error) => {
                    let id = open_envelope(&event.data()).map_or(READY_ID, |(id, _, _)| id);
                    on_message_response(id, Response::Failed(error.into()));
                }
            }
        });
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                let message = if started.get() {
                    format!(
                        "The engine stopped unexpectedly ({}). Please try again.",
                        event.message()
                    )
                } else {
                    format!(
                        "The engine could not start ({}): its files could not be loaded from this \
                         site. Check the connection and reload the page.",
                        event.message()
                    )
                };
                on_response(
                    READY_ID,
                    Response::Failed(Failure::new(FailureKind::Crashed, message)),
                );
            });
        let alive = Rc::new(());
        let mut catalog_handler = None;
        match early {
            None => {
                worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            }
            Some((early, catalog_port)) => {
                // The channel's messages wait in its port until a handler is set.
                if let Some(port) = catalog_port {
                    let handler =
                        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                            if let Ok((id, response @ Response::CatalogReady { .. })) =
                                decode_response(&event.data())
                            {
                                on_catalog_response(id, response);
                            }
                        });
                    port.set_onmessage(Some(handler.as_ref().unchecked_ref()));
                    catalog_handler = Some((port, handler));
                }
                // The early start's own handlers keep collecting until this microtask swaps them out and
                // dispatches what they kept, in one go: no later message can come in between.
                let worker = worker.clone();
                let on_message: js_sys::Function = on_message.as_ref().clone().unchecked_into();
                let on_error: js_sys::Function = on_error.as_ref().clone().unchecked_into();
                let handlers_alive = Rc::downgrade(&alive);
                wasm_bindgen_futures::spawn_local(async move {
                    // Dropped meanwhile: its handlers are gone, and so is the worker.
                    if handlers_alive.upgrade().is_none() {
                        return;
                    }
                    worker.set_onmessage(Some(&on_message));
                    worker.set_onerror(Some(&on_error));
                    for event in early.iter() {
                        if let Ok(event) = event.dyn_into::<web_sys::Event>() {
                            let _ = worker.dispatch_event(&event);
                        }
                    }
                });
            }
        }
        Ok(EngineWorker {
            worker,
            _alive: alive,
            catalog_port: catalog_handler,
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
        // An adopted worker's early events may still be dispatched, and its channel may still deliver:
        // not to handlers dropped here.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        if let Some((port, _)) = &self.catalog_port {
            port.set_onmessage(None);
            port.close();
        }
    }
}

/// A worker `public/early_worker.js` started: the worker, the events it kept, and (the page's engine
/// worker) the page's end of the channel on which the catalog's worker says it has indexed the catalog.
struct EarlyWorker {
    worker: Worker,
    early: js_sys::Array,
    catalog_port: Option<web_sys::MessagePort>,
}

/// Takes the worker `public/early_worker.js` started for `role`, with the events it kept, out of
/// `self.audienceEarlyWorkers` (each is adopted once; a restarted engine starts a new worker).
fn take_early_worker(role: &str) -> Option<EarlyWorker> {
    let slots = Reflect::get(&js_sys::global(), &"audienceEarlyWorkers".into()).ok()?;
    if slots.is_undefined() || slots.is_null() {
        return None;
    }
    let entry = Reflect::get(&slots, &role.into()).ok()?;
    let _ = Reflect::delete_property(slots.unchecked_ref::<Object>(), &role.into());
    let worker = Reflect::get(&entry, &"worker".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let early = Reflect::get(&entry, &"early".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let catalog_port = Reflect::get(&entry, &"catalogPort".into())
        .ok()
        .and_then(|port| port.dyn_into().ok());
    Some(EarlyWorker {
        worker,
        early,
        catalog_port,
    })
}

/// The fetch `public/engine_worker.js` started for `url` before this wasm loaded, taken (once) out of
/// `self.audienceCatalogFetches`.
fn take_early_fetch(url: &str) -> Option<js_sys::Promise> {
    let fetches = Reflect::get(&js_sys::global(), &"audienceCatalogFetches".into()).ok()?;
    if fetches.is_undefined() || fetches.is_null() {
        return None;
    }
    let fetch = Reflect::get(&fetches, &url.into()).ok()?;
    let _ = Reflect::delete_property(fetches.unchecked_ref::<Object>(), &url.into());
    fetch.dyn_into().ok()
}
