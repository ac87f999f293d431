//! The page's one edge to the browser: fetching, this browser's storage, downloads, the text of a JavaScript
//! error, and the offline service worker's registration. Everything else on the page is Leptos components
//! and plain Rust. (The worker's edge is [`crate::bridge`].)
//!
//! Hand-written on `web-sys` rather than `gloo-*`: the page already links every `web-sys` binding used here,
//! so this module adds no code to the wasm that a wrapper crate would.

use js_sys::Array;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, Document, HtmlAnchorElement, RequestInit, Response, Storage, Url,
};

/// A readable message from a JavaScript error value: an `Error`'s message, a thrown string, or the
/// value's debug text.
pub fn error_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// `fetch(url, init)`: the response (any status), or the browser's error (network failure, abort).
pub async fn fetch(url: &str, init: Option<&RequestInit>) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("there is no window"))?;
    let promise = match init {
        Some(init) => window.fetch_with_str_and_init(url, init),
        None => window.fetch_with_str(url),
    };
    JsFuture::from(promise).await?.dyn_into()
}

/// A same-origin file as a `Blob`; `Err` names what went wrong (`network error`, `HTTP 404`, …).
pub async fn fetch_blob(url: &str) -> Result<Blob, String> {
    let response = fetch(url, None)
        .await
        .map_err(|_| "network error".to_owned())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let body = response.blob().map_err(|_| "unreadable body".to_owned())?;
    JsFuture::from(body)
        .await
        .map_err(|_| "unreadable body".to_owned())?
        .dyn_into()
        .map_err(|_| "unexpected body".to_owned())
}

/// The text of a response body (empty when it cannot be read); `Err` when reading was aborted.
pub async fn response_text(response: &Response) -> Result<String, JsValue> {
    match response.text() {
        Ok(promise) => Ok(JsFuture::from(promise)
            .await?
            .as_string()
            .unwrap_or_default()),
        Err(_) => Ok(String::new()),
    }
}

/// This browser's `localStorage`, if the page may use it.
fn storage() -> Option<Storage> {
    web_sys::window().and_then(|window| window.local_storage().ok().flatten())
}

/// The value stored under `key`, if there is one and it reads as a `T`.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    storage()
        .and_then(|storage| storage.get_item(key).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
}

/// Stores `value` under `key`; `Err` is a message for people.
pub fn store<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|error| error.to_string())?;
    storage()
        .ok_or("This browser does not allow saving here.")?
        .set_item(key, &text)
        .map_err(|_| "This browser refused to save (storage full or disabled).".to_owned())
}

/// Offers `content` as a download named `name` (nothing is uploaded).
pub fn download(name: &str, mime: &str, content: &str) -> Result<(), String> {
    let failed = |what: &str| format!("Could not save {name} ({what}).");
    let blob = text_blob(content, mime).map_err(|_| failed("blob"))?;
    download_blob(name, &blob).map_err(|_| failed("link"))
}

/// Offers a blob as a download named `name`.
pub fn download_blob(name: &str, blob: &Blob) -> Result<(), JsValue> {
    let url = Url::create_object_url_with_blob(blob)?;
    let document = document().ok_or("no document")?;
    let link: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    Url::revoke_object_url(&url)
}

/// A blob in memory holding `text` of type `mime`.
pub fn text_blob(text: &str, mime: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_str_sequence_and_options(&Array::of1(&JsValue::from_str(text)), &options)
}

/// The page's document (`None` in a worker).
pub fn document() -> Option<Document> {
    web_sys::window().and_then(|window| window.document())
}

/// Moves the keyboard focus to the element with this id (a heading needs `tabindex="-1"`); nothing when
/// there is none.
pub fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The page's origin (`https://host:port`), empty when unknown.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default()
}

/// A query parameter of the page's address (`?relay=…`), if present.
pub fn page_parameter(name: &str) -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    Url::new(&href).ok()?.search_params().get(name)
}

/// The service worker that keeps the app and its catalog available offline (`public/sw.js`).
const SERVICE_WORKER: &str = "./sw.js";

/// Registers the offline service worker where the browser supports it; the app works the same without it
/// (only not offline), so every failure is a console note, never an error in the page. The page calls
/// it once the catalog is indexed (or has failed) and the engine is not busy: installing fetches the
/// whole app and catalog again, which on a first visit would compete with indexing or reading a file for
/// the same cores.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // `navigator.serviceWorker` is missing in insecure contexts and some embedded browsers.
    let supported = js_sys::Reflect::get(&navigator, &"serviceWorker".into())
        .is_ok_and(|container| !container.is_undefined() && !container.is_null());
    if !supported {
        return;
    }
    let registration = navigator.service_worker().register(SERVICE_WORKER);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = JsFuture::from(registration).await {
            web_sys::console::info_1(
                &format!("Offline mode is unavailable: {}", error_text(&error)).into(),
            );
        }
    });
}
