//! Filters before segmenting: rules on any column with a live count beside each rule and in total,
//! counted by the worker as the user edits, before anything runs.

use audience_engine::coverage::thousands;
use audience_engine::filter::{CompareOp, Condition, Rule, Test};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::draft::AudienceDraft;
use super::super::WorkerClient;
use crate::protocol::activation::{FilterReport, FilterSettings, FilteredOut};
use crate::protocol::{ActivationAnswer, ActivationRequest, Response};

/// What a rule tests, as the page offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `=`
    Is,
    /// `!=`
    IsNot,
    /// `in`
    OneOf,
    /// `not in`
    NoneOf,
    /// `<`
    Below,
    /// `<=`
    AtMost,
    /// `>`
    Above,
    /// `>=`
    AtLeast,
    /// `has`
    HasValue,
    /// `has no`
    IsEmpty,
}

impl Operator {
    /// Every operator, in the order the menu lists them.
    pub const ALL: [Operator; 10] = [
        Operator::Is,
        Operator::IsNot,
        Operator::OneOf,
        Operator::NoneOf,
        Operator::AtLeast,
        Operator::Above,
        Operator::AtMost,
        Operator::Below,
        Operator::HasValue,
        Operator::IsEmpty,
    ];

    /// The menu's words.
    pub fn label(self) -> &'static str {
        match self {
            Operator::Is => "is",
            Operator::IsNot => "is not",
            Operator::OneOf => "is one of",
            Operator::NoneOf => "is none of",
            Operator::Below => "is below",
            Operator::AtMost => "is at most",
            Operator::Above => "is above",
            Operator::AtLeast => "is at least",
            Operator::HasValue => "has a value",
            Operator::IsEmpty => "is empty",
        }
    }

    /// The option's value.
    pub fn slug(self) -> &'static str {
        match self {
            Operator::Is => "is",
            Operator::IsNot => "is-not",
            Operator::OneOf => "one-of",
            Operator::NoneOf => "none-of",
            Operator::Below => "below",
            Operator::AtMost => "at-most",
            Operator::Above => "above",
            Operator::AtLeast => "at-least",
            Operator::HasValue => "has",
            Operator::IsEmpty => "empty",
        }
    }

    fn from_slug(slug: &str) -> Operator {
        Operator::ALL
            .into_iter()
            .find(|op| op.slug() == slug)
            .unwrap_or(Operator::Is)
    }

    /// Whether the rule needs a value typed.
    pub fn takes_value(self) -> bool {
        !matches!(self, Operator::HasValue | Operator::IsEmpty)
    }
}

/// One rule as edited: column, operator and the value typed.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleRow {
    /// Stable key of the row (keeps focus while the list changes).
    pub id: u32,
    /// Column name.
    pub column: String,
    /// Operator.
    pub op: Operator,
    /// The value, or values separated by commas.
    pub value: String,
}

impl RuleRow {
    /// The engine's rule, or what to fix first, in a marketer's words.
    pub fn rule(&self) -> Result<Rule, String> {
        let value = self.value.trim();
        let values = || -> Vec<String> {
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let number = || {
            value
                .replace(',', "")
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("Type a number for “{}”, for example 30.", self.column))
        };
        if self.op.takes_value() && value.is_empty() {
            return Err(format!("Type a value for “{}”.", self.column));
        }
        let test = match self.op {
            Operator::Is => Test::Equals(value.to_owned()),
            Operator::IsNot => Test::NotEquals(value.to_owned()),
            Operator::OneOf => Test::In(values()),
            Operator::NoneOf => Test::NotIn(values()),
            Operator::Below => Test::Compare(CompareOp::Less, number()?),
            Operator::AtMost => Test::Compare(CompareOp::AtMost, number()?),
            Operator::Above => Test::Compare(CompareOp::Greater, number()?),
            Operator::AtLeast => Test::Compare(CompareOp::AtLeast, number()?),
            Operator::HasValue => Test::Has,
            Operator::IsEmpty => Test::Missing,
        };
        Ok(Rule::Condition(Condition {
            column: self.column.clone(),
            test,
        }))
    }
}

/// The filter as edited: its rules, how they combine and what downloads do with the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterDraft {
    /// The rules, in order.
    pub rules: Vec<RuleRow>,
    /// Any rule (`or`) instead of every rule (`and`).
    pub any: bool,
    /// What the clustered CSV does with the customers the filter leaves out.
    pub filtered_out: FilteredOut,
    /// The next row's key.
    pub next_id: u32,
}

impl FilterDraft {
    /// The settings sent with a count or a run: the rules that can be read (`None` without one).
    pub fn settings(&self) -> Option<FilterSettings> {
        let rules: Vec<Rule> = self.rules.iter().filter_map(|r| r.rule().ok()).collect();
        if rules.is_empty() {
            return None;
        }
        Some(FilterSettings {
            rules,
            any: self.any,
            filtered_out: self.filtered_out,
        })
    }
}

