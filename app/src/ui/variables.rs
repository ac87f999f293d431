//! Step 3: the suggested variables: the file's columns to segment on (checked, weighted) and the catalog
//! variables that match the description, grouped by type.

use audience_engine::table::ColumnType;
use leptos::prelude::*;

use super::charts_view::{suggestion_charts, ChartCard};
use super::describe_columns::DescribeColumn;
use super::draft::AudienceDraft;
use super::feedback::focus_after_render;
use super::preview::type_label;
use super::WorkerClient;
use crate::protocol::{
    CatalogGroup, CatalogHit, ConceptVariable, Response, RetrievalCoverage, Suggestions,
    VariableChoice,
};
use audience_search::columns::MEANING_UNKNOWN;

/// One of the file's columns as the user has set it.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnChoice {
    /// Column name.
    pub column: String,
    /// Its type.
    pub column_type: ColumnType,
    /// Relevance to the description, 0..=1.
    pub relevance: f64,
    /// Whether it takes part in segmentation.
    pub checked: bool,
    /// Its weight.
    pub weight: f64,
    /// Why it matched.
    pub matched_terms: Vec<String>,
    /// Closest catalog variables.
    pub linked_variables: Vec<String>,
    /// Nothing says what the column holds: no relevance is shown, and the row offers to describe it.
    pub meaning_unknown: bool,
    /// The column's description, if the user gave one.
    pub description: Option<String>,
}

impl ColumnChoice {
    /// The key of this column's row in the table at position `index`: everything the row shows except the
    /// checkbox and the weight. A toggle or a new weight keeps the row (and the keyboard focus on it); new
    /// suggestions make new rows.
    pub fn row_key(&self, index: usize) -> String {
        format!(
            "{index}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.column,
            self.column_type,
            self.relevance.to_bits(),
            self.matched_terms.join("\u{1e}"),
            self.linked_variables.join("\u{1e}"),
            self.meaning_unknown,
            self.description.as_deref().unwrap_or_default()
        )
    }
}

/// Whether a column can be the conversion column: binary, or any column holding exactly two values.
pub fn is_two_valued(column: &crate::protocol::ColumnPreview) -> bool {
    column.column_type == ColumnType::Binary
        || (column.column_type.has_levels() && column.distinct == 2)
}

/// The choices a set of suggestions starts from (suggested columns checked, weight 1), without the
/// conversion column and the `withheld` ("ID" or "exclude") columns.
pub fn initial_choices(
    suggestions: &Suggestions,
    target: Option<&str>,
    withheld: &[String],
) -> Vec<ColumnChoice> {
    suggestions
        .columns
        .iter()
        .filter(|column| Some(column.column.as_str()) != target)
        .filter(|column| !withheld.contains(&column.column))
        .map(|column| ColumnChoice {
            column: column.column.clone(),
            column_type: column.column_type,
            relevance: column.relevance,
            checked: column.suggested,
            weight: 1.0,
            matched_terms: column.matched_terms.clone(),
            linked_variables: column.linked_variables.clone(),
            meaning_unknown: column.meaning_unknown,
            description: column.description.clone(),
        })
        .collect()
}

/// What the status says once suggestions arrive: how many columns were checked for the user (the
/// conversion column and withheld columns never are).
pub fn checked_message(checked: usize) -> String {
    match checked {
        0 => {
            "No column of the file matches the description: check the columns to segment on in the \
              Variables step, or describe the audience in other words."
                .to_owned()
        }
        1 => "Checked 1 column that matches the description; review it in the Variables step."
            .to_owned(),
        n => format!(
            "Checked {n} columns that match the description; review them in the Variables step."
        ),
    }
}

/// The checked columns, as the segmentation request wants them.
pub fn chosen_variables(choices: &[ColumnChoice]) -> Vec<VariableChoice> {
    choices
        .iter()
        .filter(|choice| choice.checked)
        .map(|choice| VariableChoice {
            column: choice.column.clone(),
            weight: choice.weight,
        })
        .collect()
}

