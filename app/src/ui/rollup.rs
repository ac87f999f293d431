//! The data step's offer for an order log (one row per purchase): one row per customer, with the detected
//! customer, date, amount and quantity columns (selects to change them), the as-of date and an optional
//! repeat-purchase target; the roll-up's report beside the button. Also the results' second download: the
//! transactions with their customer's segment.

use leptos::prelude::*;

use super::draft::AudienceDraft;
use super::feedback::{answer_beside, focus_after_render, FieldMessage};
use super::preview::type_label;
use super::WorkerClient;
use crate::protocol::{DatasetPreview, LogOffer, Response, RolledUp, RollupSettings};
use audience_engine::rollup::LogColumns;
use audience_engine::table::ColumnType;

/// The order-log offer, shown while the loaded file is an order log.
#[component]
pub fn LogPanel() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    move || {
        engine
            .dataset
            .get()
            .and_then(|dataset| dataset.log)
            .map(|offer| view! { <LogForm offer=offer /> })
    }
}

/// The column selects, as-of date, repeat-purchase window, button and report.
#[component]
fn LogForm(offer: LogOffer) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft { target, .. } = expect_context::<AudienceDraft>();
    let detected = offer.detection.columns().unwrap_or_default();
    let chosen = offer
        .rolled_up
        .as_ref()
        .map_or(detected, |rolled| rolled.settings.columns.clone());
    let customer = RwSignal::new(chosen.customer.clone());
    let date = RwSignal::new(chosen.date.clone());
    let amount = RwSignal::new(chosen.amount.clone().unwrap_or_default());
    let quantity = RwSignal::new(chosen.quantity.clone().unwrap_or_default());
    let settings = offer.rolled_up.as_ref().map(|rolled| &rolled.settings);
    let as_of = RwSignal::new(settings.and_then(|s| s.as_of.clone()).unwrap_or_default());
    let repeat = RwSignal::new(
        settings
            .and_then(|s| s.repeat_within)
            .map_or(String::new(), |days| days.to_string()),
    );
    let message = RwSignal::new(String::new());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let settings = match rollup_settings(
            LogColumns {
                customer: customer.get_untracked(),
                date: date.get_untracked(),
                amount: Some(amount.get_untracked()).filter(|name| !name.is_empty()),
                quantity: Some(quantity.get_untracked()).filter(|name| !name.is_empty()),
            },
            &as_of.get_untracked(),
            &repeat.get_untracked(),
        ) {
            Ok(settings) => settings,
            Err(refusal) => {
                message.set(refusal);
                return;
            }
        };
        answer_beside(engine.roll_up(settings), message, move |answer| {
            if let Response::RolledUp(preview) = answer {
                // The customer table's conversion column: `repeat_purchase` when it was asked for.
                target.set(preview.detected_target);
                focus_after_render("rollup-report", &["rollup-button"]);
            }
        });
    };
    let names = |filter: fn(ColumnType) -> bool| -> Vec<(String, &'static str)> {
        offer
            .columns
            .iter()
            .filter(|column| filter(column.column_type))
            .map(|column| (column.name.clone(), type_label(column.column_type)))
            .collect()
    };
    let every = names(|_| true);
    let numbers = names(|t| t == ColumnType::Numeric);
    let period = match (&offer.first_date, &offer.last_date) {
        (Some(first), Some(last)) => format!(", from {first} to {last}"),
        _ => String::new(),
    };
    let last_date = offer.last_date.clone().unwrap_or_default();
    let reasons = offer
        .detection
        .reasons()
        .into_iter()
        .map(|reason| view! { <li>{reason}</li> })
        .collect_view();
    let rolled = offer.rolled_up.is_some();
    view! {
        <section class="step" id="order-log" aria-labelledby="order-log-heading">
            <h2 id="order-log-heading">"An order log: one row per purchase"</h2>
            <p id="order-log-summary">
                {format!(
                    "This file has {} rows, one per purchase{period}. Segments are made of customers: roll the orders up to one row per customer with how recently, how often and how much each bought (recency, frequency, value, RFM scores and group).",
                    offer.transactions
                )}
            </p>
            <ul class="notes" id="order-log-columns">{reasons}</ul>
            <form class="rollup-form" on:submit=on_submit>
                <ColumnSelect id="log-customer" label="Customer column" options=every.clone() chosen=customer none=None />
                <ColumnSelect id="log-date" label="Purchase date column" options=every.clone() chosen=date none=None />
                <ColumnSelect id="log-amount" label="Amount column (refunds are negative)" options=numbers.clone() chosen=amount none=Some("No amount column") />
                <ColumnSelect id="log-quantity" label="Quantity column" options=numbers chosen=quantity none=Some("No quantity column") />
                <div class="field">
                    <label for="log-as-of">"As of (recency is counted to this date)"</label>
                    <input
                        id="log-as-of"
                        type="date"
                        aria-describedby="log-as-of-hint"
                        prop:value=move || as_of.get()
                        on:change=move |event| as_of.set(event_target_value(&event))
                    />
                    <p id="log-as-of-hint" class="hint">
                        {format!("Empty: the log's last date{}.", if last_date.is_empty() { String::new() } else { format!(", {last_date}") })}
                    </p>
                </div>
                <div class="field">
                    <label for="log-repeat">"Optional: a repeat-purchase target, bought again within this many days"</label>
                    <input
                        id="log-repeat"
                        type="number"
                        min="1"
                        step="1"
                        inputmode="numeric"
                        aria-describedby="log-repeat-hint"
                        prop:value=move || repeat.get()
                        on:change=move |event| repeat.set(event_target_value(&event))
                    />
                    <p id="log-repeat-hint" class="hint">
                        "Adds repeat_purchase (yes/no), the conversion column personas are ranked by: the log's last that many days are kept aside to see who bought again."
                    </p>
                </div>
                <button id="rollup-button" type="submit" class="button" disabled=move || !engine.is_idle()>
                    {if rolled { "Roll up again" } else { "One row per customer" }}
                </button>
                <FieldMessage id="rollup-message" message=message />
            </form>
            {offer.rolled_up.map(|rolled| view! { <RollupReport rolled=rolled /> })}
        </section>
    }
}

