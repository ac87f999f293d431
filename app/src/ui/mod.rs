//! Leptos components: the only code that touches the DOM.
//!
//! The page is one guided workflow; each step is a section that appears once the step before it is done.
//! Components receive only the signals they need.

mod assistant;
mod charts_view;
mod column_controls;
mod customer_match;
mod data_step;
mod describe;
mod engine;
mod enrichment;
mod preview;
mod reply;
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

    // A new file brings its detected conversion column (a re-typed or enriched file keeps the choice);
    // new suggestions or roles reset the column choices.
    Effect::new(move |previous: Option<Option<String>>| {
        let dataset = engine.dataset.get();
        let file_name = dataset.as_ref().map(|dataset| dataset.file_name.clone());
        if previous.as_ref() != Some(&file_name) {
            target.set(dataset.and_then(|dataset| dataset.detected_target));
        }
        file_name
    });
    Effect::new(move |_| {
        let withheld = engine::withheld(&engine.roles.get());
        match engine.suggestions.get() {
            Some(suggestions) => {
                choices.set(variables::initial_choices(
                    &suggestions,
                    target.get_untracked().as_deref(),
                    &withheld,
                ));
            }
            None => choices.set(Vec::new()),
        }
    });

    view! {
        <header class="app-header">
            <h1>"Audience Builder"</h1>
            <p class="tagline">"Segments and personas from your customer file. The file never leaves this tab."</p>
        </header>
        <steps::StepIndicator engine=engine />
        // `data-catalog` says whether the variable catalog is indexed ("loading", "ready", "unavailable"),
        // for host pages and tests, before any file is chosen.
        <main class="app-main" data-catalog=move || match engine.catalog.get() {
            CatalogState::Loading => "loading",
            CatalogState::Ready(_) => "ready",
            CatalogState::Unavailable(_) => "unavailable",
        }>
            <data_step::DataStep engine=engine />
            <status::StatusLine status=engine.status />
            <preview::Preview engine=engine target=target />
            <Show when=move || engine.dataset.get().is_some()>
                <section class="step" id="data-settings" aria-label="Data settings">
                    <enrichment::DataKindSelect engine=engine query=query />
                    <enrichment::EnrichmentPanel engine=engine />
                </section>
                <describe::DescribeStep engine=engine query=query />
                <saved::SavedAudiences engine=engine query=query target=target choices=choices form=form />
            </Show>
            <Show when=move || engine.suggestions.get().is_some()>
                <variables::VariablesStep engine=engine query=query choices=choices target=target />
                <segment_step::SegmentStep engine=engine form=form choices=choices target=target />
            </Show>
            <results::ResultsStep engine=engine />
        </main>
        <assistant::Assistant engine=engine query=query target=target choices=choices form=form />
    }
}
