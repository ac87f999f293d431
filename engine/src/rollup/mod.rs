//! Transaction logs → one row per customer: recency, frequency and value, RFM scores and named groups.
//!
//! A marketer's most common export is an order history, one row per purchase. [`detect_log`] recognises
//! one (a repeated customer column, a date column and an amount column), and [`roll_up`] turns it into a
//! customer [`Table`] that the rest of the pipeline (encode → segment → personas) reads like any other.
//!
//! # The customer table
//! One row per customer (distinct trimmed text of the customer column, so `00123` and `123` are two
//! customers), in order of first appearance in the log. Columns, in this order:
//!
//! | column | meaning |
//! |---|---|
//! | `customer` | the customer id, exactly as written in the log |
//! | `first_purchase`, `last_purchase` | dates (`YYYY-MM-DD`) of the first row and of the last order |
//! | `recency_days` | days from the last order to the as-of date |
//! | `tenure_days` | days from the first row to the as-of date |
//! | `orders` | rows that are not refunds (a row without an amount is an order) |
//! | `purchase_days` | distinct days with an order |
//! | `total_spend` | sum of all amounts, refunds subtracted (with an amount column) |
//! | `average_order_value` | orders' amounts (refunds left out) ÷ orders with an amount; empty if none |
//! | `refunds`, `refund_amount` | rows with a negative amount, and their total as a positive number |
//! | `quantity` | sum of the quantity column (with one; missing quantities add nothing) |
//! | `share_<column>_<value>` | for each other column with at most [`RollupOptions::max_levels`] values (channel, category), in table order while customers × (values + 1) summed over these columns stays within 2 per log row (or 2^20): the share of the customer's rows with that value (`share_<column>_missing` for rows without one) |
//! | `r_score`, `f_score`, `m_score` | 1–5 by quintile of recency, orders and total spend (purchase days without an amount column); rule in [`quintile_scores`] |
//! | `rfm_score` | the three digits, e.g. `545` |
//! | `rfm_group` | the named group, grid in [`RfmGroup::of`] |
//! | `repeat_purchase` | with [`RollupOptions::repeat_within`]: `yes` when the customer has a row that is not a refund within that many days after the as-of date |
//!
//! # The as-of date and the holdout window
//! Recency and tenure are counted to the as-of date: [`RollupOptions::as_of`], by default the log's last
//! readable date. With a repeat-purchase target of `N` days and no as-of date, the as-of date (the cut-off)
//! is the last date minus `N`. Rows after the cut-off and within `N` days of it only feed
//! `repeat_purchase`; the customer table describes each customer as of the cut-off.
//!
//! # Bad input: each row is used or left out for a stated reason
//! - no customer id (empty or a missing marker): left out, counted, first lines listed;
//! - no date, or a date that cannot be read: left out, counted, lines listed;
//! - dated after the as-of date (beyond the holdout window, with a target): left out, counted;
//! - in the holdout window, for a customer with no row before the cut-off: left out (not a customer as of
//!   the cut-off), counted;
//! - negative amounts (refunds): kept; subtracted from `total_spend`, counted in `refunds`, not orders;
//! - missing or unreadable amounts: the row is still an order, adding nothing to spend; counted, lines
//!   listed;
//! - one customer holding more than 10% of the rows (and at least 100 rows): kept, and named in the
//!   report (a test or default account is a common cause).
//!
//! Always `rows_in_log == rows_used + rows_in_window + Σ left_out`; [`RollupReport::notes`] says all of it
//! in a marketer's words.
//!
//! # Example
//! ```
//! use audience_engine::ingest::{read_table, IngestOptions};
//! use audience_engine::rollup::{detect_log, roll_up, RollupOptions};
//!
//! let log = "customer,date,amount\nA,2024-01-01,10\nB,2024-01-05,30\nA,2024-01-10,20\nA,2024-01-10,-5\n";
//! let ingested = read_table(log.as_bytes(), &IngestOptions::default()).unwrap();
//! let columns = detect_log(&ingested.table).columns().unwrap();
//! let rollup = roll_up(&ingested.table, &ingested.report.row_lines, &RollupOptions::new(columns)).unwrap();
//! let customers = &rollup.table;
//! assert_eq!(customers.n_rows(), 2);
//! let a = |name: &str| customers.column(name).unwrap().text(0).to_owned();
//! assert_eq!(a("recency_days"), "0");     // as of 2024-01-10, the log's last date
//! assert_eq!(a("orders"), "2");           // the refund is not an order
//! assert_eq!(a("total_spend"), "25.00");  // 10 + 20 − 5
//! assert_eq!(a("refunds"), "1");
//! assert_eq!(rollup.report.rows_used, 4);
//! ```

