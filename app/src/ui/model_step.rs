//! A segmentation that lasts: save the results as a model (no data row), apply a saved one to this file,
//! see who moved, score prospects against a segment, check the segments are stable.

use audience_engine::model::apply::BoundsMode;
use audience_engine::model::lookalike::Band;
use audience_engine::pipeline::percent;
use audience_engine::stability::StabilityReport;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use web_sys::{Event, File, HtmlInputElement};

use super::draft::AudienceDraft;
use super::feedback::FieldMessage;
use super::worker_client::download_text;
use super::WorkerClient;
use crate::browser;
use crate::charts::palette::category_colour;
use crate::protocol::{
    AppliedReport, LookalikeReport, ModelAnswer, ModelRequest, MovementReport, ProspectPick,
    Response, SegmentResults,
};

/// Where saved segmentations live in `localStorage`, next to the saved audiences.
pub const STORAGE_KEY: &str = "audience-builder.saved-segmentations.v1";
/// Refits of a stability check.
const REFITS: usize = 5;

/// A saved segmentation kept in this browser: the model document (no data row) and a label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSegmentation {
    /// "5 segments from customers.csv".
    pub label: String,
    /// The model document.
    pub json: String,
}

/// The saved segmentations in this browser.
fn load_saved() -> Vec<SavedSegmentation> {
    browser::load(STORAGE_KEY).unwrap_or_default()
}

/// State shared by the model components: the saved list and the last stability check.
#[derive(Clone, Copy)]
pub struct ModelContext {
    saved: RwSignal<Vec<SavedSegmentation>>,
    /// The stability check of the results it was made for (identified by [`results_key`]).
    stability: RwSignal<Option<(String, StabilityReport)>>,
}

