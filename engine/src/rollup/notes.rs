//! The roll-up report in a marketer's words.

use super::{LeftOutReason, RollupReport};

impl RollupReport {
    /// One sentence per thing the user should know about the roll-up, in a marketer's words, with the
    /// numbers and the file lines.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let as_of = if self.as_of_given {
            format!("as of {}", self.as_of)
        } else if self.holdout.is_some() {
            format!(
                "as of {} (the log's last date minus the repeat-purchase window)",
                self.as_of
            )
        } else {
            format!("as of {} (the log's last date)", self.as_of)
        };
        notes.push(format!(
            "rolled {} of the log's {} rows up into {} customers, {as_of}",
            self.rows_used, self.rows_in_log, self.customers
        ));
        for left in &self.left_out {
            let lines = list(&left.first_lines, left.rows);
            let (what, remedy) = match left.reason {
                LeftOutReason::NoCustomer => ("no customer id".to_owned(), ""),
                LeftOutReason::NoDate => ("no date".to_owned(), ""),
                LeftOutReason::UnreadableDate => (
                    "a date that cannot be read".to_owned(),
                    "; fix those dates to include them",
                ),
                LeftOutReason::AfterAsOf => (
                    format!(
                        "a date after {}{}",
                        self.as_of,
                        self.holdout.as_ref().map_or(String::new(), |h| format!(
                            " and its {}-day repeat-purchase window",
                            h.within_days
                        ))
                    ),
                    "; choose a later as-of date to include them",
                ),
                LeftOutReason::NewAfterCutoff => (
                    format!(
                        "customers whose first purchase came after {} (not yet customers on that date)",
                        self.as_of
                    ),
                    "",
                ),
            };
            notes.push(format!(
                "left out {} row{} with {what} (line{} {lines}){remedy}",
                left.rows,
                plural(left.rows),
                plural(left.rows)
            ));
        }
        if self.refunds.rows > 0 {
            notes.push(format!(
                "{} row{} with a negative amount (refunds, {:.2} in all): subtracted from the customer's total \
                 spend and not counted as orders (line{} {})",
                self.refunds.rows,
                plural(self.refunds.rows),
                self.refund_total,
                plural(self.refunds.rows),
                list(&self.refunds.first_lines, self.refunds.rows)
            ));
        }
        for (flawed, what) in [
            (&self.missing_amounts, "no amount"),
            (&self.unreadable_amounts, "an amount that cannot be read"),
        ] {
            if flawed.rows > 0 {
                notes.push(format!(
                    "{} order{} with {what}: counted as orders, adding nothing to spend (line{} {})",
                    flawed.rows,
                    plural(flawed.rows),
                    plural(flawed.rows),
                    list(&flawed.first_lines, flawed.rows)
                ));
            }
        }
        if let Some((id, rows)) = &self.largest_customer {
            notes.push(format!(
                "customer {id} has {rows} of the {} rows ({:.1}%); check that it is a real customer and not a test \
                 or default account",
                self.rows_used,
                100.0 * *rows as f64 / self.rows_used as f64
            ));
        }
        if let Some(h) = &self.holdout {
            notes.push(format!(
                "repeat_purchase: {} of {} customers ({:.1}%) bought again within {} days after {}",
                h.repeat_customers,
                self.customers,
                100.0 * h.repeat_customers as f64 / self.customers.max(1) as f64,
                h.within_days,
                self.as_of
            ));
            if h.days_observed < i64::from(h.within_days) {
                notes.push(format!(
                    "the log ends {} days after {}, fewer than the {}-day window: some customers may still buy again; \
                     choose an earlier as-of date for a complete window",
                    h.days_observed.max(0),
                    self.as_of,
                    h.within_days
                ));
            }
        }
        if !self.columns_not_carried.is_empty() {
            notes.push(format!(
                "not carried into the customer table: {} (numbers other than the amount and quantity, columns \
                 with more distinct values than shares can show, or share columns past the memory budget)",
                self.columns_not_carried.join(", ")
            ));
        }
        notes
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// "3, 6, 9" or "3, 6, 9, … (12 in all)".
fn list(lines: &[u64], total: usize) -> String {
    let shown: Vec<String> = lines.iter().map(u64::to_string).collect();
    if total > shown.len() {
        format!("{}, … ({total} in all)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
