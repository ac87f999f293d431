//! The preview of a loaded file: counts, inferred types, first rows.

use audience_engine::table::ColumnType;
use leptos::prelude::*;

use super::column_controls::ColumnControls;
use super::WorkerClient;

/// A short, human label for a column type.
pub fn type_label(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Numeric => "numeric",
        ColumnType::Binary => "binary",
        ColumnType::Ordinal => "ordinal",
        ColumnType::Categorical => "categorical",
        ColumnType::Identifier => "identifier",
        ColumnType::Date => "date",
        ColumnType::Empty => "empty",
    }
}

/// Counts, format, notes and the first rows of the loaded file, with each column's type and role.
#[component]
pub fn Preview() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    move || {
        engine.dataset.get().map(|preview| {
            let header = preview
                .columns
                .iter()
                .enumerate()
                .map(|(index, column)| {
                    view! {
                        <th scope="col">
                            <span class="column-name">{column.name.clone()}</span>
                            <span class="column-type" data-type=type_label(column.column_type)>
                                {type_label(column.column_type)}
                            </span>
                            <ColumnControls
                                index=index
                                name=column.name.clone()
                                column_type=column.column_type
                                two_valued=super::variables::is_two_valued(column)
                            />
                        </th>
                    }
                })
                .collect_view();
            let rows = preview
                .rows
                .iter()
                .map(|row| view! { <tr>{row.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}</tr> })
                .collect_view();
            let notes = preview.notes.iter().map(|note| view! { <li>{note.clone()}</li> }).collect_view();
            view! {
                <section class="step" aria-labelledby="preview-heading">
                    <h2 id="preview-heading">"Preview of " {preview.file_name.clone()}</h2>
                    <p id="dataset-summary" class="summary">
                        <span id="row-count">{preview.n_rows}</span>" rows × "
                        <span id="column-count">{preview.n_columns}</span>" columns · "
                        {preview.format.clone()}
                    </p>
                    <ul class="notes">{notes}</ul>
                    <p class="hint">"Under each column: the type it is read as, and its role. “ID” and “exclude” columns are never used to form segments nor offered as variables; the conversion column describes the outcome."</p>
                    <div class="table-scroll" tabindex="0" role="region" aria-label="First rows of the file">
                        <table id="preview-table">
                            <thead><tr>{header}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            }
        })
    }
}