impl Default for ModelContext {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelContext {
    /// Reads the saved list; provided once by `App`.
    pub fn new() -> Self {
        ModelContext {
            saved: RwSignal::new(load_saved()),
            stability: RwSignal::new(None),
        }
    }
}

/// Identifies one set of results (a rename keeps it, a new run or application changes it).
pub(super) fn results_key(results: &SegmentResults) -> String {
    format!(
        "{}:{}:{}:{}",
        results.segmentation.k,
        results.report.n_rows,
        results.segmentation.seed,
        results.elapsed_ms.to_bits()
    )
}

/// The file types a customer file can have.
const CSV_TYPES: &str = ".csv,.tsv,.txt,text/csv";

/// The first file of a file input's `change` event (the input is cleared so the same file fires again).
fn picked_file(event: &Event) -> Option<File> {
    let input = event.target()?.dyn_into::<HtmlInputElement>().ok()?;
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}

/// "Apply a saved segmentation to this file": a saved one or a model file, nearest center or exact
/// bounds; the report is said beside the button.
/// A button that opens the file chooser (the input itself stays hidden, the label is the button);
/// `on_pick` gets the chosen file.
#[component]
fn FilePicker(
    /// The input's id (tests and the label use it).
    id: &'static str,
    /// The button's words.
    label: &'static str,
    /// The file types offered.
    accept: &'static str,
    /// Called with the chosen file.
    on_pick: impl Fn(File) + 'static,
) -> impl IntoView {
    view! {
        <label for=id class="button secondary">{label}</label>
        <input id=id class="visually-hidden" type="file" accept=accept on:change=move |event| {
            if let Some(file) = picked_file(&event) {
                on_pick(file);
            }
        } />
    }
}

#[component]
pub fn ApplySaved() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let context = expect_context::<ModelContext>();
    let AudienceDraft { target, .. } = expect_context::<AudienceDraft>();
    let chosen = RwSignal::new(String::new());
    let uploaded = StoredValue::new_local(None::<File>);
    let uploaded_name = RwSignal::new(String::new());
    let exact = RwSignal::new(true);
    let message = RwSignal::new(String::new());
    let report = RwSignal::new(None::<AppliedReport>);
    let run = move |_| {
        let mode = if exact.get_untracked() {
            BoundsMode::Exact
        } else {
            BoundsMode::Nearest
        };
        let index = chosen.get_untracked().parse::<usize>().ok();
        let saved = index.and_then(|i| context.saved.get_untracked().get(i).cloned());
        let file = uploaded.get_value();
        let (model_json, attachment) = match (saved, file) {
            (Some(saved), _) => (Some(saved.json), None),
            (None, Some(file)) => (None, Some(file)),
            (None, None) => {
                message.set(
                    "Choose a saved segmentation from the list, or a segmentation file (.json) \
                     saved earlier."
                        .into(),
                );
                return;
            }
        };
        let request = ModelRequest::Apply {
            model_json,
            mode,
            target: target.get_untracked(),
        };
        let reply = engine.model(
            request,
            attachment.as_deref(),
            "Putting the rows in the saved segments…".into(),
        );
        report.set(None);
        spawn_local(async move {
            match reply.await {
                Response::Segmented(results) => {
                    message.set(String::new());
                    report.set(results.applied.clone());
                }
                Response::Failed(failure) => message.set(failure.message),
                _ => {}
            }
        });
    };
    let options = move || {
        context
            .saved
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, saved)| view! { <option value=index.to_string()>{saved.label}</option> })
            .collect_view()
    };
    view! {
        <details class="saved" id="apply-saved">
            <summary>"Apply a saved segmentation to this file"</summary>
            <p class="hint">
                "Put every customer of this file in the segments you saved earlier: same numbers, same names. "
                "Nothing is fitted again."
            </p>
            <div class="refine">
                <label for="apply-saved-select">"Saved in this browser"</label>
                <select id="apply-saved-select" on:change=move |event| chosen.set(event_target_value(&event)) prop:value=move || chosen.get()>
                    <option value="">"— choose —"</option>
                    {options}
                </select>
                <FilePicker id="apply-model-file" label="Or choose a segmentation file (.json)" accept=".json,application/json" on_pick=move |file: File| {
                    uploaded_name.set(file.name());
                    uploaded.set_value(Some(file));
                    chosen.set(String::new());
                } />
                <span id="apply-model-file-name">{move || uploaded_name.get()}</span>
            </div>
            <fieldset class="refine">
                <legend>"Segment sizes"</legend>
                <label>
                    <input id="apply-mode-exact" type="radio" name="apply-mode" prop:checked=move || exact.get() on:change=move |_| exact.set(true) />
                    " Keep the saved size bounds exactly (some customers go to their second-nearest segment)"
                </label>
                <label>
                    <input id="apply-mode-nearest" type="radio" name="apply-mode" prop:checked=move || !exact.get() on:change=move |_| exact.set(false) />
                    " Each customer in the segment nearest to them (sizes may leave the bounds)"
                </label>
            </fieldset>
            <button id="apply-model" type="button" disabled=move || !engine.is_idle() on:click=run>"Apply to this file"</button>
            <FieldMessage id="apply-message" message=message />
            <div id="apply-report" role="status" aria-live="polite">
                {move || report.get().map(|report| applied_view(&report))}
            </div>
        </details>
    }
}