/// The filter rules of the segment step, with live counts.
#[component]
pub fn FilterPanel() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let draft = expect_context::<AudienceDraft>();
    let filter = draft.filter;
    let report = RwSignal::new(None::<FilterReport>);
    let asked = StoredValue::new(0u32);
    // Counted again as the user edits (the worker answers in order; only the latest answer is shown).
    Effect::new(move |_| {
        let settings = filter.with(FilterDraft::settings);
        let _ = engine.dataset.with(|d| d.as_ref().map(|d| d.n_rows));
        let Some(settings) = settings else {
            report.set(None);
            return;
        };
        let id = asked.get_value() + 1;
        asked.set_value(id);
        let reply = engine.activation(ActivationRequest::Count(settings), None);
        spawn_local(async move {
            if let Response::Activation(answer) = reply.await {
                if let ActivationAnswer::Counts(counts) = *answer {
                    if asked.get_value() == id {
                        report.set(Some(counts));
                    }
                }
            }
        });
    });
    let columns = move || {
        engine
            .dataset
            .with(|d| {
                d.as_ref()
                    .map(|d| d.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    let add = move |_| {
        let first = columns().into_iter().next().unwrap_or_default();
        filter.update(|f| {
            f.rules.push(RuleRow {
                id: f.next_id,
                column: first,
                op: Operator::Is,
                value: String::new(),
            });
            f.next_id += 1;
        });
    };
    let total = move || {
        let n_rules = filter.with(|f| f.rules.len());
        if n_rules == 0 {
            return "No filter: every customer is segmented.".to_owned();
        }
        let form = draft.form.get();
        match report.get() {
            Some(FilterReport {
                rows,
                kept: Some(kept),
                ..
            }) => {
                let sizes = if form.bounded {
                    format!(
                        " Each segment will hold {}–{}% of the {} filtered customers.",
                        form.min_percent,
                        form.max_percent,
                        thousands(kept)
                    )
                } else {
                    String::new()
                };
                format!(
                    "The filter keeps {} of {} customers; only they are segmented.{sizes}",
                    thousands(kept),
                    thousands(rows)
                )
            }
            Some(_) => {
                "Fix the rules marked below to see how many customers the filter keeps.".to_owned()
            }
            None => "Counting…".to_owned(),
        }
    };
    let rows = move || filter.with(|f| f.rules.iter().map(|r| r.id).collect::<Vec<_>>());
    view! {
        <fieldset class="settings filters" id="filters">
            <legend>"Filter the customers first (optional)"</legend>
            <ul class="filter-rules">
                <For each=rows key=|id| *id let:id>
                    <RuleEditor id=id report=report />
                </For>
            </ul>
            <button id="add-filter-rule" type="button" class="secondary" on:click=add
                disabled=move || engine.dataset.with(Option::is_none)>
                "Add a rule"
            </button>
            <Show when=move || filter.with(|f| f.rules.len() > 1)>
                <div class="filter-combine" role="radiogroup" aria-label="How the rules combine">
                    <label class="inline">
                        <input type="radio" name="filter-combine" id="filter-all"
                            prop:checked=move || !filter.get().any
                            on:change=move |_| filter.update(|f| f.any = false) />
                        " Every rule holds (and)"
                    </label>
                    <label class="inline">
                        <input type="radio" name="filter-combine" id="filter-any"
                            prop:checked=move || filter.get().any
                            on:change=move |_| filter.update(|f| f.any = true) />
                        " Any rule holds (or)"
                    </label>
                </div>
            </Show>
            <p id="filter-total" class="filter-total" aria-live="polite">{total}</p>
            <Show when=move || filter.with(|f| !f.rules.is_empty())>
                <div class="field">
                    <label for="filtered-out">"In the clustered CSV, customers the filter leaves out are"</label>
                    <select id="filtered-out" on:change=move |event| {
                        let drop = event_target_value(&event) == "drop";
                        filter.update(|f| f.filtered_out = if drop { FilteredOut::Drop } else { FilteredOut::Mark });
                    }>
                        <option value="mark" selected=move || filter.get().filtered_out == FilteredOut::Mark>
                            "kept, with an empty segment and in_filter = no"
                        </option>
                        <option value="drop" selected=move || filter.get().filtered_out == FilteredOut::Drop>
                            "left out"
                        </option>
                    </select>
                </div>
            </Show>
        </fieldset>
    }
}

/// One rule: column, operator, value, its count or what to fix, and Remove.
#[component]
fn RuleEditor(id: u32, report: RwSignal<Option<FilterReport>>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let filter = expect_context::<AudienceDraft>().filter;
    let row = move || filter.with(|f| f.rules.iter().find(|r| r.id == id).cloned());
    let edit = move |change: &dyn Fn(&mut RuleRow)| {
        filter.update(|f| {
            if let Some(r) = f.rules.iter_mut().find(|r| r.id == id) {
                change(r);
            }
        })
    };
    let columns = move || {
        engine
            .dataset
            .with(|d| {
                d.as_ref()
                    .map(|d| d.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    // The worker counts only the rules that read; its answer lists them in order.
    let status = move || {
        let current = row()?;
        let rule = match current.rule() {
            Ok(rule) => rule,
            Err(problem) => return Some((problem, true)),
        };
        let position = filter.with(|f| {
            f.rules
                .iter()
                .take_while(|r| r.id != id)
                .filter(|r| r.rule().is_ok())
                .count()
        });
        let counted = report.with(|r| r.as_ref().and_then(|r| r.rules.get(position).cloned()))?;
        if counted.rule != rule.to_string() {
            return Some(("Counting…".to_owned(), false));
        }
        Some(match (counted.rows, counted.error) {
            (Some(rows), _) => (
                format!(
                    "{} customer{}",
                    thousands(rows),
                    if rows == 1 { "" } else { "s" }
                ),
                false,
            ),
            (None, Some(error)) => (error, true),
            (None, None) => (String::new(), false),
        })
    };
    let column_id = format!("filter-column-{id}");
    let op_id = format!("filter-op-{id}");
    let value_id = format!("filter-value-{id}");
    view! {
        <li class="filter-rule" data-rule=id>
            <label for=column_id.clone() class="visually-hidden">"Column"</label>
            <select id=column_id class="filter-column"
                on:change=move |event| { let value = event_target_value(&event); edit(&|r| r.column = value.clone()) }>
                {move || columns().into_iter().map(|name| {
                    let selected = row().is_some_and(|r| r.column == name);
                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                }).collect_view()}
            </select>
            <label for=op_id.clone() class="visually-hidden">"Test"</label>
            <select id=op_id class="filter-op"
                on:change=move |event| { let op = Operator::from_slug(&event_target_value(&event)); edit(&|r| r.op = op) }>
                {Operator::ALL.into_iter().map(|op| view! {
                    <option value=op.slug() selected=move || row().is_some_and(|r| r.op == op)>{op.label()}</option>
                }).collect_view()}
            </select>
            <Show when=move || row().is_some_and(|r| r.op.takes_value())>
                <label for=value_id.clone() class="visually-hidden">"Value (several: separate with commas)"</label>
                <input id=value_id.clone() type="text" class="filter-value" placeholder="value, or values separated by commas"
                    prop:value=move || row().map(|r| r.value).unwrap_or_default()
                    on:input=move |event| { let value = event_target_value(&event); edit(&|r| r.value = value.clone()) } />
            </Show>
            <span class="filter-count" role="status"
                class:rule-error=move || status().is_some_and(|(_, error)| error)>
                {move || status().map(|(text, _)| text).unwrap_or_default()}
            </span>
            <button type="button" class="link remove-rule" aria-label=format!("Remove rule {}", id + 1)
                on:click=move |_| filter.update(|f| f.rules.retain(|r| r.id != id))>
                "Remove"
            </button>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(column: &str, op: Operator, value: &str) -> RuleRow {
        RuleRow {
            id: 0,
            column: column.into(),
            op,
            value: value.into(),
        }
    }

    #[test]
    fn rules_read_as_the_engine_writes_them() {
        let cases = [
            (row("state", Operator::OneOf, "CA, NY ,"), "state in CA, NY"),
            (row("age", Operator::AtLeast, "30"), "age >= 30"),
            (
                row("Lead source", Operator::IsNot, "Partner"),
                "Lead source != Partner",
            ),
            (row("email", Operator::HasValue, ""), "has email"),
            (row("email", Operator::IsEmpty, "ignored"), "has no email"),
            (row("spend", Operator::Below, "1,500"), "spend < 1500"),
        ];
        for (row, text) in cases {
            assert_eq!(row.rule().unwrap().to_string(), text);
        }
    }

    #[test]
    fn a_rule_without_its_value_or_number_says_what_to_type() {
        assert_eq!(
            row("age", Operator::AtLeast, "thirty").rule().unwrap_err(),
            "Type a number for “age”, for example 30."
        );
        assert_eq!(
            row("state", Operator::Is, " ").rule().unwrap_err(),
            "Type a value for “state”."
        );
    }

    #[test]
    fn only_the_rules_that_read_are_sent_and_none_without_one() {
        let mut draft = FilterDraft::default();
        assert_eq!(draft.settings(), None);
        draft.rules = vec![
            row("state", Operator::Is, "CA"),
            row("age", Operator::AtLeast, ""),
        ];
        draft.any = true;
        let settings = draft.settings().unwrap();
        assert_eq!(settings.rules.len(), 1);
        assert!(settings.any);
        assert_eq!(settings.filtered_out, FilteredOut::Mark);
    }
}
