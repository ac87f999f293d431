//! Leptos components: the only code that touches the DOM.
//!
//! The page is one guided workflow; each step is a section that appears once the step before it is done.
//! Components take the worker client ([`WorkerClient`]) and the audience draft (`AudienceDraft`) from
//! Leptos context, provided once by [`App`].

mod activation;
mod assistant;
mod charts_view;
mod column_controls;
mod column_rename;
mod customer_match;
mod data_step;
mod describe;
mod describe_columns;
mod draft;
mod enrichment;
mod feedback;
mod model_step;
mod preview;
mod reply;
mod results;
mod rollup;
mod saved;
mod segment_step;
mod status;
mod steps;
mod variables;
mod worker_client;

use leptos::prelude::*;

use draft::AudienceDraft;

pub use worker_client::{CatalogState, EngineStatus, WorkerClient};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let engine = WorkerClient::start();
    let draft = AudienceDraft::new();
    let AudienceDraft {
        target, choices, ..
    } = draft;
    // Every component takes these two with `expect_context` instead of props.
    provide_context(engine);
    provide_context(draft);
    provide_context(model_step::ModelContext::new());

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
        let withheld = worker_client::withheld(&engine.roles.get());
        match engine.suggestions.get() {
            Some(suggestions) => {
                let initial = variables::initial_choices(
                    &suggestions,
                    target.get_untracked().as_deref(),
                    &withheld,
                );
                let checked = initial.iter().filter(|choice| choice.checked).count();
                engine
                    .status
                    .set(EngineStatus::Done(variables::checked_message(checked)));
                choices.set(initial);
            }
            None => choices.set(Vec::new()),
        }
    });

    // The offline service worker is registered once the catalog has settled and the engine is not busy
    // (the catalog's worker says it is ready even while a file is read): its install fetches the whole app
    // and catalog once more, which must not compete with indexing or reading (see
    // `browser::register_service_worker`).
    Effect::new(move |registered: Option<bool>| {
        if registered == Some(true) {
            return true;
        }
        let settled = !matches!(engine.catalog.get(), CatalogState::Loading);
        let ready = settled && engine.is_idle();
        if ready {
            crate::browser::register_service_worker();
        }
        ready
    });

    view! {
        <a class="skip-link" href="#main-steps" on:click=move |event| {
            event.prevent_default();
            crate::browser::focus("main-steps");
        }>"Skip to the steps"</a>
        <header class="app-header">
            <h1>"Audience Builder"</h1>
            <p class="tagline">"Segments and personas from your customer file. The file never leaves this tab."</p>
        </header>
        <steps::StepIndicator />
        // `data-catalog` says whether the variable catalog is indexed ("loading", "ready", "unavailable"),
        // for host pages and tests, before any file is chosen.
        <main id="main-steps" tabindex="-1" class="app-main" data-catalog=move || match engine.catalog.get() {
            CatalogState::Loading => "loading",
            CatalogState::Ready(_) => "ready",
            CatalogState::Unavailable(_) => "unavailable",
        }>
            <data_step::DataStep />
            <status::StatusLine status=engine.status />
            <rollup::LogPanel />
            <preview::Preview />
            <Show when=move || engine.dataset.with(Option::is_some)>
                <section class="step" id="data-settings" aria-label="Data settings">
                    <enrichment::DataKindSelect />
                    <enrichment::EnrichmentPanel />
                </section>
                <describe::DescribeStep />
                <saved::SavedAudiences />
                <model_step::ApplySaved />
            </Show>
            <Show when=move || engine.suggestions.with(Option::is_some)>
                <variables::VariablesStep />
                <segment_step::SegmentStep />
            </Show>
            <results::ResultsStep />
        </main>
        <assistant::Assistant />
    }
}
