//! The status line, announced to screen readers.

use leptos::prelude::*;

use super::EngineStatus;

/// Shows what the engine is doing, or the last error.
#[component]
pub fn StatusLine(status: RwSignal<EngineStatus>) -> impl IntoView {
    let text = move || match status.get() {
        EngineStatus::Starting => "Starting the engine…".to_owned(),
        EngineStatus::Ready => String::new(),
        EngineStatus::Busy(what) => what,
        EngineStatus::Failed(message) | EngineStatus::Done(message) => message,
    };
    let is_error = move || matches!(status.get(), EngineStatus::Failed(_));
    view! {
        <p id="status" class="status" class:status-error=is_error role="status" aria-live="polite">
            {text}
        </p>
    }
}
