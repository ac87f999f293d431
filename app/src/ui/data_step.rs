//! Step 1: choose a file (picker, drag and drop, or the demo data).

use leptos::ev::{DragEvent, Event, MouseEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, HtmlInputElement};

use audience_engine::ingest::HeaderMode;

use super::{EngineStatus, WorkerClient};
use crate::browser;

/// The demo file shipped in `public/`.
pub const DEMO_FILE: &str = "demo/leads.csv";

/// File picker, drop zone and demo button.
#[component]
pub fn DataStep() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let dragging = RwSignal::new(false);
    let disabled = move || !engine.is_idle();

    let on_pick = move |event: Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            engine.load_file(&file, file.name());
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(false);
        let file: Option<File> = event
            .data_transfer()
            .and_then(|transfer| transfer.files())
            .and_then(|files| files.get(0));
        match file {
            Some(file) if engine.is_idle() => {
                engine.load_file(&file, file.name());
            }
            Some(_) => {}
            None => engine.status.set(EngineStatus::Failed(
                "Drop a file (a CSV) here, not text or a link.".into(),
            )),
        }
    };
    let on_demo = move |_: MouseEvent| {
        engine
            .status
            .set(EngineStatus::Busy("Fetching the demo data…".into()));
        leptos::task::spawn_local(async move {
            match fetch_blob(DEMO_FILE).await {
                Ok(blob) => {
                    engine.load_file(&blob, "leads.csv (demo)".into());
                }
                Err(message) => engine.status.set(EngineStatus::Failed(message)),
            }
        });
    };

    view! {
        <section class="step" aria-labelledby="data-heading">
            <h2 id="data-heading" tabindex="-1">"1. Your data"</h2>
            <div
                id="drop-zone"
                class="drop-zone"
                class:dragging=move || dragging.get()
                on:dragover=move |event: DragEvent| {
                    event.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for="file-input" class="button">"Choose a CSV file"</label>
                <input
                    id="file-input"
                    class="visually-hidden"
                    type="file"
                    accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
                    disabled=disabled
                    on:change=on_pick
                />
                <span class="drop-hint">" or drop it here, or "</span>
                <button id="demo-button" type="button" class="button secondary" disabled=disabled on:click=on_demo>
                    "Try the demo data"
                </button>
                <p class="privacy-note">"Read in this tab only: nothing is uploaded."</p>
            </div>
            <p class="header-choice">
                <label for="header-mode">"Header row: "</label>
                <select
                    id="header-mode"
                    disabled=disabled
                    on:change=move |event| engine.set_header(header_mode(&event_target_value(&event)))
                >
                    <option value="auto" selected=move || engine.header.get() == HeaderMode::Auto>
                        "Detect it"
                    </option>
                    <option value="present" selected=move || engine.header.get() == HeaderMode::Present>
                        "The first line holds the column names"
                    </option>
                    <option value="absent" selected=move || engine.header.get() == HeaderMode::Absent>
                        "No header row: every line is a customer"
                    </option>
                </select>
            </p>
        </section>
    }
}

/// The header choice of the select's value.
fn header_mode(value: &str) -> HeaderMode {
    match value {
        "present" => HeaderMode::Present,
        "absent" => HeaderMode::Absent,
        _ => HeaderMode::Auto,
    }
}

/// Fetches the demo file as a `Blob`.
async fn fetch_blob(url: &str) -> Result<Blob, String> {
    browser::fetch_blob(url)
        .await
        .map_err(|what| format!("Could not load the demo data ({what})."))
}
