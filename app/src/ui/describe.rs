//! Step 2: describe the audience in plain English.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::draft::AudienceDraft;
use super::feedback::{answer_beside, focus_after_render, FieldMessage};
use super::{CatalogState, WorkerClient};
use crate::protocol::Response;

/// Example requests the user can start from.
pub const EXAMPLES: [&str; 4] = [
    "senior tech decision makers in California who came through referrals",
    "environmentally conscious millennials with high disposable income in urban areas",
    "entry-level marketing staff from paid social",
    "experienced healthcare professionals with a master's degree",
];

/// The description box, example prompts and the "Find variables" button.
#[component]
pub fn DescribeStep() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft { query, .. } = expect_context::<AudienceDraft>();
    let message = RwSignal::new(String::new());
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let reply = engine.suggest(query.get_untracked());
        answer_beside(reply, message, |answer| {
            if matches!(answer, Response::Suggestions(_)) {
                focus_after_render("variables-heading", &["find-variables", "audience-query"]);
            }
        });
    };
    let catalog_note = move || match engine.catalog.get() {
        CatalogState::Loading => "Loading the variable catalog…".to_owned(),
        CatalogState::Ready(n) => format!("Searching your columns and {n} catalog variables."),
        CatalogState::Unavailable(message) => {
            format!("{message} Your file's columns are offered unranked.")
        }
    };
    view! {
        <section class="step" id="describe-step" aria-labelledby="describe-heading">
            <h2 id="describe-heading" tabindex="-1">"2. Describe your audience"</h2>
            <form on:submit=on_submit>
                <label for="audience-query">"Who are you looking for? Plain English is fine."</label>
                <textarea
                    id="audience-query"
                    rows="2"
                    prop:value=move || query.get()
                    on:input=move |event| query.set(event_target_value(&event))
                ></textarea>
                <div class="examples" role="group" aria-label="Example descriptions">
                    {EXAMPLES
                        .iter()
                        .map(|example| {
                            view! {
                                <button type="button" class="chip" on:click=move |_| query.set((*example).to_owned())>
                                    {*example}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <p class="hint" id="catalog-state">{catalog_note}</p>
                <button
                    id="find-variables"
                    type="submit"
                    disabled=move || !engine.is_idle() || query.get().trim().is_empty()
                >
                    "Find variables"
                </button>
                <FieldMessage id="find-variables-message" message=message />
            </form>
        </section>
    }
}
