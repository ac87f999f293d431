//! Leptos components: the only code that touches the DOM.
//!
//! The page is one guided workflow; each step is a section that appears once the step before it is done.
//! Components receive only the signals they need.

mod charts_view;
mod customer_match;
mod data_step;
mod describe;
mod engine;
mod preview;
mod results;
mod saved;
mod segment_step;
mod status;
mod steps;
mod variables;

use leptos::prelude::*;

pub use engine::{download, CatalogState, Engine, EngineStatus};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let engine = Engine::start();
    let query = RwSignal::new(String::new());
    let target = RwSignal::new(None::<String>);
    let choices = RwSignal::new(Vec::new());
    let form = RwSignal::new(segment_step::SegmentForm::default());
    // Column choices of restored settings, applied when their suggestions arrive.
    let pending = RwSignal::new(None::<saved::AudienceSettings>);

    // A new file brings its detected conversion column; new suggestions reset the column choices.
    Effect::new(move |_| {
        if let Some(dataset) = engine.dataset.get() {
            target.set(dataset.detected_target);
        }
    });
    Effect::new(move |_| match engine.suggestions.get() {
        Some(suggestions) => {
            let mut fresh =
                variables::initial_choices(&suggestions, target.get_untracked().as_deref());
            if let Some(settings) = pending.get_untracked() {
                settings.apply_to(&mut fresh);
                pending.set(None);
            }
            choices.set(fresh);
        }
        None => choices.set(Vec::new()),
    });

    view! {
        <header class="app-header">
            <h1>"Audience Builder"</h1>
            <p class="tagline">"Segments and personas from your customer file. The file never leaves this tab."</p>
        </header>
        <steps::StepIndicator engine=engine />
        <main class="app-main">
            <data_step::DataStep engine=engine />
            <status::StatusLine status=engine.status />
            <preview::Preview dataset=engine.dataset />
            <Show when=move || engine.dataset.get().is_some()>
                <describe::DescribeStep engine=engine query=query />
                <saved::SavedAudiences engine=engine query=query target=target choices=choices form=form pending=pending />
            </Show>
            <Show when=move || engine.suggestions.get().is_some()>
                <variables::VariablesStep engine=engine query=query choices=choices target=target />
                <segment_step::SegmentStep engine=engine form=form choices=choices target=target />
            </Show>
            <results::ResultsStep engine=engine />
        </main>
    }
}