/// A `<select>` of the log's columns (with an optional "none" entry, value `""`).
#[component]
fn ColumnSelect(
    id: &'static str,
    label: &'static str,
    options: Vec<(String, &'static str)>,
    chosen: RwSignal<String>,
    none: Option<&'static str>,
) -> impl IntoView {
    let current = chosen.get_untracked();
    let none = none.map(|text| {
        let selected = current.is_empty();
        view! { <option value="" selected=selected>{text}</option> }
    });
    let options = options
        .into_iter()
        .map(|(name, kind)| {
            let selected = name == current;
            view! { <option value=name.clone() selected=selected>{format!("{name} ({kind})")}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |event| chosen.set(event_target_value(&event))>
                {none}
                {options}
            </select>
        </div>
    }
}

/// What the roll-up did: customers, rows used and left out (with their lines), refunds, … .
#[component]
fn RollupReport(rolled: RolledUp) -> impl IntoView {
    let report = &rolled.report;
    let left_out: usize = report.left_out.iter().map(|left| left.rows).sum();
    let notes = rolled
        .notes
        .iter()
        .map(|note| view! { <li>{note.clone()}</li> })
        .collect_view();
    view! {
        <div
            id="rollup-report"
            class="rollup-report"
            role="status"
            tabindex="-1"
            data-customers=report.customers
            data-transactions=report.rows_in_log
            data-used=report.rows_used
            data-left-out=left_out
            data-refunds=report.refunds.rows
        >
            <p class="summary">
                <strong>{format!("{} customers", report.customers)}</strong>
                {format!(
                    " from {} of the {} transactions, as of {}; the next steps use one row per customer.",
                    report.rows_used, report.rows_in_log, report.as_of
                )}
            </p>
            <ul class="notes">{notes}</ul>
        </div>
    }
}

/// The transactions download in the results, once the log was rolled up: every purchase with its
/// customer's segment. A refusal is said in `message`, beside the downloads.
#[component]
pub fn TransactionsDownload(message: RwSignal<String>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let rolled = move || {
        engine
            .dataset
            .get()
            .and_then(|dataset| dataset.log)
            .is_some_and(|log| log.rolled_up.is_some())
    };
    move || {
        rolled().then(|| {
            view! {
                <button
                    id="export-transactions-csv"
                    type="button"
                    class="secondary"
                    on:click=move |_| answer_beside(engine.export_transactions(), message, |_| {})
                >
                    "Transactions with segments"
                </button>
            }
        })
    }
}

/// The status line after a roll-up.
pub fn rolled_up_message(preview: &DatasetPreview) -> String {
    let Some(report) = preview
        .log
        .as_ref()
        .and_then(|log| log.rolled_up.as_ref())
        .map(|rolled| &rolled.report)
    else {
        return format!("Read {} rows.", preview.n_rows);
    };
    let left_out: usize = report.left_out.iter().map(|left| left.rows).sum();
    let left = match left_out {
        0 => String::new(),
        1 => " 1 row was left out; the roll-up report says why.".to_owned(),
        n => format!(" {n} rows were left out; the roll-up report says why."),
    };
    format!(
        "Rolled {} transactions up into {} customers.{left}",
        report.rows_used, report.customers
    )
}

/// The settings of the form, or what to fix: the repeat-purchase window must be a whole number of days.
pub fn rollup_settings(
    columns: LogColumns,
    as_of: &str,
    repeat: &str,
) -> Result<RollupSettings, String> {
    let repeat = repeat.trim();
    let repeat_within = if repeat.is_empty() {
        None
    } else {
        match repeat.parse::<u32>() {
            Ok(days) if days > 0 => Some(days),
            _ => {
                return Err(format!(
                    "The repeat-purchase window {repeat:?} is not a whole number of days: write one such as 90, or leave it empty for no target."
                ))
            }
        }
    };
    let as_of = as_of.trim();
    Ok(RollupSettings {
        columns,
        as_of: (!as_of.is_empty()).then(|| as_of.to_owned()),
        repeat_within,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> LogColumns {
        LogColumns {
            customer: "customer_id".into(),
            date: "date".into(),
            amount: Some("amount".into()),
            quantity: None,
        }
    }

    #[test]
    fn empty_fields_mean_the_logs_last_date_and_no_target() {
        let settings = rollup_settings(columns(), " ", "").unwrap();
        assert_eq!(settings.as_of, None);
        assert_eq!(settings.repeat_within, None);
        let settings = rollup_settings(columns(), "1997-06-30", " 90 ").unwrap();
        assert_eq!(settings.as_of.as_deref(), Some("1997-06-30"));
        assert_eq!(settings.repeat_within, Some(90));
    }

    #[test]
    fn a_repeat_window_that_is_not_a_whole_number_of_days_is_refused_with_the_value() {
        for bad in ["ninety", "0", "-5", "2.5"] {
            let refusal = rollup_settings(columns(), "", bad).unwrap_err();
            assert!(refusal.contains(&format!("{bad:?}")), "{refusal}");
            assert!(refusal.contains("such as 90"), "{refusal}");
        }
    }
}
