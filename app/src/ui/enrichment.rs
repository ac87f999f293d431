//! Data settings under the preview: which kind of data the catalog variables must be available in, and
//! an optional enrichment file joined on a key column, with its coverage.

use audience_search::DataKind;
use leptos::ev::Event;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::draft::AudienceDraft;
use super::WorkerClient;
use crate::protocol::{EnrichmentCoverage, EnrichmentPreview};

/// The data kind a `<select>` value names (`""`: any).
pub fn parse_data_kind(value: &str) -> Option<DataKind> {
    match value {
        "first_party" => Some(DataKind::FirstParty),
        "third_party" => Some(DataKind::ThirdParty),
        "clean_room" => Some(DataKind::CleanRoom),
        _ => None,
    }
}

/// The data kind selector; changing it re-runs the suggestions if there are any.
#[component]
pub fn DataKindSelect() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft { query, .. } = expect_context::<AudienceDraft>();
    let on_change = move |event: Event| {
        engine
            .data_kind
            .set(parse_data_kind(&event_target_value(&event)));
        if engine.suggestions.get_untracked().is_some() && engine.is_idle() {
            engine.suggest(query.get_untracked());
        }
    };
    view! {
        <div class="field">
            <label for="data-kind">"Kind of data (filters the catalog variables offered)"</label>
            <select id="data-kind" on:change=on_change>
                <option value="">"Any"</option>
                <option value="first_party">"First-party (your own customer data)"</option>
                <option value="third_party">"Third-party (bought or public data)"</option>
                <option value="clean_room">"Clean room (matched with a partner)"</option>
            </select>
        </div>
    }
}

/// The enrichment file input, key selects, join button and coverage.
#[component]
pub fn EnrichmentPanel() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let on_pick = move |event: Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            engine.load_enrichment(&file, file.name());
        }
        input.set_value("");
    };
    view! {
        <details class="enrichment" open>
            <summary>"Optional: enrich with another file"</summary>
            <p class="hint">"A file with one row per key (for example a ZIP-level census extract) adds its columns to every matching customer row. Census codes such as B19013_001E are labelled from the catalog. Keys are compared trimmed, ignoring case and leading zeros of all-digit keys (02139 = 2139)."</p>
            <div class="field">
                <label for="enrichment-input">"Enrichment file (CSV)"</label>
                <input
                    id="enrichment-input"
                    type="file"
                    accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
                    disabled=move || !engine.is_idle()
                    on:change=on_pick
                />
            </div>
            {move || engine.enrichment.get().map(|preview| view! { <JoinForm preview=preview /> })}
            {move || {
                engine
                    .dataset
                    .get()
                    .and_then(|dataset| dataset.enrichment)
                    .map(|coverage| view! { <Coverage coverage=coverage /> })
            }}
        </details>
    }
}

/// The two key selects and the join button.
#[component]
fn JoinForm(preview: EnrichmentPreview) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let customer_columns: Vec<String> = engine
        .dataset
        .get_untracked()
        .map(|dataset| {
            dataset
                .columns
                .iter()
                .map(|column| column.name.clone())
                .filter(|name| {
                    dataset
                        .enrichment
                        .as_ref()
                        .is_none_or(|e| !e.report.added_columns.contains(name))
                })
                .collect()
        })
        .unwrap_or_default();
    let customer_key = RwSignal::new(
        preview
            .customer_key
            .clone()
            .or_else(|| customer_columns.first().cloned())
            .unwrap_or_default(),
    );
    let enrichment_key = RwSignal::new(
        preview
            .enrichment_key
            .clone()
            .or_else(|| preview.columns.first().cloned())
            .unwrap_or_default(),
    );
    let options = |names: Vec<String>, chosen: RwSignal<String>| {
        names
            .into_iter()
            .map(|name| {
                let selected = chosen.get_untracked() == name;
                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
            })
            .collect_view()
    };
    let on_join = move |_| {
        engine.join(customer_key.get_untracked(), enrichment_key.get_untracked());
    };
    view! {
        <div class="join-form">
            <p>{format!("{}: {} rows, {} columns.", preview.file_name, preview.n_rows, preview.columns.len())}</p>
            <div class="field">
                <label for="customer-key">"Key column in your file"</label>
                <select id="customer-key" on:change=move |event| customer_key.set(event_target_value(&event))>
                    {options(customer_columns, customer_key)}
                </select>
            </div>
            <div class="field">
                <label for="enrichment-key">"Key column in the enrichment file"</label>
                <select id="enrichment-key" on:change=move |event| enrichment_key.set(event_target_value(&event))>
                    {options(preview.columns.clone(), enrichment_key)}
                </select>
            </div>
            <button id="join-button" type="button" class="button" disabled=move || !engine.is_idle() on:click=on_join>
                "Join"
            </button>
        </div>
    }
}

/// Matched and unmatched counts, duplicate keys, and the columns added.
#[component]
fn Coverage(coverage: EnrichmentCoverage) -> impl IntoView {
    let report = coverage.report;
    let share = if report.customer_rows == 0 {
        0.0
    } else {
        100.0 * report.matched as f64 / report.customer_rows as f64
    };
    let duplicates = (report.duplicate_keys > 0).then(|| {
        view! {
            <li id="duplicate-keys">
                {format!(
                    "{} key(s) occur more than once in the enrichment file ({} rows set aside, the first row of each key kept), e.g. {}.",
                    report.duplicate_keys,
                    report.duplicate_rows,
                    report.duplicate_examples.join(", ")
                )}
            </li>
        }
    });
    let added = report
        .added_columns
        .iter()
        .map(|name| view! { <li>{name.clone()}</li> })
        .collect_view();
    view! {
        <div id="join-coverage" class="join-coverage" role="status">
            <p>
                "Joined " {coverage.file_name.clone()} " on " {coverage.customer_key.clone()} " = "
                {coverage.enrichment_key.clone()} ": "
                <strong id="matched-count">{report.matched}</strong> " matched, "
                <strong id="unmatched-count">{report.unmatched}</strong> " unmatched of "
                {report.customer_rows} " rows (" {format!("{share:.1}%")} ")."
            </p>
            <ul class="notes">
                <li id="missing-key-count">{format!("{} row(s) of your file have no key.", report.missing_key)}</li>
                {duplicates}
                <li>{format!("{} of {} added columns labelled from the catalog.", coverage.labelled, report.added_columns.len())}</li>
            </ul>
            <details>
                <summary>"Columns added"</summary>
                <ul id="added-columns">{added}</ul>
            </details>
            <p class="hint">"The added columns can be chosen as variables, and the clustered CSV export includes them after your own columns."</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_kind_values_match_the_catalog_names() {
        for kind in [
            DataKind::FirstParty,
            DataKind::ThirdParty,
            DataKind::CleanRoom,
        ] {
            let value = serde_json::to_value(kind).unwrap();
            assert_eq!(parse_data_kind(value.as_str().unwrap()), Some(kind));
        }
        assert_eq!(parse_data_kind(""), None);
    }
}
