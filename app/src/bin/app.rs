//! The page: mounts the Leptos app and registers the offline service worker.

use wasm_bindgen::JsCast;

/// The service worker that keeps the app and its catalog available offline (`public/sw.js`).
const SERVICE_WORKER: &str = "./sw.js";

fn main() {
    console_error_panic_hook::set_once();
    register_service_worker();
    leptos::mount::mount_to_body(audience_app::ui::App);
}

/// Registers the service worker where the browser supports it; the app works the same without it (only
/// not offline), so every failure is a console note, never an error in the page.
fn register_service_worker() {
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
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(registration).await {
            let reason = error
                .dyn_ref::<js_sys::Error>()
                .map(|error| String::from(error.message()))
                .unwrap_or_else(|| format!("{error:?}"));
            web_sys::console::info_1(&format!("Offline mode is unavailable: {reason}").into());
        }
    });
}
