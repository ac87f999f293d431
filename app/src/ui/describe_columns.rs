//! Columns whose names say nothing (`MOSTYPE`, `column_7`): a data dictionary file (CSV: column,
//! description) or a description typed on the column's row, which the search then uses.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::draft::AudienceDraft;
use super::feedback::FieldMessage;
use super::WorkerClient;
use crate::protocol::{DictionaryReport, Response};

/// The status line after columns were described.
pub fn report_text(report: &DictionaryReport) -> String {
    let described = match report.described.len() {
        0 => "no column of your file is described yet".to_owned(),
        1 => format!("1 column is described ({})", report.described[0]),
        n => format!("{n} columns are described"),
    };
    let mut text = match &report.file_name {
        Some(file_name) => format!("Read the data dictionary {file_name}: {described}."),
        None => format!("Saved the description: {described}."),
    };
    if !report.not_in_file.is_empty() {
        let shown: Vec<&str> = report
            .not_in_file
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        text.push_str(&format!(
            " {} of its names are not columns of your file ({}{}); check the spelling if they should be.",
            report.not_in_file.len(),
            shown.join(", "),
            if report.not_in_file.len() > 5 { ", …" } else { "" }
        ));
    }
    text.push_str(" The suggestions now search the descriptions.");
    text
}

/// After a description arrived: the suggestions again, for the same description, so the search uses it.
fn suggest_again(engine: WorkerClient, query: RwSignal<String>) {
    let text = query.get_untracked();
    if !text.trim().is_empty() {
        drop(engine.suggest(text));
    }
}

/// "Load a data dictionary": a CSV of column names and descriptions.
#[component]
pub fn DictionaryControl() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft { query, .. } = expect_context::<AudienceDraft>();
    let message = RwSignal::new(String::new());
    let on_change = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let reply = engine.load_dictionary(&file, file.name());
        input.set_value("");
        spawn_local(async move {
            match reply.await {
                Response::Described(report) => {
                    message.set(report_text(&report));
                    suggest_again(engine, query);
                }
                Response::Failed(failure) => message.set(failure.message),
                _ => {}
            }
        });
    };
    view! {
        <div class="dictionary-control">
            <label for="dictionary-input">"Column names are codes? Load a data dictionary (CSV: column, description): "</label>
            <input id="dictionary-input" type="file" accept=".csv,.tsv,.txt,text/csv" on:change=on_change />
            <FieldMessage id="dictionary-message" message=message />
        </div>
    }
}

/// A column's "meaning unknown" note with a field to describe it.
#[component]
pub fn DescribeColumn(index: usize, column: String) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft { query, .. } = expect_context::<AudienceDraft>();
    let text = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let input_id = format!("describe-column-{index}");
    let message_id = format!("describe-message-{index}");
    let label = format!("What does {column} hold?");
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let description = text.get_untracked();
        if description.trim().is_empty() {
            message.set(format!(
                "Type what {} holds first, e.g. “customer subtype” or “number of car policies”.",
                column
            ));
            return;
        }
        let reply = engine.describe_column(column.clone(), description);
        spawn_local(async move {
            match reply.await {
                Response::Described(_) => {
                    message.set(String::new());
                    suggest_again(engine, query);
                }
                Response::Failed(failure) => message.set(failure.message),
                _ => {}
            }
        });
    };
    let described_by = message_id.clone();
    view! {
        <form class="describe-column" on:submit=on_submit>
            <span class="meaning-unknown">"meaning unknown"</span>
            <label for=input_id.clone() class="visually-hidden">{label}</label>
            <input
                id=input_id
                type="text"
                placeholder="Describe this column"
                aria-describedby=described_by
                prop:value=move || text.get()
                on:input=move |event| text.set(event_target_value(&event))
            />
            <button type="submit" class="secondary">"Use description"</button>
            <FieldMessageOwned id=message_id message=message />
        </form>
    }
}

/// [`FieldMessage`] with an id made at run time.
#[component]
fn FieldMessageOwned(id: String, message: RwSignal<String>) -> impl IntoView {
    view! { <p id=id class="field-message" role="status" aria-live="polite">{move || message.get()}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_counts_described_columns_and_names_the_ones_not_in_the_file() {
        let report = DictionaryReport {
            file_name: Some("codebook.csv".into()),
            described: vec!["MOSTYPE".into(), "MRELSA".into()],
            not_in_file: vec!["ZZZ".into()],
        };
        assert_eq!(
            report_text(&report),
            "Read the data dictionary codebook.csv: 2 columns are described. 1 of its names are not \
             columns of your file (ZZZ); check the spelling if they should be. The suggestions now \
             search the descriptions."
        );
        let typed = DictionaryReport {
            file_name: None,
            described: vec!["MOSTYPE".into()],
            not_in_file: vec![],
        };
        assert_eq!(
            report_text(&typed),
            "Saved the description: 1 column is described (MOSTYPE). The suggestions now search the \
             descriptions."
        );
    }
}
