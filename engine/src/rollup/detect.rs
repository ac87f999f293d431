//! Recognising a transaction log: one row per purchase, with a repeated customer column, a date column
//! and an amount column.
//!
//! # Rules
//! - **Customer**: a column that is not a date, with at least two distinct values, fewer distinct values
//!   than rows (someone bought twice), and either a customer-like name (`customer`, `client`, `user`,
//!   `member`, `account`, `buyer`, `shopper`, `cust`; confidence 0.9), an id-like name (`id`, `…_id`,
//!   `…ID`; 0.6), or identifier type (0.5). The highest confidence wins, then more distinct values.
//! - **Date**: a date column; 0.9 with a date-like name (`date`, `time`, `day`, `when`, `order`,
//!   `purchase`), 0.7 otherwise. The highest confidence wins, then more distinct days.
//! - **Amount**: a numeric column other than the customer's; 0.9 with an amount-like name (`amount`,
//!   `total`, `price`, `revenue`, `value`, `sales`, `spend`, `paid`, `net`, `gross`, `sum`, `dollar`),
//!   0.5 when some values have decimals (money) and the name does not read as a count. Highest wins.
//! - **Quantity** (optional): a numeric column named like `qty`, `quantity`, `units`, `items`.
//!
//! The file is a log when customer, date and amount are all found; its confidence is the smallest of the
//! three.

use serde::{Deserialize, Serialize};

use crate::ingest::trim::trim;
use crate::table::{Cell, Column, ColumnType, Table};

/// The columns of a transaction log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogColumns {
    /// The customer id column (one customer per distinct trimmed text).
    pub customer: String,
    /// The purchase date column.
    pub date: String,
    /// The amount column (refunds are negative), if any.
    pub amount: Option<String>,
    /// The quantity column, if any.
    pub quantity: Option<String>,
}

/// One detected column: its name, how sure the detection is (0–1) and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detected {
    /// Column name.
    pub column: String,
    /// 0–1.
    pub confidence: f64,
    /// A sentence for the user, with the numbers.
    pub reason: String,
}

/// What [`detect_log`] found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogDetection {
    /// The customer column, if any.
    pub customer: Option<Detected>,
    /// The date column, if any.
    pub date: Option<Detected>,
    /// The amount column, if any.
    pub amount: Option<Detected>,
    /// The quantity column, if any.
    pub quantity: Option<Detected>,
}

impl LogDetection {
    /// Whether customer, date and amount were all found.
    pub fn is_log(&self) -> bool {
        self.customer.is_some() && self.date.is_some() && self.amount.is_some()
    }

    /// The smallest confidence of customer, date and amount (0 when one is missing).
    pub fn confidence(&self) -> f64 {
        [&self.customer, &self.date, &self.amount]
            .iter()
            .map(|d| d.as_ref().map_or(0.0, |d| d.confidence))
            .fold(1.0, f64::min)
    }

    /// The detected columns, when the file is a log.
    pub fn columns(&self) -> Option<LogColumns> {
        Some(LogColumns {
            customer: self.customer.as_ref()?.column.clone(),
            date: self.date.as_ref()?.column.clone(),
            amount: Some(self.amount.as_ref()?.column.clone()),
            quantity: self.quantity.as_ref().map(|q| q.column.clone()),
        })
    }

    /// One sentence per detected column (why it was chosen), for the read report.
    pub fn reasons(&self) -> Vec<String> {
        [&self.customer, &self.date, &self.amount, &self.quantity]
            .iter()
            .filter_map(|d| d.as_ref().map(|d| d.reason.clone()))
            .collect()
    }
}

fn name_has(name: &str, words: &[&str]) -> bool {
    let lower = name.to_lowercase();
    words.iter().any(|w| lower.contains(w))
}

fn id_like(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    lower == "id" || lower.ends_with("_id") || lower.ends_with(" id") || name.trim().ends_with("ID")
}

/// Distinct trimmed present texts of a column (every dictionary entry of a read column is used by a row).
///
/// The dictionary's entries are distinct texts, so only entries with spaces around them can trim to the
/// same text: without any, the count is the present entries' (a customer id column of a million rows
/// is then counted without a set of a million texts: 0.12 s natively before).
fn distinct(column: &Column) -> usize {
    let present = || {
        column
            .dictionary()
            .iter()
            .zip(column.cells())
            .filter(|(_, cell)| !matches!(cell, Cell::Missing))
            .map(|(text, _)| text)
    };
    if present().all(|text| trim(text).len() == text.len()) {
        return present().count();
    }
    present()
        .map(trim)
        .collect::<rustc_hash::FxHashSet<&str>>()
        .len()
}

