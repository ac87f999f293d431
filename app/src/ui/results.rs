//! Step 5: segment cards, persona lenses, charts and downloads.

use std::sync::Arc;

use audience_engine::audience::SegmentMatch;
use audience_engine::cluster::ShareBounds;
use audience_engine::pipeline::percent;
use audience_engine::profile::lenses::{Concentration, Lenses};
use audience_engine::profile::{Persona, TierChoice, TierScheme, ValueShare};
use leptos::prelude::*;

use super::charts_view::{result_charts, ChartCard};
use super::customer_match::CustomerMatchPanel;
use super::feedback::{answer_beside, FieldMessage};
use super::WorkerClient;
use crate::protocol::{ExportKind, Response, SegmentResults};
use leptos::task::spawn_local;

fn top_values(values: &[ValueShare], n: usize) -> String {
    values
        .iter()
        .take(n)
        .map(|value| format!("{} {}", value.value, percent(value.share)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The results: summary, ranked segment cards with personas, downloads.
#[component]
pub fn ResultsStep() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    move || {
        engine
            .results
            .get()
            .map(|results| view! { <ResultsView results=results /> })
    }
}

#[component]
fn ResultsView(results: Arc<SegmentResults>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let segmentation = &results.segmentation;
    let bounds = match results.settings.bounds {
        Some(ShareBounds { min, max }) => format!(
            ", every segment between {} and {} of the records",
            percent(min),
            percent(max)
        ),
        None => String::new(),
    };
    let ranked_by = if results.report.target.is_some() {
        "conversion rate"
    } else {
        "size"
    };
    let overall = results.report.target.as_ref().and_then(|target| {
        target.overall.rate.map(|rate| {
            format!(
                "The whole file converts at {} ({}).",
                percent(rate),
                target.column
            )
        })
    });
    let notes = results
        .report
        .notes
        .iter()
        .map(|note| view! { <li>{note.message.clone()}</li> })
        .collect_view();
    let warnings = results
        .warnings
        .iter()
        .map(|warning| view! { <li>{warning.clone()}</li> })
        .collect_view();
    let has_warnings = !results.warnings.is_empty();
    let export_message = RwSignal::new(String::new());
    let audience = results.audience.clone();
    let matches_of = |number: u32| {
        audience
            .as_ref()
            .and_then(|audience| audience.segments.iter().find(|s| s.segment == number))
            .filter(|segment| segment.matches)
            .cloned()
    };
    let cards = results
        .report
        .personas
        .iter()
        .map(|persona| persona_card(persona.clone(), matches_of(persona.number)))
        .collect_view();
    let audience_line = results.audience.as_ref().map(|audience| {
        let matching = audience.matching();
        let text = if audience.query.criteria.is_empty() || matching.is_empty() {
            audience.describe()
        } else {
            let numbers: Vec<String> = matching.iter().map(u32::to_string).collect();
            format!(
                "{} of {} segments match \"{}\" (segment {}); they carry a \"Matches your audience\" badge.",
                matching.len(),
                segmentation.k,
                audience.query.description,
                numbers.join(", ")
            )
        };
        view! { <p id="audience-summary" class="audience-summary">{text}</p> }
    });
    let can_keep_matching = results
        .audience
        .as_ref()
        .is_some_and(|audience| !audience.matching().is_empty());
    if !can_keep_matching {
        engine.matching_only.set(false);
    }
    let charts = result_charts(&results)
        .into_iter()
        .enumerate()
        .map(|(index, chart)| view! { <ChartCard chart=chart id=format!("result-chart-{index}") status=engine.status /> })
        .collect_view();
    view! {
        <section class="step" id="results-step" aria-labelledby="results-heading">
            <h2 id="results-heading" tabindex="-1">"5. Segments and personas"</h2>
            <p id="results-summary" class="summary">
                {format!(
                    "{} segments of {} records{bounds}; ranked by {ranked_by}. Cost {:.1}, {} iterations, seed {}.",
                    segmentation.k,
                    results.report.n_rows,
                    segmentation.cost,
                    segmentation.iterations,
                    results.settings.seed
                )}
            </p>
            {super::model_step::applied_line(&results)}
            {overall.map(|text| view! { <p>{text}</p> })}
            {tier_switch(&results)}
            {audience_line}
            {has_warnings.then(|| view! { <ul id="results-warnings" class="notes warnings" role="alert">{warnings}</ul> })}
            <ul class="notes">{notes}</ul>
            <div class="exports" role="group" aria-label="Downloads">
                <button id="export-clustered-csv" type="button" class="secondary" on:click=move |_| answer_beside(engine.export(ExportKind::ClusteredCsv), export_message, |_| {})>
                    "Clustered CSV"
                </button>
                <button id="export-personas-json" type="button" class="secondary" on:click=move |_| answer_beside(engine.export(ExportKind::PersonasJson), export_message, |_| {})>
                    "Personas JSON"
                </button>
                <button id="export-summary-csv" type="button" class="secondary" on:click=move |_| answer_beside(engine.export(ExportKind::SummaryCsv), export_message, |_| {})>
                    "Summary CSV"
                </button>
                <super::rollup::TransactionsDownload message=export_message />
                {can_keep_matching.then(|| view! {
                    <label class="matching-only">
                        <input
                            id="matching-only"
                            type="checkbox"
                            prop:checked=move || engine.matching_only.get()
                            on:change=move |event| engine.matching_only.set(event_target_checked(&event))
                        />
                        " Clustered CSV: keep only the segments that match my audience"
                    </label>
                })}
                <label class="keep-formulas">
                    <input
                        id="keep-formulas"
                        type="checkbox"
                        prop:checked=move || engine.keep_formulas.get()
                        on:change=move |event| engine.keep_formulas.set(event_target_checked(&event))
                    />
                    " Keep cells starting with = + - @ exactly as in my file (a spreadsheet may run them as formulas; by default they get a leading ')"
                </label>
            </div>
            <FieldMessage id="export-message" message=export_message />
            {super::activation::destinations::filter_line(&results, engine.dataset.get_untracked().map(|d| d.n_rows))
                .map(|text| view! { <p id="filter-summary">{text}</p> })}
            <CustomerMatchPanel personas=results.report.personas.clone() />
            <super::activation::destinations::ActivationPanel results=results.clone() />
            <super::activation::compare::ComparePanel results=results.clone() />
            <super::model_step::KeepSegmentation
                key=super::model_step::results_key(&results)
                k=results.segmentation.k
                names=results.report.names_by_index()
            />
            <ol id="segment-cards" class="cards">{cards}</ol>
            <h3>"Charts"</h3>
            <div class="charts" id="result-charts">{charts}</div>
        </section>
    }
}

fn persona_card(persona: Persona, audience: Option<SegmentMatch>) -> impl IntoView {
    let badge = audience.map(|matched| {
        view! {
            <p class="audience-badge" data-score=format!("{:.2}", matched.score)>
                <span class="badge">"Matches your audience"</span>
                " "
                <span class="audience-reason">{matched.reason}</span>
            </p>
        }
    });
    let tier = persona
        .conversion
        .as_ref()
        .and_then(|conversion| conversion.tier);
    let conversion = persona.conversion.as_ref().and_then(|conversion| {
        conversion.rate.map(|rate| {
            let interval = match (conversion.ci_low, conversion.ci_high) {
                (Some(low), Some(high)) => format!(" (95% CI {}–{})", percent(low), percent(high)),
                _ => String::new(),
            };
            format!("Converts at {}{interval}", percent(rate))
        })
    });
    let traits = persona
        .traits
        .iter()
        .map(|item| {
            view! { <li>{format!("{} — {} of the segment, ×{:.1} the file", item.phrase, percent(item.share), item.lift)}</li> }
        })
        .collect_view();
    let also_differs = (!persona.also_differs.is_empty()).then(|| {
        let phrases: Vec<String> = persona
            .also_differs
            .iter()
            .take(3)
            .map(|item| format!("{} ({} of the segment)", item.phrase, percent(item.share)))
            .collect();
        view! {
            <p class="also-differs">
                {format!("Also differs in columns not segmented on: {}.", phrases.join("; "))}
            </p>
        }
    });
    view! {
        <li class="card segment-card" data-segment=persona.number data-share=persona.share.to_string()>
            <header>
                <span class="rank">{format!("#{}", persona.rank)}</span>
                <SegmentName number=persona.number name=persona.name.clone() />
                {tier.map(|tier| view! { <span class="tier" data-tier=tier.as_str()>{tier.as_str()}</span> })}
            </header>
            <p class="size">
                <span class="segment-size">{persona.size}</span>" records · "
                <span class="segment-share">{percent(persona.share)}</span>
                {format!(" · segment {}", persona.number)}
            </p>
            {badge}
            <super::model_step::StabilityBadge number=persona.number />
            {conversion.map(|text| view! { <p class="conversion">{text}</p> })}
            <p class="persona-summary">{persona.summary.clone()}</p>
            <ul class="traits">{traits}</ul>
            {also_differs}
            <details class="lenses">
                <summary>"Persona details"</summary>
                {lens_view(&persona.profile.lenses)}
            </details>
        </li>
    }
}

/// Which tiers the cards show, in words, and a button for the other scheme.
fn tier_switch(results: &SegmentResults) -> Option<impl IntoView> {
    let engine = expect_context::<WorkerClient>();
    let tiers = expect_context::<super::draft::AudienceDraft>().tiers;
    let scheme = results.report.tier_scheme?;
    let rate = results
        .report
        .target
        .as_ref()
        .and_then(|target| target.overall.rate);
    let (text, other, label) = match scheme {
        TierScheme::Lift => (
            format!(
                "Tiers compare each segment with the whole file's {} conversion rate: PREMIUM converts at 2× the file or more, HIGH 1.5–2×, MEDIUM 1–1.5×, LOW 0.5–1×, MINIMAL under 0.5×.",
                rate.map_or_else(|| "overall".to_string(), percent)
            ),
            TierChoice::Absolute,
            "Show tiers by conversion rate instead",
        ),
        TierScheme::Absolute => (
            "Tiers go by each segment's own conversion rate: PREMIUM 50% or more, HIGH 25–50%, MEDIUM 10–25%, LOW 5–10%, MINIMAL under 5%.".to_string(),
            TierChoice::Lift,
            "Show tiers against the file's rate instead",
        ),
    };
    let scheme_name = match scheme {
        TierScheme::Lift => "lift",
        TierScheme::Absolute => "absolute",
    };
    Some(view! {
        <p id="tier-scheme" class="tier-scheme" data-scheme=scheme_name>
            {text}
            " "
            <button id="tier-switch" type="button" class="link" on:click=move |_| {
                // Kept for the next runs of the session too.
                tiers.set(other);
                engine.tiers(other);
            }>
                {label}
            </button>
        </p>
    })
}

/// A segment's name with an inline "Rename" editor: the new name goes into every later download; a
/// refusal (an empty name, one another segment has) is said beside the field.
#[component]
fn SegmentName(number: u32, name: String) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(name.clone());
    let message = RwSignal::new(String::new());
    let field = NodeRef::<leptos::html::Input>::new();
    let input_id = format!("rename-{number}");
    let message_id = format!("rename-message-{number}");
    let save = move || {
        let reply = engine.rename(number, draft.get_untracked());
        spawn_local(async move {
            match reply.await {
                // The results re-render with the new name; the focus goes to the renamed card's name.
                Response::Personas(_) => {
                    message.set(String::new());
                    request_animation_frame(move || {
                        crate::browser::focus(&format!("segment-title-{number}"));
                    });
                }
                Response::Failed(failure) => {
                    message.set(failure.message);
                    if let Some(field) = field.get_untracked() {
                        let _ = field.focus();
                    }
                }
                _ => {}
            }
        });
    };
    let shown = name.clone();
    let described_by = message_id.clone();
    view! {
        <div class="segment-name">
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <h3 id=format!("segment-title-{number}") tabindex="-1">{shown.clone()}</h3>
                    <button
                        type="button"
                        class="link rename"
                        aria-label=format!("Rename segment {number}")
                        on:click=move |_| {
                            editing.set(true);
                            request_animation_frame(move || {
                                if let Some(field) = field.get_untracked() {
                                    let _ = field.focus();
                                }
                            });
                        }
                    >
                        "Rename"
                    </button>
                }
            >
                <form class="rename-form" on:submit=move |event| { event.prevent_default(); save(); }>
                    <label for=input_id.clone()>{format!("Name of segment {number}")}</label>
                    <input
                        id=input_id.clone()
                        node_ref=field
                        type="text"
                        aria-describedby=described_by.clone()
                        prop:value=move || draft.get()
                        on:input=move |event| draft.set(event_target_value(&event))
                    />
                    <button type="submit" class="secondary">"Save name"</button>
                    <button type="button" class="link" on:click=move |_| { editing.set(false); message.set(String::new()); }>
                        "Cancel"
                    </button>
                </form>
            </Show>
            <p id=message_id class="field-message" role="status" aria-live="polite">{move || message.get()}</p>
        </div>
    }
}