mod build;
mod detect;
mod notes;
mod score;

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use detect::{detect_log, Detected, LogColumns, LogDetection};
pub use score::{quintile_scores, RfmGroup};

use crate::ingest::{
    iso_date, retype, IngestError, IngestOptions, RowLines, DEFAULT_MISSING_MARKERS,
};
use crate::table::{Column, ColumnError, ColumnType, Table, TableError};
use build::{column, number_text, numbers};

/// Share columns are made while their counters (customers × (values + 1)) stay within this many per log
/// row…
const SHARE_COUNTERS_PER_ROW: usize = 2;
/// …or this many in all, whichever is more.
const MIN_SHARE_COUNTERS: usize = 1 << 20;
/// Line numbers listed per reason.
const LISTED_LINES: usize = 10;
/// Share of the rows above which one customer is named in the report…
const LARGE_CUSTOMER_SHARE: f64 = 0.10;
/// …when it has at least this many rows.
const LARGE_CUSTOMER_ROWS: usize = 100;

/// How to roll a log up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollupOptions {
    /// Which columns hold the customer, date, amount and quantity.
    pub columns: LogColumns,
    /// The as-of date (days since 1970-01-01); `None` for the log's last date (minus the holdout window).
    pub as_of: Option<i64>,
    /// Add `repeat_purchase`: bought again within this many days after the as-of date.
    pub repeat_within: Option<u32>,
    /// Other columns with at most this many distinct values become `share_…` columns.
    pub max_levels: usize,
}

impl RollupOptions {
    /// Options for `columns`: as of the log's last date, no target, share columns for up to 12 values.
    pub fn new(columns: LogColumns) -> Self {
        RollupOptions {
            columns,
            as_of: None,
            repeat_within: None,
            max_levels: 12,
        }
    }
}

/// Why a log could not be rolled up. Messages name the numbers involved.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RollupError {
    /// A named column is not in the table.
    #[error("there is no column {name:?} for the {role}; the file's columns are: {available}")]
    UnknownColumn {
        /// customer, date, amount or quantity.
        role: &'static str,
        /// The name given.
        name: String,
        /// The table's column names, comma-separated.
        available: String,
    },
    /// One column was given two roles.
    #[error("{name:?} cannot be both the {first} and the {second} column; pick a different column for one of them")]
    SameColumn {
        /// Column name.
        name: String,
        /// First role.
        first: &'static str,
        /// Second role.
        second: &'static str,
    },
    /// The date column holds no readable date.
    #[error("the {role} column {column:?} does not read as {what} (values such as {examples}); pick another column")]
    WrongKind {
        /// date, amount or quantity.
        role: &'static str,
        /// Column name.
        column: String,
        /// "dates" or "numbers".
        what: &'static str,
        /// A few values.
        examples: String,
    },
    /// Every row was left out.
    #[error(
        "none of the {rows} rows can be rolled up: {no_customer} have no customer id, {no_date} no readable \
         date, and {after} are dated after the as-of date {as_of}; check the column choices and the as-of date"
    )]
    NoCustomers {
        /// Rows in the log.
        rows: usize,
        /// Rows without a customer id.
        no_customer: usize,
        /// Rows without a readable date.
        no_date: usize,
        /// Rows after the as-of date.
        after: usize,
        /// The as-of date (`YYYY-MM-DD`), or "none" without any readable date.
        as_of: String,
    },
    /// The customer table could not be assembled (a bug; the message says where).
    #[error("cannot build the customer table: {0}")]
    Column(#[from] ColumnError),
    /// As [`RollupError::Column`].
    #[error("cannot build the customer table: {0}")]
    Table(#[from] TableError),
    /// As [`RollupError::Column`].
    #[error("cannot build the customer table: {0}")]
    Ingest(#[from] IngestError),
}

/// Why rows were left out of the customer table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOutReason {
    /// The customer cell is empty or a missing marker.
    NoCustomer,
    /// The date cell is empty or a missing marker.
    NoDate,
    /// The date cell holds text that does not read as a date.
    UnreadableDate,
    /// Dated after the as-of date (and after the holdout window, with a target).
    AfterAsOf,
    /// In the holdout window, for a customer with no row up to the as-of date.
    NewAfterCutoff,
}

/// Rows left out for one reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    /// Why.
    pub reason: LeftOutReason,
    /// How many rows.
    pub rows: usize,
    /// The file lines of the first few (up to 10).
    pub first_lines: Vec<u64>,
}

