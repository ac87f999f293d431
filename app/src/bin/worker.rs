//! The engine worker: answers the page's requests with the engine, off the main thread.

fn main() {
    console_error_panic_hook::set_once();
    if let Err(error) = audience_app::bridge::run_worker() {
        web_sys::console::error_1(&format!("audience worker: {error}").into());
    }
}
