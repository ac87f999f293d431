//! Step 4: size bounds, k and seed; run with progress and Cancel.

use audience_engine::cluster::ShareBounds;
use leptos::prelude::*;

use super::draft::AudienceDraft;
use super::feedback::{answer_beside, focus_after_render, FieldMessage};
use super::variables::{chosen_variables, ColumnChoice};
use super::WorkerClient;
use crate::protocol::{Response, SegmentSettings};

/// The segmentation settings as the user has set them (percent for shares).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentForm {
    /// Smallest share, percent.
    pub min_percent: f64,
    /// Largest share, percent.
    pub max_percent: f64,
    /// Whether size bounds apply.
    pub bounded: bool,
    /// Fixed k (`None` = automatic).
    pub k: Option<usize>,
    /// Random seed.
    pub seed: u64,
}

impl Default for SegmentForm {
    fn default() -> Self {
        SegmentForm {
            min_percent: 5.0,
            max_percent: 10.0,
            bounded: true,
            k: None,
            seed: 42,
        }
    }
}

impl SegmentForm {
    /// The form's edge: its two percent fields as the engine's share bounds, when the box is ticked.
    pub fn bounds(&self) -> Option<ShareBounds> {
        self.bounded.then_some(ShareBounds {
            min: self.min_percent / 100.0,
            max: self.max_percent / 100.0,
        })
    }

    /// The request for these settings.
    pub fn settings(&self, choices: &[ColumnChoice], target: Option<String>) -> SegmentSettings {
        SegmentSettings {
            variables: chosen_variables(choices),
            bounds: self.bounds(),
            k: self.k,
            seed: self.seed,
            target,
            description: String::new(),
            tiers: Default::default(),
            positive_value: None,
            filter: None,
        }
    }
}

fn parse_number(event: &leptos::ev::Event) -> Option<f64> {
    event_target_value(event)
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
}

/// Settings, the Segment button, progress and Cancel.
#[component]
pub fn SegmentStep() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let draft = expect_context::<AudienceDraft>();
    let AudienceDraft { form, choices, .. } = draft;
    let running = move || engine.progress.get().is_some();
    let n_chosen = move || choices.get().iter().filter(|choice| choice.checked).count();
    let message = RwSignal::new(String::new());
    let run = move |_| {
        let reply = engine.segment(draft.settings());
        answer_beside(reply, message, |answer| {
            if matches!(answer, Response::Segmented(_)) {
                focus_after_render("results-heading", &["run-segmentation"]);
            }
        });
    };
    view! {
        <section class="step" id="segment-step" aria-labelledby="segment-heading">
            <h2 id="segment-heading" tabindex="-1">"4. Segment"</h2>
            <super::activation::filters::FilterPanel />
            <fieldset class="settings">
                <legend>"Segment sizes"</legend>
                <label class="inline">
                    <input
                        id="bounded"
                        type="checkbox"
                        prop:checked=move || form.get().bounded
                        on:change=move |event| form.update(|form| form.bounded = event_target_checked(&event))
                    />
                    " Keep every segment between"
                </label>
                <label for="min-share" class="visually-hidden">"Smallest segment, percent of records"</label>
                <input id="min-share" type="number" min="0.5" max="100" step="0.5" class="percent"
                    disabled=move || !form.get().bounded
                    prop:value=move || form.get().min_percent.to_string()
                    on:change=move |event| { if let Some(value) = parse_number(&event) { form.update(|form| form.min_percent = value) } } />
                " % and "
                <label for="max-share" class="visually-hidden">"Largest segment, percent of records"</label>
                <input id="max-share" type="number" min="0.5" max="100" step="0.5" class="percent"
                    disabled=move || !form.get().bounded
                    prop:value=move || form.get().max_percent.to_string()
                    on:change=move |event| { if let Some(value) = parse_number(&event) { form.update(|form| form.max_percent = value) } } />
                " % of the records"
            </fieldset>
            <fieldset class="settings">
                <legend>"Number of segments"</legend>
                <label class="inline">
                    <input type="radio" name="k-mode" id="k-auto" prop:checked=move || form.get().k.is_none()
                        on:change=move |_| form.update(|form| form.k = None) />
                    " Automatic (best fit within the bounds)"
                </label>
                <label class="inline">
                    <input type="radio" name="k-mode" id="k-fixed" prop:checked=move || form.get().k.is_some()
                        on:change=move |_| form.update(|form| form.k = Some(form.k.unwrap_or(12))) />
                    " Fixed: "
                </label>
                <label for="k-value" class="visually-hidden">"Number of segments"</label>
                <input id="k-value" type="number" min="2" max="100" step="1" class="count"
                    disabled=move || form.get().k.is_none()
                    prop:value=move || form.get().k.unwrap_or(12).to_string()
                    on:change=move |event| {
                        if let Some(value) = parse_number(&event) {
                            if value >= 1.0 { form.update(|form| form.k = Some(value as usize)) }
                        }
                    } />
            </fieldset>
            <div class="field">
                <label for="seed">"Seed (same file, settings and seed give the same segments)"</label>
                <input id="seed" type="number" min="0" step="1" class="count"
                    prop:value=move || form.get().seed.to_string()
                    on:change=move |event| { if let Ok(value) = event_target_value(&event).trim().parse::<u64>() { form.update(|form| form.seed = value) } } />
            </div>
            <div class="actions">
                <button id="run-segmentation" type="button" on:click=run
                    disabled=move || !engine.is_idle() || n_chosen() == 0 || engine.dataset.with(Option::is_none)>
                    {move || format!("Segment on {} column(s)", n_chosen())}
                </button>
                <FieldMessage id="segment-message" message=message />
                <Show when=running>
                    <button id="cancel-segmentation" type="button" class="secondary" on:click=move |_| engine.cancel()>"Cancel"</button>
                </Show>
            </div>
            <Show when=running>
                <div class="progress" id="segment-progress">
                    <label for="progress-bar">{move || engine.progress.get().map(|p| p.stage).unwrap_or_default()}</label>
                    <progress id="progress-bar" max="1" value=move || engine.progress.get().map_or(0.0, |p| p.fraction)></progress>
                </div>
            </Show>
        </section>
    }
}