/// Columns with checkboxes, relevance and weights; catalog variables by type.
#[component]
pub fn VariablesStep() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft {
        query,
        choices,
        target,
        positive,
        ..
    } = expect_context::<AudienceDraft>();
    let refine = RwSignal::new(String::new());
    let targets = move || {
        engine.dataset.get().map_or_else(Vec::new, |dataset| {
            let withheld = super::worker_client::withheld(&engine.roles.get());
            dataset
                .columns
                .iter()
                .filter(|column| is_two_valued(column))
                .filter(|column| !withheld.contains(&column.name))
                .map(|column| column.name.clone())
                .collect::<Vec<_>>()
        })
    };
    // The two values of the conversion column, for "which value means converted".
    let target_values = move || {
        let chosen = target.get()?;
        let dataset = engine.dataset.get()?;
        let column = dataset.columns.iter().find(|c| c.name == chosen)?;
        let values: Vec<String> = column
            .stats
            .levels
            .iter()
            .map(|level| level.label.clone())
            .collect();
        (values.len() == 2).then_some((chosen, values))
    };
    let set_target = move |value: String| {
        let chosen = (!value.is_empty()).then_some(value);
        if let Some(suggestions) = engine.suggestions.get_untracked() {
            choices.set(initial_choices(
                &suggestions,
                chosen.as_deref(),
                &engine.withheld_untracked(),
            ));
        }
        target.set(chosen);
    };
    let row = move |(index, choice): (usize, ColumnChoice)| {
        let id = format!("use-column-{index}");
        let weight_id = format!("weight-column-{index}");
        let terms: Vec<&str> = choice
            .matched_terms
            .iter()
            .map(String::as_str)
            .filter(|term| *term != MEANING_UNKNOWN)
            .collect();
        let why = if terms.is_empty() {
            String::new()
        } else {
            format!("matches {}", terms.join(", "))
        };
        let described = choice
            .description
            .as_ref()
            .map(|text| format!("described as “{text}”. "))
            .unwrap_or_default();
        // A column whose meaning is unknown gets no relevance figure, but a field to describe it.
        let relevance = if choice.meaning_unknown {
            view! { <DescribeColumn index=index column=choice.column.clone() /> }.into_any()
        } else {
            view! {
                <meter min="0" max="1" value=choice.relevance aria-label="relevance"></meter>
                <span class="score">{format!("{:.0}%", choice.relevance * 100.0)}</span>
            }
            .into_any()
        };
        let linked = if choice.linked_variables.is_empty() {
            String::new()
        } else {
            format!("like: {}", choice.linked_variables.join("; "))
        };
        view! {
            <tr class="column-choice" data-column=choice.column.clone()>
                <td>
                    <input
                        type="checkbox"
                        id=id.clone()
                        prop:checked=move || choices.with(|all| all.get(index).is_some_and(|c| c.checked))
                        on:change=move |event| {
                            let checked = event_target_checked(&event);
                            choices.update(|all| {
                                if let Some(choice) = all.get_mut(index) {
                                    choice.checked = checked;
                                }
                            });
                        }
                    />
                    <label for=id>{choice.column.clone()}</label>
                </td>
                <td data-label="Type"><span class="column-type" data-type=type_label(choice.column_type)>{type_label(choice.column_type)}</span></td>
                <td class="relevance" data-label="Relevance">{relevance}</td>
                <td data-label="Weight">
                    <label for=weight_id.clone() class="visually-hidden">{format!("Weight of {}", choice.column)}</label>
                    <input
                        type="number"
                        class="weight"
                        id=weight_id
                        min="0.25"
                        max="4"
                        step="0.25"
                        prop:value=move || choices.with(|all| all.get(index).map_or(1.0, |c| c.weight)).to_string()
                        on:change=move |event| {
                            if let Ok(weight) = event_target_value(&event).parse::<f64>() {
                                if weight.is_finite() && weight > 0.0 {
                                    choices.update(|all| {
                                        if let Some(choice) = all.get_mut(index) {
                                            choice.weight = weight;
                                        }
                                    });
                                }
                            }
                        }
                    />
                </td>
                <td class="why" data-label="Why">{described}{why}<br />{linked}</td>
            </tr>
        }
    };
    // Keyed rows: toggling a checkbox re-renders nothing, so the keyboard focus stays on it.
    let each = move || {
        choices
            .get()
            .into_iter()
            .enumerate()
            .collect::<Vec<(usize, ColumnChoice)>>()
    };
    let rows = move || {
        view! { <For each=each key=|(index, choice)| choice.row_key(*index) children=row /> }
    };
    let on_refine = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let extra = refine.get_untracked();
        if !extra.trim().is_empty() {
            query.update(|query| {
                query.push_str(", ");
                query.push_str(extra.trim());
            });
            refine.set(String::new());
            engine.suggest(query.get_untracked());
        }
    };
    view! {
        <section class="step" id="variables-step" aria-labelledby="variables-heading">
            <h2 id="variables-heading" tabindex="-1">"3. Variables"</h2>
            <p class="hint">"Checked columns define the segments. Nothing runs until you press “Segment”."</p>
            <div class="field">
                <label for="target-column">"Conversion column (never used to form segments)"</label>
                <select
                    id="target-column"
                    on:change=move |event| set_target(event_target_value(&event))
                >
                    <option value="" selected=move || target.get().is_none()>"None"</option>
                    {move || {
                        targets()
                            .into_iter()
                            .map(|name| {
                                let selected = target.get().as_deref() == Some(name.as_str());
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            {move || target_values().map(|(column, values)| {
                let chosen = positive.get().filter(|(c, _)| *c == column).map(|(_, v)| v);
                let options = values
                    .into_iter()
                    .map(|value| {
                        let selected = chosen.as_deref() == Some(value.as_str());
                        view! { <option value=value.clone() selected=selected>{value.clone()}</option> }
                    })
                    .collect_view();
                let for_change = column.clone();
                view! {
                    <div class="field">
                        <label for="positive-value">{format!("Which value of {column} means converted")}</label>
                        <select
                            id="positive-value"
                            on:change=move |event| {
                                let value = event_target_value(&event);
                                positive.set((!value.is_empty()).then(|| (for_change.clone(), value)));
                            }
                        >
                            <option value="" selected=chosen.is_none()>"Recognise it (yes, 1, true …)"</option>
                            {options}
                        </select>
                    </div>
                }
            })}
            <super::describe_columns::DictionaryControl />
            <div class="table-scroll">
                <table id="column-choices">
                    <caption class="visually-hidden">"Your file's columns, most relevant first"</caption>
                    <thead>
                        <tr><th scope="col">"Use"</th><th scope="col">"Type"</th><th scope="col">"Relevance"</th><th scope="col">"Weight"</th><th scope="col">"Why"</th></tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <form class="refine" on:submit=on_refine>
                <label for="refine-query">"Refine the description"</label>
                <input id="refine-query" type="text" prop:value=move || refine.get() on:input=move |event| refine.set(event_target_value(&event)) />
                <button type="submit" class="secondary" disabled=move || !engine.is_idle()>"Update suggestions"</button>
            </form>
            <CatalogMatches />
            <div class="charts" id="variable-charts">
                {move || {
                    engine
                        .suggestions
                        .get()
                        .map(|suggestions| {
                            suggestion_charts(&suggestions, target.get().as_deref())
                                .into_iter()
                                .enumerate()
                                .map(|(index, chart)| view! { <ChartCard chart=chart id=format!("variable-chart-{index}") status=engine.status /> })
                                .collect_view()
                        })
                }}
            </div>
        </section>
    }
}

/// The retrieved census codes of the loaded file.
fn retrieved_codes(retrieval: Option<&RetrievalCoverage>) -> Vec<String> {
    retrieval.map_or_else(Vec::new, |r| {
        r.columns.iter().map(|c| c.code.clone()).collect()
    })
}

/// `codes` with `code` added (`on`) or removed.
pub fn toggled_codes(mut codes: Vec<String>, code: &str, on: bool) -> Vec<String> {
    codes.retain(|c| c != code);
    if on {
        codes.push(code.to_owned());
    }
    codes
}

/// The column choices after a retrieval: choices of codes no longer retrieved removed, a checked choice
/// (weight 1) appended for each newly retrieved code, the others kept as the user set them.
pub fn choices_after_retrieval(
    mut choices: Vec<ColumnChoice>,
    before: &[String],
    after: &[String],
    hits: &[CatalogHit],
) -> Vec<ColumnChoice> {
    choices.retain(|c| !before.contains(&c.column) || after.contains(&c.column));
    for code in after {
        if choices.iter().any(|c| &c.column == code) {
            continue;
        }
        let hit = hits.iter().find(|hit| &hit.code == code);
        choices.push(ColumnChoice {
            column: code.clone(),
            column_type: ColumnType::Numeric,
            relevance: 1.0,
            checked: true,
            weight: 1.0,
            matched_terms: hit.map_or_else(Vec::new, |hit| hit.matched_terms.clone()),
            linked_variables: hit.map_or_else(Vec::new, |hit| {
                vec![format!("{} (census, by ZIP code)", hit.label)]
            }),
            meaning_unknown: false,
            description: None,
        });
    }
    choices
}

/// What the retrieval covered, in the variables step, with the data's attribution.
#[component]
fn RetrievalNote() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    move || {
        engine.dataset.get().and_then(|dataset| dataset.retrieval).map(|retrieval| {
            let c = &retrieval.coverage;
            let columns = retrieval
                .columns
                .iter()
                .zip(&c.variables)
                .map(|(column, variable)| {
                    format!(
                        "{} ({}): {} rows with a value, {} of them county approximations, {} at the top or bottom code",
                        column.label, column.code, variable.values, variable.county_values, variable.censored
                    )
                })
                .map(|text| view! { <li>{text}</li> })
                .collect_view();
            view! {
                <div class="retrieval-coverage" id="retrieval-coverage" role="status">
                    <p>{format!(
                        "Census values by {}: of {} rows, {} matched their ZIP code area, {} got their county's value \
                         (a ZIP without its own area, e.g. a PO Box), {} are in areas under {} residents (county value or none), \
                         {} have a ZIP we do not know, {} are not US ZIP codes and {} are blank. No row was dropped; rows \
                         without a value are segmented on their other columns.",
                        retrieval.zip_column, c.rows, c.zcta, c.county, c.small_area, retrieval.small_area_population,
                        c.unmatched, c.invalid, c.blank
                    )}</p>
                    <ul>{columns}</ul>
                    <p class="hint">"These are area-level estimates for where each customer lives, not facts about the customer. "
                        {retrieval.attribution.clone()}</p>
                </div>
            }
        })
    }
}

/// Catalog variables for the description, grouped by type, with "more like this".
#[component]
fn CatalogMatches() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft { query, choices, .. } = expect_context::<AudienceDraft>();
    let all_hits = move || {
        engine
            .suggestions
            .get_untracked()
            .map(|s| {
                s.catalog
                    .into_iter()
                    .flat_map(|g| g.hits)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let retrieved =
        move || retrieved_codes(engine.dataset.get().and_then(|d| d.retrieval).as_ref());
    let set_retrieved = move |code: String, on: bool| {
        let before = retrieved_codes(
            engine
                .dataset
                .get_untracked()
                .and_then(|d| d.retrieval)
                .as_ref(),
        );
        let reply = engine.retrieve(toggled_codes(before.clone(), &code, on));
        leptos::task::spawn_local(async move {
            if let Response::Retrieved(preview) = reply.await {
                let after = retrieved_codes(preview.retrieval.as_ref());
                let hits = all_hits();
                choices.update(|all| {
                    *all = choices_after_retrieval(std::mem::take(all), &before, &after, &hits)
                });
            }
        });
    };
    let groups = move || {
        engine
            .suggestions
            .get()
            .map(|suggestions| suggestions.catalog)
            .unwrap_or_default()
    };
    // "More like this" replaces the description: what it replaced, to undo it.
    let undo: RwSignal<Option<MoreLikeThisUndo>> = RwSignal::new(None);
    let more_like_this = move |text: String| {
        undo.set(Some(MoreLikeThisUndo {
            query: query.get_untracked(),
            choices: choices.get_untracked(),
            replaced_by: text.clone(),
        }));
        query.set(text.clone());
        drop(engine.suggest(text));
        focus_after_render("undo-more-like-this", &[]);
    };
    let undo_more_like_this = move |_| {
        let Some(before) = undo.get_untracked() else {
            return;
        };
        undo.set(None);
        query.set(before.query.clone());
        let reply = engine.suggest(before.query.clone());
        // The new suggestions reset the choices (see `App`); the ones the user had go back on top.
        leptos::task::spawn_local(async move {
            if let Response::Suggestions(_) = reply.await {
                choices.set(before.choices);
                focus_after_render("audience-query", &[]);
            }
        });
    };
    let retrieve_view = move |code: String, label: String| {
        let checked_code = code.clone();
        let for_change = code.clone();
        let id = format!("retrieve-{code}");
        view! {
            <span class="retrieve">
                <input
                    type="checkbox"
                    id=id.clone()
                    data-code=code.clone()
                    prop:checked=move || retrieved().contains(&checked_code)
                    disabled=move || !engine.is_idle()
                    on:change=move |event| set_retrieved(for_change.clone(), event_target_checked(&event))
                />
                <label for=id>{format!("Use census values ({label}): available for your file")}</label>
            </span>
        }
    };
    let group_view = move |group: CatalogGroup| {
        let best = group
            .hits
            .iter()
            .map(|hit| hit.score)
            .fold(f64::MIN_POSITIVE, f64::max);
        let hits = group
            .hits
            .into_iter()
            .map(|hit| {
                let variables = concept_variables(&hit);
                // The concept's variables, the best ones pre-selected; "More like this" looks for
                // more like the selected ones.
                let picked = RwSignal::new(
                    variables
                        .iter()
                        .take(hit.selected.max(1))
                        .map(|v| v.label.clone())
                        .collect::<Vec<_>>(),
                );
                let retrievable: Vec<(String, String)> = variables
                    .iter()
                    .filter(|v| v.retrievable)
                    .map(|v| (v.code.clone(), v.label.clone()))
                    .collect();
                let retrieve = retrievable
                    .into_iter()
                    .map(|(code, label)| retrieve_view(code, label))
                    .collect_view();
                let n = variables.len();
                let listed = variables
                    .into_iter()
                    .enumerate()
                    .map(|(i, variable)| {
                        let id = format!("concept-{}-{i}", hit.table);
                        let (label, for_change) = (variable.label.clone(), variable.label.clone());
                        view! {
                            <li>
                                <input
                                    type="checkbox"
                                    class="concept-variable"
                                    id=id.clone()
                                    data-variable=variable.code.clone()
                                    prop:checked=move || picked.with(|p| p.contains(&label))
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        picked.update(|p| {
                                            p.retain(|l| l != &for_change);
                                            if on {
                                                p.push(for_change.clone());
                                            }
                                        });
                                    }
                                />
                                <label for=id>{variable.label.clone()}" "<code>{variable.code.clone()}</code></label>
                            </li>
                        }
                    })
                    .collect_view();
                let title = if hit.concept.is_empty() {
                    hit.label.clone()
                } else {
                    hit.concept.clone()
                };
                let fallback = hit.label.clone();
                let on_more = move |_| {
                    let labels = picked.get_untracked();
                    let text = if labels.is_empty() {
                        fallback.clone()
                    } else {
                        labels.join(", ")
                    };
                    more_like_this(text);
                };
                let selected = hit.selected.clamp(1, n.max(1)).min(n);
                view! {
                    <li class="catalog-hit catalog-concept" data-table=hit.table.clone()>
                        <meter min="0" max="1" value=hit.score / best aria-label="relevance"></meter>
                        <span class="concept-title">{title}</span>
                        <span class="hit-label">"best match: "{hit.label.clone()}</span>
                        " "<code class="hit-code">{hit.code.clone()}</code>
                        <span class="why">{hit.matched_terms.join(", ")}</span>
                        <button type="button" class="link more-like-this" on:click=on_more>"More like this"</button>
                        {retrieve}
                        <details class="concept-variables">
                            <summary>{format!("{n} matching {}, {selected} pre-selected", if n == 1 { "variable" } else { "variables" })}</summary>
                            <ul>{listed}</ul>
                        </details>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="catalog-group">
                <h4>{group.kind.clone()}</h4>
                <ul>{hits}</ul>
            </div>
        }
    };
    view! {
        <details class="catalog-matches" open>
            <summary>"Matching concepts in the catalog (" {move || groups().iter().map(|g| g.hits.len()).sum::<usize>()} ")"</summary>
            <p class="hint">"Each result is a concept (a census table or a behavioural measure) with its matching variables; the best ones are pre-selected. \
                Catalog variables describe what an enrichment file or a data partner could add; they are matched to your columns where they fit. \
                Those marked “available for your file” are public census estimates for your customers’ ZIP codes, shipped with this page: check one to segment on it (nothing leaves this tab)."</p>
            {move || undo.get().map(|before| view! {
                <p class="undo-note" id="more-like-this-note" role="status">
                    {format!("The description is now “{}”. ", before.replaced_by)}
                    <button id="undo-more-like-this" type="button" class="secondary" on:click=undo_more_like_this>
                        {format!("Undo: back to “{}”", before.query)}
                    </button>
                </p>
            })}
            <div id="catalog-groups">{move || groups().into_iter().map(group_view).collect_view()}</div>
            <RetrievalNote />
        </details>
    }
}

/// What "More like this" replaced: the description and the column choices, to put back.
#[derive(Clone, Debug, PartialEq)]
pub struct MoreLikeThisUndo {
    /// The description before.
    pub query: String,
    /// The column choices before (checked columns, weights).
    pub choices: Vec<ColumnChoice>,
    /// The description it was replaced with.
    pub replaced_by: String,
}

/// A concept's variables to list: its matching variables, or the hit itself when it stands alone.
pub fn concept_variables(hit: &CatalogHit) -> Vec<ConceptVariable> {
    if hit.variables.is_empty() {
        vec![ConceptVariable {
            code: hit.code.clone(),
            label: hit.label.clone(),
            retrievable: hit.retrievable,
        }]
    } else {
        hit.variables.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice() -> ColumnChoice {
        ColumnChoice {
            column: "Industry".into(),
            column_type: ColumnType::Categorical,
            relevance: 0.75,
            checked: true,
            weight: 1.0,
            matched_terms: vec!["tech".into()],
            linked_variables: vec![],
            meaning_unknown: false,
            description: None,
        }
    }

    #[test]
    fn the_status_counts_the_checked_columns_not_the_suggested_conversion_column() {
        let suggestion = |column: &str| crate::protocol::ColumnSuggestion {
            column: column.into(),
            column_type: ColumnType::Binary,
            relevance: 0.9,
            suggested: true,
            matched_terms: vec![],
            linked_variables: vec![],
            meaning_unknown: false,
            description: None,
        };
        let suggestions = Suggestions {
            query: "buyers".into(),
            columns: vec![suggestion("is_sale")],
            catalog: vec![],
            catalog_searched: false,
        };
        let initial = initial_choices(&suggestions, Some("is_sale"), &[]);
        let checked = initial.iter().filter(|c| c.checked).count();
        assert_eq!(checked, 0, "the conversion column is never checked");
        assert!(checked_message(checked).starts_with("No column of the file matches"));
        assert_eq!(
            checked_message(1),
            "Checked 1 column that matches the description; review it in the Variables step."
        );
        assert!(checked_message(3).starts_with("Checked 3 columns"));
    }

    #[test]
    fn toggling_a_code_adds_it_once_or_removes_it() {
        let codes = vec!["B19013_001E".to_owned()];
        assert_eq!(toggled_codes(codes.clone(), "B19013_001E", true), codes);
        assert_eq!(
            toggled_codes(codes.clone(), "B01002_001E", true),
            vec!["B19013_001E".to_owned(), "B01002_001E".to_owned()]
        );
        assert!(toggled_codes(codes, "B19013_001E", false).is_empty());
    }

    #[test]
    fn a_retrieved_code_becomes_a_checked_column_and_a_removed_one_goes() {
        let hit = CatalogHit {
            code: "B19013_001E".into(),
            label: "Median household income".into(),
            table: "B19013".into(),
            score: 0.5,
            matched_terms: vec!["income".into()],
            retrievable: true,
            ..CatalogHit::default()
        };
        let mut industry = choice();
        industry.checked = false;
        let after =
            choices_after_retrieval(vec![industry.clone()], &[], &["B19013_001E".into()], &[hit]);
        assert_eq!(after.len(), 2);
        assert_eq!(
            after[0], industry,
            "the file's own column keeps the user's settings"
        );
        assert_eq!(after[1].column, "B19013_001E");
        assert!(after[1].checked);
        assert_eq!(after[1].weight, 1.0);
        assert_eq!(after[1].column_type, ColumnType::Numeric);
        assert_eq!(after[1].matched_terms, vec!["income".to_owned()]);
        let removed = choices_after_retrieval(after, &["B19013_001E".into()], &[], &[]);
        assert_eq!(removed, vec![industry]);
    }

    #[test]
    fn a_rows_key_ignores_the_toggle_and_weight_but_not_what_the_row_shows() {
        let before = choice();
        let mut toggled = before.clone();
        toggled.checked = false;
        toggled.weight = 2.5;
        assert_eq!(before.row_key(0), toggled.row_key(0));
        let mut rescored = before.clone();
        rescored.relevance = 0.5;
        assert_ne!(before.row_key(0), rescored.row_key(0));
        let mut rematched = before.clone();
        rematched.matched_terms.push("buyers".into());
        assert_ne!(before.row_key(0), rematched.row_key(0));
        assert_ne!(before.row_key(0), before.row_key(1));
    }
}