fn lens_view(lenses: &Lenses) -> impl IntoView {
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Some(seniority) = &lenses.seniority {
        let levels = seniority
            .levels
            .iter()
            .filter(|level| level.count > 0)
            .map(|level| format!("{} {}", level.level.as_str(), percent(level.share)))
            .collect::<Vec<_>>()
            .join(", ");
        rows.push((format!("Seniority ({})", seniority.column), levels));
    }
    if let Some(geography) = &lenses.geography {
        let level = match geography.concentration {
            Concentration::High => "high",
            Concentration::Medium => "medium",
            Concentration::Low => "low",
        };
        rows.push((
            format!("Geography ({})", geography.column),
            format!("{}; concentration {level}", top_values(&geography.top, 3)),
        ));
    }
    if let Some(professional) = &lenses.professional {
        for values in [
            &professional.industry,
            &professional.job_title,
            &professional.education,
            &professional.experience,
        ]
        .into_iter()
        .flatten()
        {
            rows.push((values.column.clone(), top_values(&values.values, 3)));
        }
    }
    if let Some(acquisition) = &lenses.acquisition {
        let sources = acquisition
            .sources
            .iter()
            .take(3)
            .map(|source| {
                let rate = source
                    .conversion
                    .as_ref()
                    .and_then(|conversion| conversion.rate)
                    .map(|rate| format!(", converts {}", percent(rate)))
                    .unwrap_or_default();
                format!(
                    "{} {}{rate}",
                    source.source.value,
                    percent(source.source.share)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        rows.push((format!("Acquisition ({})", acquisition.column), sources));
    }
    if rows.is_empty() {
        return view! { <p class="hint">"No job title, geography, professional or lead-source columns were found."</p> }.into_any();
    }
    view! {
        <dl class="lens-list">
            {rows.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
    }
    .into_any()
}