/// The report of an application in words.
fn applied_view(report: &AppliedReport) -> impl IntoView {
    let placed = match (report.mode, report.bounded) {
        (BoundsMode::Exact, true) => format!(
            "All {} customers were placed in the saved segments with their size bounds kept; {} are in \
             the segment nearest to them, {} went to another one to keep the sizes.",
            report.rows,
            report.at_nearest,
            report.rows - report.at_nearest
        ),
        _ => format!(
            "All {} customers were placed, each in the saved segment nearest to them.",
            report.rows
        ),
    };
    let columns = format!(
        "All {} columns the segmentation uses were found: {}.",
        report.columns.len(),
        report.columns.join(", ")
    );
    let notes = report
        .notes
        .iter()
        .map(|note| view! { <li>{capitalized(note)}"."</li> })
        .collect_view();
    view! {
        <p id="apply-coverage">{placed}</p>
        <p>{columns}</p>
        <ul class="notes" id="apply-notes">{notes}</ul>
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// In the results: that these segments come from a saved segmentation.
pub fn applied_line(results: &SegmentResults) -> Option<impl IntoView> {
    let report = results.applied.as_ref()?;
    let how = match (report.mode, report.bounded) {
        (BoundsMode::Exact, true) => "with its size bounds kept",
        _ => "each customer in the nearest segment",
    };
    Some(view! {
        <p id="applied-summary" class="summary">
            {format!(
                "These are the segments of {}, applied to this file {how}: their numbers and names are the saved ones.",
                report.model_label
            )}
        </p>
    })
}

/// A segment card's stability flag, once the results were checked.
#[component]
pub fn StabilityBadge(number: u32) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let context = expect_context::<ModelContext>();
    move || {
        // The key only: every card has a badge, and cloning the results for each was most of the time
        // the page took to show them.
        let shown = engine
            .results
            .with(|results| results.as_deref().map(results_key))?;
        let (key, report) = context.stability.get()?;
        if key != shown {
            return None;
        }
        let segment = report.segments.iter().find(|s| s.number == number)?.clone();
        let text = format!(
            "{} of its customers stay together when refitted with other seeds",
            percent(segment.kept)
        );
        Some(if segment.unstable {
            view! {
                <p class="stability unstable" data-unstable="true">
                    <span class="badge">"Unstable"</span>" "{text}"; do not build a campaign on it alone."
                </p>
            }
            .into_any()
        } else {
            view! { <p class="stability" data-unstable="false">{format!("Stable: {text}.")}</p> }
                .into_any()
        })
    }
}

/// In the results: save the segmentation, check stability, see who moved, score prospects.
#[component]
pub fn KeepSegmentation(
    /// The results' identity ([`results_key`]).
    key: String,
    /// Their number of segments.
    k: usize,
    /// Their persona names, by segment index.
    names: Vec<String>,
) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let context = expect_context::<ModelContext>();
    let save_message = RwSignal::new(String::new());
    let save_note = RwSignal::new(String::new());
    let save = move |_| {
        let reply = engine.model(ModelRequest::Save, None, "Saving the segmentation…".into());
        spawn_local(async move {
            match reply.await {
                Response::Model(answer) => {
                    if let ModelAnswer::Saved { file, label } = *answer {
                        let mut all = context.saved.get_untracked();
                        all.retain(|other| other.label != label);
                        all.push(SavedSegmentation {
                            label: label.clone(),
                            json: file.content.clone(),
                        });
                        let kept = match browser::store(STORAGE_KEY, &all) {
                            Ok(()) => {
                                context.saved.set(all);
                                " and kept in this browser"
                            }
                            Err(_) => " (this browser refused to keep a copy)",
                        };
                        let downloaded = match download_text(&file) {
                            Ok(()) => format!("Downloaded {}", file.name),
                            Err(error) => error,
                        };
                        save_message.set(String::new());
                        save_note.set(format!(
                            "{downloaded}{kept} as “{label}”. It holds how customers are placed, never a \
                             customer row. Next month, load the new file and choose “Apply a saved \
                             segmentation to this file”."
                        ));
                    }
                }
                Response::Failed(failure) => {
                    save_note.set(String::new());
                    save_message.set(failure.message);
                }
                _ => {}
            }
        });
    };
    let stability_message = RwSignal::new(String::new());
    let check_key = key.clone();
    let check = move |_| {
        let reply = engine.model(
            ModelRequest::Stability { refits: REFITS },
            None,
            format!("Refitting {REFITS} times with other seeds…"),
        );
        let key = check_key.clone();
        spawn_local(async move {
            match reply.await {
                Response::Model(answer) => {
                    if let ModelAnswer::Stability(report) = *answer {
                        stability_message.set(String::new());
                        context.stability.set(Some((key, report)));
                    }
                }
                Response::Failed(failure) => stability_message.set(failure.message),
                _ => {}
            }
        });
    };
    let stability_key = key.clone();
    let stability_summary = move || {
        let (for_key, report) = context.stability.get()?;
        (for_key == stability_key).then(|| stability_view(&report))
    };
    view! {
        <section class="keep-segmentation" id="keep-segmentation" aria-labelledby="keep-heading">
            <h3 id="keep-heading">"Keep this segmentation"</h3>
            <div class="exports" role="group" aria-label="Keep this segmentation">
                <button id="save-model" type="button" class="secondary" on:click=save>"Save segmentation"</button>
                <button id="check-stability" type="button" class="secondary" disabled=move || !engine.is_idle() on:click=check>"Check stability"</button>
            </div>
            <FieldMessage id="save-model-message" message=save_message />
            <p id="save-model-note" class="hint" role="status" aria-live="polite">{move || save_note.get()}</p>
            <FieldMessage id="stability-message" message=stability_message />
            <div id="stability-report">{stability_summary}</div>
            <MovementPanel names=names.clone() />
            <LookalikePanel k=k names=names />
        </section>
    }
}

