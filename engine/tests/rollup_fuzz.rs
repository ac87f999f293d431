//! Property tests for the roll-up (issue #17): on near-log text with garbage ids, dates and amounts,
//! `roll_up` never panics, every row is used, in the holdout window or left out for a counted reason, the
//! customers' orders and refunds add up to the rows used, and every score is 1–5.

use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::rollup::{roll_up, LogColumns, RollupOptions};
use proptest::prelude::*;

fn cell(choices: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(choices).prop_map(str::to_owned),
        1 => "[ -~]{0,6}".prop_map(|s| s.replace([',', '"'], "")),
    ]
}

fn log() -> impl Strategy<Value = String> {
    let row = (
        cell(&["001", "002", "003", "010", "", "NA"]),
        cell(&[
            "2024-01-01",
            "2024-01-15",
            "2024-02-29",
            "2024-03-10",
            "",
            "2024-13-01",
        ]),
        cell(&["10.50", "-3", "0", "", "NA", "1e3", "abc"]),
        cell(&["web", "store", ""]),
    );
    proptest::collection::vec(row, 1..40).prop_map(|rows| {
        let mut text = String::from("customer,date,amount,channel\n");
        for (c, d, a, ch) in rows {
            text += &format!("{c},{d},{a},{ch}\n");
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_row_is_accounted_for_and_scores_stay_in_range(
        text in log(),
        window in proptest::option::of(0u32..40),
        as_of in proptest::option::of(19_700i64..19_800),
    ) {
        let Ok(ingested) = read_table(text.as_bytes(), &IngestOptions::default()) else {
            return Ok(());
        };
        let options = RollupOptions {
            as_of,
            repeat_within: window,
            ..RollupOptions::new(LogColumns {
                customer: "customer".into(),
                date: "date".into(),
                amount: Some("amount".into()),
                quantity: None,
            })
        };
        let Some(_) = ingested.table.column("channel") else { return Ok(()) };
        match roll_up(&ingested.table, &ingested.report.row_lines, &options) {
            Err(error) => prop_assert!(!error.to_string().is_empty()),
            Ok(rollup) => {
                let r = &rollup.report;
                let left: usize = r.left_out.iter().map(|l| l.rows).sum();
                prop_assert_eq!(r.rows_in_log, r.rows_used + r.rows_in_window + left);
                let t = &rollup.table;
                prop_assert_eq!(t.n_rows(), r.customers);
                let sum = |name: &str| -> f64 {
                    (0..t.n_rows()).map(|row| t.column(name).unwrap().number(row).unwrap()).sum()
                };
                prop_assert_eq!(sum("orders") + sum("refunds"), r.rows_used as f64);
                for name in ["r_score", "f_score", "m_score"] {
                    for row in 0..t.n_rows() {
                        let score = t.column(name).unwrap().number(row).unwrap();
                        prop_assert!((1.0..=5.0).contains(&score), "{name} {score}");
                    }
                }
                for row in 0..t.n_rows() {
                    prop_assert!(t.column("recency_days").unwrap().number(row).unwrap() >= 0.0);
                }
            }
        }
    }
}