/// Rows kept with a flaw, counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Flawed {
    /// How many rows.
    pub rows: usize,
    /// The file lines of the first few (up to 10).
    pub first_lines: Vec<u64>,
}

impl Flawed {
    fn add(&mut self, line: u64) {
        self.rows += 1;
        if self.first_lines.len() < LISTED_LINES {
            self.first_lines.push(line);
        }
    }
}

/// The repeat-purchase target's window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Holdout {
    /// Days after the as-of date.
    pub within_days: u32,
    /// Rows in the window of customers in the table.
    pub rows: usize,
    /// Customers who bought again in the window.
    pub repeat_customers: usize,
    /// Days the log runs past the as-of date (less than `within_days`: the window is incomplete).
    pub days_observed: i64,
}

/// How a log was rolled up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollupReport {
    /// The columns used.
    pub columns: LogColumns,
    /// The as-of date, `YYYY-MM-DD`.
    pub as_of: String,
    /// Whether the as-of date was given (otherwise the log's last date, minus the window).
    pub as_of_given: bool,
    /// Rows of the log.
    pub rows_in_log: usize,
    /// Rows rolled into the customer table (up to the as-of date).
    pub rows_used: usize,
    /// Rows that only fed the repeat-purchase target.
    pub rows_in_window: usize,
    /// Customers in the table.
    pub customers: usize,
    /// Rows left out, by reason (only reasons with rows).
    pub left_out: Vec<LeftOut>,
    /// Rows with a negative amount (refunds): kept, subtracted from spend.
    pub refunds: Flawed,
    /// Their total, as a positive number.
    pub refund_total: f64,
    /// Rows without an amount: kept as orders adding nothing to spend.
    pub missing_amounts: Flawed,
    /// Rows whose amount does not read as a number: kept as orders adding nothing to spend.
    pub unreadable_amounts: Flawed,
    /// The customer with the most rows, and how many, when above 10% of the rows used and at least 100.
    pub largest_customer: Option<(String, usize)>,
    /// The repeat-purchase window, with a target.
    pub holdout: Option<Holdout>,
    /// Columns turned into `share_…` columns.
    pub share_columns: Vec<String>,
    /// Other columns not carried into the customer table (too many values, or numbers).
    pub columns_not_carried: Vec<String>,
}

/// A customer table and the report of how it was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// One row per customer (columns in the module docs).
    pub table: Table,
    /// What was used, left out and why.
    pub report: RollupReport,
}

/// Where each row went.
enum Row {
    Feature,
    Window,
    Out(LeftOutReason),
}

