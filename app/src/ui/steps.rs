//! The step indicator.

use leptos::prelude::*;

use super::WorkerClient;

/// The workflow's steps, in order, with their section anchors.
pub const STEPS: [(&str, &str); 5] = [
    ("Data", "#data-heading"),
    ("Describe", "#describe-heading"),
    ("Variables", "#variables-heading"),
    ("Segment", "#segment-heading"),
    ("Results", "#results-heading"),
];

/// How far the user has got: 0 = Data … 4 = Results.
pub fn current_step(engine: &WorkerClient) -> usize {
    if engine.results.with(Option::is_some) {
        4
    } else if engine.progress.get().is_some() {
        3
    } else if engine.suggestions.with(Option::is_some) {
        2
    } else if engine.dataset.with(Option::is_some) {
        1
    } else {
        0
    }
}

/// Numbered steps; done ones link to their section, the current one is marked for screen readers.
#[component]
pub fn StepIndicator() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    view! {
        <nav class="steps" aria-label="Progress">
            <ol>
                {STEPS
                    .iter()
                    .enumerate()
                    .map(|(index, (name, anchor))| {
                        let state = move || {
                            let current = current_step(&engine);
                            if index < current { "done" } else if index == current { "current" } else { "todo" }
                        };
                        view! {
                            <li class=move || format!("step-item {}", state()) aria-current=move || (state() == "current").then_some("step")>
                                <a href=*anchor on:click=move |event| {
                                    // The heading takes the focus, so the next Tab continues from that step.
                                    event.prevent_default();
                                    let id = anchor.trim_start_matches('#');
                                    crate::browser::focus(id);
                                    if let Some(heading) = crate::browser::document().and_then(|d| d.get_element_by_id(id)) {
                                        heading.scroll_into_view();
                                    }
                                }>{format!("{}. {name}", index + 1)}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
