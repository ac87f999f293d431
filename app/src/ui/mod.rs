//! Leptos components: the only code that touches the DOM.

mod data_step;
mod engine;
mod preview;
mod status;

use leptos::prelude::*;

pub use engine::{Engine, EngineStatus};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let engine = Engine::start();
    view! {
        <header class="app-header">
            <h1>"Audience Builder"</h1>
            <p class="tagline">"Segments and personas from your customer file. The file never leaves this tab."</p>
        </header>
        <main class="app-main">
            <data_step::DataStep engine=engine />
            <status::StatusLine status=engine.status />
            <preview::Preview dataset=engine.dataset />
        </main>
    }
}