fn find<'a>(table: &'a Table, role: &'static str, name: &str) -> Result<&'a Column, RollupError> {
    table
        .column(name)
        .ok_or_else(|| RollupError::UnknownColumn {
            role,
            name: name.to_owned(),
            available: table
                .columns()
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The column read as `to`, or [`RollupError::WrongKind`].
fn as_type<'a>(
    column: &'a Column,
    role: &'static str,
    to: ColumnType,
) -> Result<Cow<'a, Column>, RollupError> {
    if column.column_type() == to {
        return Ok(Cow::Borrowed(column));
    }
    retype(column, to, &IngestOptions::default())
        .map(Cow::Owned)
        .map_err(|_| RollupError::WrongKind {
            role,
            column: column.name.clone(),
            what: if to == ColumnType::Date {
                "dates"
            } else {
                "numbers"
            },
            examples: column
                .dictionary()
                .iter()
                .take(3)
                .map(|t| format!("{t:?}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn is_marker(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || DEFAULT_MISSING_MARKERS.contains(&t)
}

/// Per-customer running totals.
#[derive(Clone, Default)]
struct Totals {
    rows: usize,
    first: i64,
    last_any: i64,
    last_order: Option<i64>,
    /// The day of the last order key pushed (consecutive same-day orders push one key).
    last_day_pushed: Option<i64>,
    orders: usize,
    days: usize,
    net: f64,
    gross: f64,
    with_amount: usize,
    refunds: usize,
    refund_amount: f64,
    quantity: f64,
}

/// What [`add_row`] made of a row.
enum Added {
    /// A refund of this (positive) amount.
    Refund(f64),
    /// An order: whether its day needs a purchase-day key, and whether its amount is missing or unreadable.
    Order { new_day: bool, missing: bool },
}

/// Adds a used row dated `day` with `amount` (`None`: no amount column; `Some(None)`: no readable amount).
fn add_row(t: &mut Totals, day: i64, amount: Option<Option<f64>>) -> Added {
    if t.rows == 0 {
        t.first = day;
        t.last_any = day;
    }
    t.rows += 1;
    t.first = t.first.min(day);
    t.last_any = t.last_any.max(day);
    if let Some(Some(v)) = amount {
        if v < 0.0 {
            t.refunds += 1;
            t.refund_amount -= v;
            t.net += v;
            return Added::Refund(-v);
        }
        t.net += v;
        t.gross += v;
        t.with_amount += 1;
    }
    t.orders += 1;
    t.last_order = Some(t.last_order.map_or(day, |last| last.max(day)));
    let new_day = t.last_day_pushed != Some(day);
    t.last_day_pushed = Some(day);
    Added::Order {
        new_day,
        missing: matches!(amount, Some(None)),
    }
}

/// Rolls a transaction log up to one row per customer (see the module docs for every column and rule).
///
/// `row_lines` gives the file line of each table row ([`IngestReport::row_lines`](crate::ingest::IngestReport::row_lines)),
/// used to name lines in the report; rows it does not cover are named by `row + 2` (a header line, then one
/// line per row).
///
/// # Errors
/// [`RollupError`] when a column is unknown or given two roles, the date or amount column does not read
/// as dates or numbers, or no row can be used.
pub fn roll_up(
    table: &Table,
    row_lines: &RowLines,
    options: &RollupOptions,
) -> Result<Rollup, RollupError> {
    let cols = &options.columns;
    let customer = find(table, "customer", &cols.customer)?;
    let date = find(table, "date", &cols.date)?;
    let amount = cols
        .amount
        .as_deref()
        .map(|n| find(table, "amount", n))
        .transpose()?;
    let quantity = cols
        .quantity
        .as_deref()
        .map(|n| find(table, "quantity", n))
        .transpose()?;
    let roles: Vec<(&'static str, &str)> = [
        ("customer", Some(cols.customer.as_str())),
        ("date", Some(cols.date.as_str())),
        ("amount", cols.amount.as_deref()),
        ("quantity", cols.quantity.as_deref()),
    ]
    .into_iter()
    .filter_map(|(role, name)| name.map(|n| (role, n)))
    .collect();
    for (i, (first, a)) in roles.iter().enumerate() {
        if let Some((second, _)) = roles[i + 1..].iter().find(|(_, b)| b == a) {
            return Err(RollupError::SameColumn {
                name: (*a).to_owned(),
                first,
                second,
            });
        }
    }
    let date = as_type(date, "date", ColumnType::Date)?;
    let amount = amount
        .map(|c| as_type(c, "amount", ColumnType::Numeric))
        .transpose()?;
    let quantity = quantity
        .map(|c| as_type(c, "quantity", ColumnType::Numeric))
        .transpose()?;
    let n = table.n_rows();
    let line = |row: usize| row_lines.line(row).unwrap_or(row as u64 + 2);

    // Customers: one group per distinct trimmed text, in first-seen order.
    let mut group_of_entry: Vec<Option<u32>> = vec![None; customer.dictionary().len()];
    let mut customer_ids: Vec<String> = Vec::new();
    {
        let mut index: FxHashMap<&str, u32> = FxHashMap::default();
        let mut seen = vec![false; customer.dictionary().len()];
        for code in customer.codes() {
            let entry = code as usize;
            if seen[entry] {
                continue;
            }
            seen[entry] = true;
            let text = &customer.dictionary()[entry];
            if is_marker(text) {
                continue;
            }
            let group = *index.entry(text.trim()).or_insert_with(|| {
                customer_ids.push(text.trim().to_owned());
                (customer_ids.len() - 1) as u32
            });
            group_of_entry[entry] = Some(group);
        }
    }

    let last_date = (0..n)
        .filter_map(|r| date.number(r))
        .fold(None::<f64>, |m, d| Some(m.map_or(d, |m| m.max(d))));
    let window = options.repeat_within.map(i64::from);
    let as_of = match (options.as_of, last_date) {
        (Some(day), _) => Some(day),
        (None, Some(last)) => Some(last as i64 - window.unwrap_or(0)),
        (None, None) => None,
    };

    let mut left: Vec<LeftOut> = Vec::new();
    let mut leave = |reason: LeftOutReason, line: u64| {
        let entry = match left.iter().position(|l| l.reason == reason) {
            Some(i) => &mut left[i],
            None => {
                left.push(LeftOut {
                    reason,
                    rows: 0,
                    first_lines: Vec::new(),
                });
                left.last_mut().unwrap()
            }
        };
        entry.rows += 1;
        if entry.first_lines.len() < LISTED_LINES {
            entry.first_lines.push(line);
        }
    };
    // Share columns: other columns with few values.
    let taken: Vec<&str> = roles.iter().map(|(_, n)| *n).collect();
    let mut share_sources: Vec<&Column> = Vec::new();
    let mut columns_not_carried = Vec::new();
    // Counters (one per customer and value) are kept within a budget, so memory stays proportional to the log.
    let budget = (SHARE_COUNTERS_PER_ROW * n).max(MIN_SHARE_COUNTERS);
    let mut counters = 0;
    for column in table.columns() {
        if taken.contains(&column.name.as_str()) {
            continue;
        }
        let slots = customer_ids.len() * (column.levels().len() + 1);
        if column.column_type().has_levels()
            && column.levels().len() <= options.max_levels
            && counters + slots <= budget
        {
            counters += slots;
            share_sources.push(column);
        } else {
            columns_not_carried.push(column.name.clone());
        }
    }

    // One pass over the rows: each is used (added to its customer's totals), in the holdout window, or
    // left out. Nothing is kept per row but (customer, day) keys of orders, for distinct purchase days.
    let groups = customer_ids.len();
    let mut totals: Vec<Totals> = vec![Totals::default(); groups];
    // Level counts per customer, per share column (one more slot for missing).
    let mut level_counts: Vec<Vec<u32>> = share_sources
        .iter()
        .map(|c| vec![0; groups * (c.levels().len() + 1)])
        .collect();
    let mut refunds = Flawed::default();
    let mut refund_total = 0.0;
    let mut missing_amounts = Flawed::default();
    let mut unreadable_amounts = Flawed::default();
    let mut order_days: Vec<u64> = Vec::new();
    let mut rows_used = 0;
    // (customer, row, is a purchase) of the window's rows.
    let mut in_window: Vec<(u32, u32, bool)> = Vec::new();
    let (mut no_customer, mut no_date, mut after) = (0, 0, 0);
    for row in 0..n {
        let outcome = match group_of_entry[customer.code(row) as usize] {
            None => Row::Out(LeftOutReason::NoCustomer),
            Some(group) => match (date.number(row), as_of) {
                (None, _) | (_, None) => {
                    if is_marker(date.text(row)) {
                        Row::Out(LeftOutReason::NoDate)
                    } else {
                        Row::Out(LeftOutReason::UnreadableDate)
                    }
                }
                (Some(day), Some(as_of)) => {
                    let day = day as i64;
                    if day <= as_of {
                        rows_used += 1;
                        let order = add_row(
                            &mut totals[group as usize],
                            day,
                            amount.as_ref().map(|a| a.number(row)),
                        );
                        match order {
                            Added::Refund(v) => {
                                refund_total += v;
                                refunds.add(line(row));
                            }
                            Added::Order { new_day, missing } => {
                                if new_day {
                                    order_days.push(
                                        (u64::from(group) << 32)
                                            | u64::from((day + (1 << 31)) as u32),
                                    );
                                }
                                if missing {
                                    let a = amount.as_ref().expect("an amount column");
                                    if is_marker(a.text(row)) {
                                        missing_amounts.add(line(row));
                                    } else {
                                        unreadable_amounts.add(line(row));
                                    }
                                }
                            }
                        }
                        if let Some(q) = quantity.as_ref().and_then(|q| q.number(row)) {
                            totals[group as usize].quantity += q;
                        }
                        for (source, counts) in share_sources.iter().zip(&mut level_counts) {
                            let width = source.levels().len() + 1;
                            let slot = source.level(row).map_or(width - 1, |level| level as usize);
                            counts[group as usize * width + slot] += 1;
                        }
                        Row::Feature
                    } else if window.is_some_and(|w| day <= as_of + w) {
                        let refund = amount
                            .as_ref()
                            .and_then(|a| a.number(row))
                            .is_some_and(|v| v < 0.0);
                        in_window.push((group, row as u32, !refund));
                        Row::Window
                    } else {
                        Row::Out(LeftOutReason::AfterAsOf)
                    }
                }
            },
        };
        if let Row::Out(reason) = outcome {
            match reason {
                LeftOutReason::NoCustomer => no_customer += 1,
                LeftOutReason::AfterAsOf => after += 1,
                _ => no_date += 1,
            }
            leave(reason, line(row));
        }
    }
    if rows_used == 0 {
        return Err(RollupError::NoCustomers {
            rows: n,
            no_customer,
            no_date,
            after,
            as_of: as_of.map_or_else(|| "none".to_owned(), iso_date),
        });
    }
    // Distinct purchase days per customer.
    order_days.sort_unstable();
    order_days.dedup();
    for key in order_days {
        totals[(key >> 32) as usize].days += 1;
    }

    // Customers in the table: those with a row up to the as-of date.
    let present: Vec<usize> = (0..groups).filter(|&g| totals[g].rows > 0).collect();
    let mut repeat = vec![false; groups];
    let mut rows_in_window = 0;
    for &(group, row, purchase) in &in_window {
        if totals[group as usize].rows > 0 {
            repeat[group as usize] |= purchase;
            rows_in_window += 1;
        } else {
            leave(LeftOutReason::NewAfterCutoff, line(row as usize));
        }
    }
    let as_of = as_of.expect("rows were used, so there is an as-of date");

    // The customer table.
    let count = present.len();
    let mut out: Vec<Column> = Vec::new();
    let texts = |f: &dyn Fn(&Totals) -> String| -> Vec<String> {
        present.iter().map(|&g| f(&totals[g])).collect()
    };
    out.push(column(
        "customer",
        ColumnType::Identifier,
        present.iter().map(|&g| customer_ids[g].clone()).collect(),
    )?);
    out.push(column(
        "first_purchase",
        ColumnType::Date,
        texts(&|t| iso_date(t.first)),
    )?);
    let last = |t: &Totals| t.last_order.unwrap_or(t.last_any);
    out.push(column(
        "last_purchase",
        ColumnType::Date,
        texts(&|t| iso_date(last(t))),
    )?);
    let recency: Vec<f64> = present
        .iter()
        .map(|&g| (as_of - last(&totals[g])) as f64)
        .collect();
    out.push(numbers("recency_days", &recency, 0)?);
    out.push(column(
        "tenure_days",
        ColumnType::Numeric,
        texts(&|t| (as_of - t.first).to_string()),
    )?);
    let orders: Vec<f64> = present.iter().map(|&g| totals[g].orders as f64).collect();
    out.push(numbers("orders", &orders, 0)?);
    let days: Vec<f64> = present.iter().map(|&g| totals[g].days as f64).collect();
    out.push(numbers("purchase_days", &days, 0)?);
    let monetary: Vec<f64> = if amount.is_some() {
        let spend: Vec<f64> = present.iter().map(|&g| totals[g].net).collect();
        out.push(numbers("total_spend", &spend, 2)?);
        out.push(column(
            "average_order_value",
            ColumnType::Numeric,
            texts(&|t| {
                if t.with_amount == 0 {
                    String::new()
                } else {
                    format!("{:.2}", t.gross / t.with_amount as f64)
                }
            }),
        )?);
        out.push(column(
            "refunds",
            ColumnType::Numeric,
            texts(&|t| t.refunds.to_string()),
        )?);
        out.push(column(
            "refund_amount",
            ColumnType::Numeric,
            texts(&|t| format!("{:.2}", t.refund_amount)),
        )?);
        spend
    } else {
        days.clone()
    };
    if quantity.is_some() {
        out.push(column(
            "quantity",
            ColumnType::Numeric,
            texts(&|t| number_text(t.quantity, None)),
        )?);
    }
    let mut share_columns = Vec::new();
    for (source, counts) in share_sources.iter().zip(&level_counts) {
        let width = source.levels().len() + 1;
        let any_missing = present.iter().any(|&g| counts[g * width + width - 1] > 0);
        share_columns.push(source.name.clone());
        for slot in 0..width {
            let label = match source.levels().get(slot) {
                Some(level) => level.label.as_str(),
                None if any_missing => "missing",
                None => continue,
            };
            let values: Vec<f64> = present
                .iter()
                .map(|&g| f64::from(counts[g * width + slot]) / totals[g].rows as f64)
                .collect();
            out.push(numbers(
                &format!("share_{}_{label}", source.name),
                &values,
                3,
            )?);
        }
    }
    let r = quintile_scores(&recency, false);
    let f = quintile_scores(&orders, true);
    let m = quintile_scores(&monetary, true);
    let score = |s: &[u8]| s.iter().map(|v| v.to_string()).collect::<Vec<_>>();
    out.push(column("r_score", ColumnType::Numeric, score(&r))?);
    out.push(column("f_score", ColumnType::Numeric, score(&f))?);
    out.push(column("m_score", ColumnType::Numeric, score(&m))?);
    out.push(column(
        "rfm_score",
        ColumnType::Categorical,
        (0..count)
            .map(|i| format!("{}{}{}", r[i], f[i], m[i]))
            .collect(),
    )?);
    out.push(column(
        "rfm_group",
        ColumnType::Categorical,
        (0..count)
            .map(|i| RfmGroup::of(r[i], f[i], m[i]).label().to_owned())
            .collect(),
    )?);
    let holdout = window.map(|w| Holdout {
        within_days: w as u32,
        rows: rows_in_window,
        repeat_customers: present.iter().filter(|&&g| repeat[g]).count(),
        days_observed: last_date.map_or(0, |l| l as i64 - as_of),
    });
    if window.is_some() {
        out.push(column(
            "repeat_purchase",
            ColumnType::Binary,
            present
                .iter()
                .map(|&g| if repeat[g] { "yes" } else { "no" }.to_owned())
                .collect(),
        )?);
    }
    let largest_customer = present
        .iter()
        .max_by_key(|&&g| (totals[g].rows, std::cmp::Reverse(g)))
        .filter(|&&g| {
            let rows = totals[g].rows;
            rows >= LARGE_CUSTOMER_ROWS
                && rows as f64 > LARGE_CUSTOMER_SHARE * rows_used as f64
                && count > 1
        })
        .map(|&g| (customer_ids[g].clone(), totals[g].rows));
    let report = RollupReport {
        columns: cols.clone(),
        as_of: iso_date(as_of),
        as_of_given: options.as_of.is_some(),
        rows_in_log: n,
        rows_used,
        rows_in_window,
        customers: count,
        left_out: left,
        refunds,
        refund_total,
        missing_amounts,
        unreadable_amounts,
        largest_customer,
        holdout,
        share_columns,
        columns_not_carried,
    };
    Ok(Rollup {
        table: Table::new(out)?,
        report,
    })
}

/// For each row of `log`, the row of its customer in `customers` (a table made by [`roll_up`] from that
/// log with `customer_column` as the customer), so each transaction can carry its customer's segment.
/// `None` for a row whose customer is not in the table (no id, or no row up to the as-of date); a row left
/// out only for its own date still maps to its customer.
///
/// # Errors
/// [`RollupError::UnknownColumn`] when either table lacks its customer column.
///
/// # Example
/// ```
/// use audience_engine::ingest::{read_table, IngestOptions};
/// use audience_engine::rollup::{customer_rows, detect_log, roll_up, RollupOptions};
///
/// let log = read_table(b"customer,date,amount\nB,2024-01-02,5\nA,2024-01-01,3\nB,2024-01-03,1\n,2024-01-03,1\n",
///     &IngestOptions::default()).unwrap();
/// let columns = detect_log(&log.table).columns().unwrap();
/// let customers = roll_up(&log.table, &log.report.row_lines, &RollupOptions::new(columns)).unwrap().table;
/// let rows = customer_rows(&log.table, &customers, "customer").unwrap();
/// assert_eq!(rows, [Some(0), Some(1), Some(0), None]);
/// ```
pub fn customer_rows(
    log: &Table,
    customers: &Table,
    customer_column: &str,
) -> Result<Vec<Option<usize>>, RollupError> {
    let column = find(log, "customer", customer_column)?;
    let ids = find(customers, "customer", "customer")?;
    let index: FxHashMap<&str, usize> = (0..customers.n_rows())
        .map(|row| (ids.text(row).trim(), row))
        .collect();
    let of_entry: Vec<Option<usize>> = column
        .dictionary()
        .iter()
        .map(|text| index.get(text.trim()).copied())
        .collect();
    Ok(column
        .codes()
        .iter()
        .map(|code| of_entry[code as usize])
        .collect())
}