/// The stability check in words and a table.
fn stability_view(report: &StabilityReport) -> impl IntoView {
    let unstable = report.unstable();
    let verdict = if unstable.is_empty() {
        "Every segment is stable.".to_string()
    } else {
        let numbers: Vec<String> = unstable.iter().map(u32::to_string).collect();
        format!(
            "Segment {} {} unstable: fewer than 75% of {} customers stay together when refitted; treat {} as an accident of one seed.",
            numbers.join(", "),
            if unstable.len() == 1 { "is" } else { "are" },
            if unstable.len() == 1 { "its" } else { "their" },
            if unstable.len() == 1 { "it" } else { "them" }
        )
    };
    let rows = report
        .segments
        .iter()
        .map(|segment| {
            view! {
                <tr data-segment=segment.number data-unstable=segment.unstable.to_string()>
                    <th scope="row">{segment.number}</th>
                    <td>{percent(segment.kept)}</td>
                    <td>{format!("{:.2}", segment.adjusted_rand)}</td>
                    <td>{if segment.unstable { "unstable" } else { "stable" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p id="stability-summary" data-kept=format!("{:.4}", report.kept)>
            {format!(
                "Refitted {} times with other seeds: {} of the customers kept their segment on average (adjusted Rand index {:.2}; 1 means identical segments, 0 no better than chance). {verdict}",
                report.refits.len(),
                percent(report.kept),
                report.adjusted_rand
            )}
        </p>
        <table class="data-table" id="stability-table">
            <caption>"Stability per segment"</caption>
            <thead><tr><th scope="col">"Segment"</th><th scope="col">"Customers kept"</th><th scope="col">"Adjusted Rand index"</th><th scope="col">"Verdict"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// "Who moved": last month's clustered CSV, or the file loaded before in this tab.
#[component]
fn MovementPanel(names: Vec<String>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let id_column = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let report = RwSignal::new(None::<MovementReport>);
    let ask = move |file: Option<File>| {
        let id = id_column.get_untracked().trim().to_owned();
        let request = ModelRequest::Movement {
            file_name: file.as_ref().map(File::name),
            id_column: (!id.is_empty()).then_some(id),
        };
        let reply = engine.model(
            request,
            file.as_deref(),
            "Comparing with the previous segments…".into(),
        );
        spawn_local(async move {
            match reply.await {
                Response::Model(answer) => {
                    if let ModelAnswer::Movement(answer) = *answer {
                        message.set(String::new());
                        report.set(Some(answer));
                    }
                }
                Response::Failed(failure) => message.set(failure.message),
                _ => {}
            }
        });
    };
    view! {
        <details class="model-panel" id="movement-panel">
            <summary>"Who moved since last time"</summary>
            <p class="hint">
                "Load last month's clustered CSV (any file with an ID column and a “segment” column), or compare "
                "with the file you segmented before this one in this tab."
            </p>
            <div class="refine">
                <label for="movement-id">"ID column (found by itself when left empty)"</label>
                <input id="movement-id" type="text" prop:value=move || id_column.get() on:input=move |event| id_column.set(event_target_value(&event)) />
                <FilePicker id="movement-file" label="Last month's clustered CSV" accept=CSV_TYPES on_pick=move |file: File| ask(Some(file)) />
                <button id="movement-previous" type="button" class="secondary" on:click=move |_| ask(None)>"Compare with the file loaded before"</button>
            </div>
            <FieldMessage id="movement-message" message=message />
            <div id="movement-report">{move || report.get().map(|report| movement_view(report, &names))}</div>
        </details>
    }
}

/// The transition table as a stacked bar chart and a table, with its download.
fn movement_view(report: MovementReport, names: &[String]) -> impl IntoView {
    let movement = &report.movement;
    let k = movement.k;
    let label = |index: usize, old: bool| -> String {
        match index {
            0 if old => "new".into(),
            0 => "gone".into(),
            s => match names
                .get(s - 1)
                .filter(|n| !n.is_empty() && **n != s.to_string())
            {
                Some(name) => format!("{s} {name}"),
                None => format!("segment {s}"),
            },
        }
    };
    let order: Vec<usize> = (1..=k).chain([0]).collect();
    let summary = format!(
        "Matched on {} with {}: {} customers kept their segment, {} moved to another, {} are new, {} are gone.",
        report.id_column,
        report.previous,
        movement.stayed(),
        movement.moved(),
        movement.new_customers(),
        movement.gone()
    );
    let header = order
        .iter()
        .map(|&to| view! { <th scope="col">{format!("to {}", label(to, false))}</th> })
        .collect_view();
    let rows = order
        .iter()
        .filter(|&&from| from != 0 || movement.new_customers() > 0)
        .map(|&from| {
            let cells = order
                .iter()
                .map(|&to| {
                    let count = if from == 0 && to == 0 { None } else { Some(movement.counts[from][to]) };
                    view! { <td data-from=from data-to=to>{count.map(|c| c.to_string()).unwrap_or_default()}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{format!("from {}", label(from, true))}</th>{cells}</tr> }
        })
        .collect_view();
    let chart = movement_chart(&report, &order, &label);
    let notes = report
        .notes
        .iter()
        .map(|note| view! { <li>{note.clone()}</li> })
        .collect_view();
    let file = report.file.clone();
    let download_message = RwSignal::new(String::new());
    view! {
        <p id="movement-summary">{summary}</p>
        {chart}
        <table class="data-table" id="movement-table">
            <caption>"Customers by previous segment (rows) and current segment (columns)"</caption>
            <thead><tr><td></td>{header}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <ul class="notes">{notes}</ul>
        <button id="movement-download" type="button" class="secondary" on:click=move |_| {
            if let Err(error) = download_text(&file) {
                download_message.set(error);
            }
        }>"Download the movement CSV"</button>
        <FieldMessage id="movement-download-message" message=download_message />
    }
}

/// One horizontal bar per previous segment (and "new"), split by where its customers are now.
fn movement_chart(
    report: &MovementReport,
    order: &[usize],
    label: &dyn Fn(usize, bool) -> String,
) -> impl IntoView {
    let movement = &report.movement;
    let colour = |to: usize| {
        if to == 0 {
            "#bab0ac"
        } else {
            category_colour(to - 1)
        }
    };
    let from_rows: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&from| movement.counts[from].iter().sum::<usize>() > 0)
        .collect();
    let (bar, gap, left, width) = (18.0, 8.0, 150.0, 360.0);
    let height = from_rows.len() as f64 * (bar + gap) + gap;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"movement-chart\" role=\"img\" viewBox=\"0 0 {} {height}\" \
         width=\"100%\" aria-label=\"Where the customers of each previous segment are now; the table below gives \
         the counts\">",
        left + width + 10.0
    );
    for (i, &from) in from_rows.iter().enumerate() {
        let total: usize = movement.counts[from].iter().sum();
        let y = gap + i as f64 * (bar + gap);
        svg += &format!(
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" font-family=\"sans-serif\">{}</text>",
            left - 6.0,
            y + bar * 0.7,
            xml_escape(&label(from, true))
        );
        let mut x = left;
        for &to in order {
            let count = movement.counts[from][to];
            if count == 0 {
                continue;
            }
            let w = width * count as f64 / total.max(1) as f64;
            svg += &format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bar}\" fill=\"{}\"><title>{}</title></rect>",
                colour(to),
                xml_escape(&format!(
                    "{count} from {} to {}",
                    label(from, true),
                    label(to, false)
                ))
            );
            x += w;
        }
    }
    svg += "</svg>";
    view! {
        <figure class="chart movement-chart">
            <div class="chart-svg" inner_html=svg></div>
            <figcaption>"Each bar is a previous segment, split by the current segment of its customers (grey: gone)."</figcaption>
        </figure>
    }
}

/// Text made safe for SVG character data and attribute values.
fn xml_escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c if (c as u32) < 0x20 => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Score a prospect file against one segment and download the best of them.
#[component]
fn LookalikePanel(k: usize, names: Vec<String>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let segment = RwSignal::new(1u32);
    let pick = RwSignal::new("top".to_string());
    let top = RwSignal::new("100".to_string());
    let message = RwSignal::new(String::new());
    let report = RwSignal::new(None::<LookalikeReport>);
    let run = move |file: File| {
        let choice = match pick.get_untracked().as_str() {
            "top" => match top.get_untracked().trim().parse::<usize>() {
                Ok(n) => ProspectPick::Top { n },
                Err(_) => {
                    message.set(format!(
                        "“{}” is not a number of prospects; type how many of the best prospects to download, e.g. 100.",
                        top.get_untracked()
                    ));
                    return;
                }
            },
            band => ProspectPick::Band {
                band: Band::parse(band).unwrap_or(Band::Good),
            },
        };
        let request = ModelRequest::Lookalike {
            file_name: file.name(),
            segment: segment.get_untracked(),
            pick: choice,
        };
        let reply = engine.model(request, Some(&*file), "Scoring the prospects…".into());
        spawn_local(async move {
            match reply.await {
                Response::Model(answer) => {
                    if let ModelAnswer::Lookalike(answer) = *answer {
                        message.set(match download_text(&answer.file) {
                            Ok(()) => String::new(),
                            Err(error) => error,
                        });
                        report.set(Some(answer));
                    }
                }
                Response::Failed(failure) => message.set(failure.message),
                _ => {}
            }
        });
    };
    let options = (1..=k)
        .map(|number| {
            let name = names.get(number - 1).cloned().unwrap_or_default();
            view! { <option value=number.to_string()>{format!("{number} {name}")}</option> }
        })
        .collect_view();
    view! {
        <details class="model-panel" id="lookalike-panel">
            <summary>"Find prospects who look like a segment"</summary>
            <p class="hint">
                "Choose a segment, then a prospect file with the same columns: each prospect is scored by how close it "
                "is to the segment's typical customer, compared with the segment's own customers."
            </p>
            <div class="refine">
                <label for="lookalike-segment">"Segment"</label>
                <select id="lookalike-segment" on:change=move |event| {
                    if let Ok(number) = event_target_value(&event).parse() {
                        segment.set(number);
                    }
                }>{options}</select>
                <label for="lookalike-pick">"Download"</label>
                <select id="lookalike-pick" on:change=move |event| pick.set(event_target_value(&event))>
                    <option value="top">"the best N prospects"</option>
                    <option value="strong">"strong matches"</option>
                    <option value="good">"strong and good matches"</option>
                    <option value="weak">"every prospect nearest to this segment"</option>
                </select>
                <label for="lookalike-top">"N"</label>
                <input id="lookalike-top" type="number" min="1" inputmode="numeric" prop:value=move || top.get()
                    disabled=move || pick.get() != "top" on:input=move |event| top.set(event_target_value(&event)) />
                <FilePicker id="lookalike-file" label="Choose the prospect file and download" accept=CSV_TYPES on_pick=run />
            </div>
            <FieldMessage id="lookalike-message" message=message />
            <div id="lookalike-report">{move || report.get().map(|report| lookalike_view(&report))}</div>
        </details>
    }
}

/// Prospects per band and the best prospects' explanations.
fn lookalike_view(report: &LookalikeReport) -> impl IntoView {
    let bands = report
        .bands
        .iter()
        .map(|(band, count)| {
            let meaning = match band {
                Band::Strong => "as close to the segment's typical customer as the closer half of its own customers",
                Band::Good => "as close as 9 in 10 of its own customers",
                Band::Weak => "nearest to this segment, but farther out than 9 in 10 of its customers",
                Band::NotAMatch => "closer to another segment",
            };
            view! { <li data-band=band.name()>{format!("{}: {count} ({meaning})", band.name())}</li> }
        })
        .collect_view();
    let examples = report
        .examples
        .iter()
        .map(|example| view! { <li>{capitalized(example)}</li> })
        .collect_view();
    let notes = report
        .notes
        .iter()
        .map(|note| view! { <li>{capitalized(note)}"."</li> })
        .collect_view();
    view! {
        <p id="lookalike-summary" data-written=report.written>
            {format!(
                "Scored {} prospects against {}; downloaded the {} best, best first, with their score, band and reason.",
                report.prospects, report.segment_phrase, report.written
            )}
        </p>
        <ul class="bands">{bands}</ul>
        <p>"Why the best prospects score high:"</p>
        <ul class="examples">{examples}</ul>
        <ul class="notes">{notes}</ul>
    }
}