/// Finds the customer, date, amount and quantity columns of a transaction log (rules in the module docs).
///
/// # Example
/// ```
/// use audience_engine::ingest::{read_table, IngestOptions};
/// use audience_engine::rollup::detect_log;
///
/// let log = "customer,order date,amount\nA1,2024-01-05,10.50\nB2,2024-01-06,3.20\nA1,2024-02-01,7.00\n";
/// let table = read_table(log.as_bytes(), &IngestOptions::default()).unwrap().table;
/// let detection = detect_log(&table);
/// assert!(detection.is_log());
/// let columns = detection.columns().unwrap();
/// assert_eq!((columns.customer.as_str(), columns.date.as_str()), ("customer", "order date"));
/// assert_eq!(columns.amount.as_deref(), Some("amount"));
/// ```
pub fn detect_log(table: &Table) -> LogDetection {
    let rows = table.n_rows();
    let mut customer: Option<(Detected, usize)> = None;
    let mut date: Option<(Detected, usize)> = None;
    let mut amount: Option<Detected> = None;
    let mut quantity: Option<Detected> = None;
    for column in table.columns() {
        let name = column.name.as_str();
        let ty = column.column_type();
        if ty == ColumnType::Empty {
            continue;
        }
        if ty == ColumnType::Date {
            let days = distinct(column);
            let dated = name_has(name, &["date", "time", "day", "when", "order", "purchase"]);
            let confidence = if dated { 0.9 } else { 0.7 };
            let candidate = Detected {
                column: name.to_owned(),
                confidence,
                reason: format!("{name} holds the purchase dates ({days} different days)"),
            };
            if date
                .as_ref()
                .is_none_or(|(d, n)| (confidence, days) > (d.confidence, *n))
            {
                date = Some((candidate, days));
            }
            continue;
        }
        let customer_words = [
            "customer", "client", "user", "member", "account", "buyer", "shopper", "cust",
        ];
        let confidence = if name_has(name, &customer_words) {
            0.9
        } else if id_like(name) {
            0.6
        } else if ty == ColumnType::Identifier {
            0.5
        } else {
            0.0
        };
        let d = if confidence > 0.0 {
            distinct(column)
        } else {
            0
        };
        if confidence > 0.0 && d >= 2 && d < rows {
            let candidate = Detected {
                column: name.to_owned(),
                confidence,
                reason: format!(
                    "{name} names the customer: {d} customers over {rows} rows ({:.1} rows each)",
                    rows as f64 / d as f64
                ),
            };
            if customer
                .as_ref()
                .is_none_or(|(c, n)| (confidence, d) > (c.confidence, *n))
            {
                customer = Some((candidate, d));
            }
            continue;
        }
        if ty != ColumnType::Numeric {
            continue;
        }
        if name_has(name, &["qty", "quantity", "units", "items"]) {
            if quantity.is_none() {
                quantity = Some(Detected {
                    column: name.to_owned(),
                    confidence: 0.9,
                    reason: format!("{name} holds the quantities bought"),
                });
            }
            continue;
        }
        let money = [
            "amount", "total", "price", "revenue", "value", "sales", "spend", "paid", "net",
            "gross", "sum", "dollar",
        ];
        let confidence = if name_has(name, &money) {
            0.9
        } else if column
            .cells()
            .iter()
            .any(|c| matches!(c, Cell::Number(v) if v.fract() != 0.0))
        {
            0.5
        } else {
            continue;
        };
        if amount.as_ref().is_none_or(|a| confidence > a.confidence) {
            amount = Some(Detected {
                column: name.to_owned(),
                confidence,
                reason: format!("{name} holds the amount of each purchase"),
            });
        }
    }
    LogDetection {
        customer: customer.map(|c| c.0),
        date: date.map(|d| d.0),
        amount,
        quantity,
    }
}

#[cfg(test)]
mod tests {
    use super::distinct;
    use crate::ingest::{read_table, IngestOptions};

    fn column_of(cells: &[&str]) -> crate::table::Column {
        let text = format!(
            "id,n\n{}\n",
            cells
                .iter()
                .map(|c| format!("\"{c}\",1"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let table = read_table(text.as_bytes(), &IngestOptions::default())
            .unwrap()
            .table;
        table.column("id").unwrap().clone()
    }

    #[test]
    fn distinct_counts_trimmed_present_texts_with_and_without_spaces_around_them() {
        assert_eq!(distinct(&column_of(&["A1", "B2", "A1", "C3", ""])), 3);
        // " A1" and "A1 " trim to "A1": two texts, not the four entries (besides the missing "NA").
        let spaced = column_of(&["A1", " A1", "B2", "A1 ", "B2", "NA"]);
        assert_eq!(spaced.dictionary().len(), 5);
        assert_eq!(distinct(&spaced), 2);
    }
}
