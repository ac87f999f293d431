//! Roll-up of transaction logs (issue #17): known answers on small hand-made logs.

use audience_engine::ingest::{parse_date, read_table, DateFormat, IngestOptions, Ingested};
use audience_engine::rollup::{
    customer_rows, detect_log, roll_up, LeftOutReason, LogColumns, Rollup, RollupError,
    RollupOptions,
};
use audience_engine::table::{ColumnType, Table};

fn read(text: &str) -> Ingested {
    read_table(text.as_bytes(), &IngestOptions::default()).unwrap()
}

fn columns(customer: &str, date: &str, amount: Option<&str>) -> LogColumns {
    LogColumns {
        customer: customer.into(),
        date: date.into(),
        amount: amount.map(Into::into),
        quantity: None,
    }
}

fn run(text: &str, options: &RollupOptions) -> Rollup {
    let ingested = read(text);
    roll_up(&ingested.table, &ingested.report.row_lines, options).unwrap()
}

fn texts(table: &Table, name: &str) -> Vec<String> {
    let column = table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    (0..table.n_rows())
        .map(|r| column.text(r).to_owned())
        .collect()
}

fn day(iso: &str) -> i64 {
    parse_date(iso, DateFormat::Iso).unwrap() as i64
}

/// Line numbers are in the comments; 12 rows, as of 2024-01-30 (the last date).
const LOG: &str = "customer,date,amount,channel
A,2024-01-01,10.00,web
A,2024-01-01,5.00,store
A,2024-01-20,20.00,web
A,2024-01-25,-5.00,web
B,2024-01-10,100.00,store
C,2024-01-15,30.00,web
C,2024-01-30,,web
D,2024-01-05,8.00,web
E,2024-01-30,12.00,store
,2024-01-12,7.00,web
F,not a date,9.00,web
F,2024-01-28,9.00,web
";
// line 2: A same day as line 3; line 5: A's refund; line 6: B one order; line 8: C no amount;
// line 11: no customer; line 12: unreadable date.

#[test]
fn a_hand_made_log_rolls_up_to_known_customer_values() {
    let rollup = run(
        LOG,
        &RollupOptions::new(columns("customer", "date", Some("amount"))),
    );
    let t = &rollup.table;
    assert_eq!(texts(t, "customer"), ["A", "B", "C", "D", "E", "F"]);
    assert_eq!(
        texts(t, "first_purchase"),
        [
            "2024-01-01",
            "2024-01-10",
            "2024-01-15",
            "2024-01-05",
            "2024-01-30",
            "2024-01-28"
        ]
    );
    // A's refund on the 25th is not its last purchase.
    assert_eq!(texts(t, "last_purchase")[0], "2024-01-20");
    assert_eq!(texts(t, "recency_days"), ["10", "20", "0", "25", "0", "2"]);
    assert_eq!(texts(t, "tenure_days"), ["29", "20", "15", "25", "0", "2"]);
    // Same-day orders are two orders on one purchase day; the refund is not an order.
    assert_eq!(texts(t, "orders"), ["3", "1", "2", "1", "1", "1"]);
    assert_eq!(texts(t, "purchase_days"), ["2", "1", "2", "1", "1", "1"]);
    assert_eq!(
        texts(t, "total_spend"),
        ["30.00", "100.00", "30.00", "8.00", "12.00", "9.00"]
    );
    // A: (10 + 5 + 20) / 3; C: one order without an amount, so 30 / 1.
    assert_eq!(
        texts(t, "average_order_value"),
        ["11.67", "100.00", "30.00", "8.00", "12.00", "9.00"]
    );
    assert_eq!(texts(t, "refunds"), ["1", "0", "0", "0", "0", "0"]);
    assert_eq!(texts(t, "refund_amount")[0], "5.00");
    assert_eq!(
        texts(t, "share_channel_web"),
        ["0.750", "0.000", "1.000", "1.000", "0.000", "1.000"]
    );
    assert_eq!(
        texts(t, "share_channel_store"),
        ["0.250", "1.000", "0.000", "0.000", "1.000", "0.000"]
    );
    // R: recency ties at 0 (C, E) share 4; F: four one-order customers share 1; M: A and C tie at 30 → 3.
    assert_eq!(texts(t, "r_score"), ["2", "1", "4", "1", "4", "3"]);
    assert_eq!(texts(t, "f_score"), ["5", "1", "4", "1", "1", "1"]);
    assert_eq!(texts(t, "m_score"), ["3", "5", "3", "1", "2", "1"]);
    assert_eq!(
        texts(t, "rfm_score"),
        ["253", "115", "443", "111", "412", "311"]
    );
    assert_eq!(
        texts(t, "rfm_group"),
        [
            "At risk",
            "At risk",
            "Loyal",
            "Lost",
            "Potential loyalist",
            "About to sleep"
        ]
    );
    assert_eq!(
        t.column("recency_days").unwrap().column_type(),
        ColumnType::Numeric
    );
    assert_eq!(
        t.column("first_purchase").unwrap().column_type(),
        ColumnType::Date
    );
    assert_eq!(
        t.column("customer").unwrap().column_type(),
        ColumnType::Identifier
    );
}

#[test]
fn every_row_of_the_hand_made_log_is_used_or_left_out_with_its_line() {
    let report = run(
        LOG,
        &RollupOptions::new(columns("customer", "date", Some("amount"))),
    )
    .report;
    assert_eq!(report.as_of, "2024-01-30");
    assert_eq!(
        (report.rows_in_log, report.rows_used, report.customers),
        (12, 10, 6)
    );
    let left: Vec<(LeftOutReason, usize, Vec<u64>)> = report
        .left_out
        .iter()
        .map(|l| (l.reason, l.rows, l.first_lines.clone()))
        .collect();
    assert_eq!(
        left,
        [
            (LeftOutReason::NoCustomer, 1, vec![11]),
            (LeftOutReason::UnreadableDate, 1, vec![12]),
        ]
    );
    assert_eq!(
        (report.refunds.rows, report.refunds.first_lines.clone()),
        (1, vec![5])
    );
    assert_eq!(report.refund_total, 5.0);
    assert_eq!(report.missing_amounts.first_lines, [8]);
    // A holds 4 of 10 rows, but a customer is only named from 100 rows on.
    assert_eq!(report.largest_customer, None);
    let notes = report.notes();
    assert_eq!(
        notes[0],
        "rolled 10 of the log's 12 rows up into 6 customers, as of 2024-01-30 (the log's last date)"
    );
    assert!(
        notes.contains(&"left out 1 row with a date that cannot be read (line 12); fix those dates to include them".to_owned()),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("1 row with a negative amount (refunds, 5.00 in all)")),
        "{notes:?}"
    );
}

#[test]
fn the_repeat_purchase_target_reads_the_window_after_the_cutoff() {
    let log = "customer,date,amount
A,2024-01-01,10
A,2024-01-05,10
B,2024-01-02,10
B,2024-01-08,-10
C,2024-01-03,10
C,2024-01-09,10
D,2024-01-10,10
A,2024-01-20,10
";
    let options = RollupOptions {
        as_of: Some(day("2024-01-05")),
        repeat_within: Some(5),
        ..RollupOptions::new(columns("customer", "date", Some("amount")))
    };
    let rollup = run(log, &options);
    let t = &rollup.table;
    assert_eq!(texts(t, "customer"), ["A", "B", "C"]);
    // B's only row in the window is a refund: not a repeat purchase.
    assert_eq!(texts(t, "repeat_purchase"), ["no", "no", "yes"]);
    assert_eq!(
        t.column("repeat_purchase").unwrap().column_type(),
        ColumnType::Binary
    );
    // Features stop at the cut-off: A's row of the 20th is not counted.
    assert_eq!(texts(t, "orders"), ["2", "1", "1"]);
    assert_eq!(texts(t, "recency_days"), ["0", "3", "2"]);
    let report = &rollup.report;
    assert_eq!((report.rows_used, report.rows_in_window), (4, 2));
    let left: Vec<(LeftOutReason, Vec<u64>)> = report
        .left_out
        .iter()
        .map(|l| (l.reason, l.first_lines.clone()))
        .collect();
    assert_eq!(
        left,
        [
            (LeftOutReason::AfterAsOf, vec![9]),
            (LeftOutReason::NewAfterCutoff, vec![8]),
        ]
    );
    let holdout = report.holdout.as_ref().unwrap();
    assert_eq!((holdout.repeat_customers, holdout.days_observed), (1, 15));
    let rows_left: usize = report.left_out.iter().map(|l| l.rows).sum();
    assert_eq!(
        report.rows_in_log,
        report.rows_used + report.rows_in_window + rows_left
    );
}

#[test]
fn without_an_as_of_date_the_cutoff_is_the_last_date_minus_the_window() {
    let log =
        "customer,date,amount\nA,2024-01-01,1\nA,2024-01-08,1\nB,2024-01-09,1\nB,2024-01-02,1\n";
    let options = RollupOptions {
        repeat_within: Some(7),
        ..RollupOptions::new(columns("customer", "date", Some("amount")))
    };
    let rollup = run(log, &options);
    assert_eq!(rollup.report.as_of, "2024-01-02");
    assert_eq!(texts(&rollup.table, "repeat_purchase"), ["yes", "yes"]);
}

#[test]
fn zero_padded_ids_compact_dates_and_a_dominant_customer_are_reported() {
    let mut log = String::from("customer_id,date,amount\n");
    for i in 0..120 {
        log += &format!("00001,202401{:02},5.00\n", i % 28 + 1);
    }
    log += "1,20240102,7.00\n00002,20240103,9.00\n";
    let ingested = read(&log);
    let detection = detect_log(&ingested.table);
    assert!(detection.is_log(), "{detection:?}");
    let found = detection.columns().unwrap();
    assert_eq!(found, columns("customer_id", "date", Some("amount")));
    assert!(detection.confidence() >= 0.9);
    let rollup = roll_up(
        &ingested.table,
        &ingested.report.row_lines,
        &RollupOptions::new(found),
    )
    .unwrap();
    // "00001" and "1" are different customers: ids are text.
    assert_eq!(texts(&rollup.table, "customer"), ["00001", "1", "00002"]);
    assert_eq!(
        rollup.report.largest_customer,
        Some(("00001".to_owned(), 120))
    );
    let notes = rollup.report.notes();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("customer 00001 has 120 of the 122 rows (98.4%)")),
        "{notes:?}"
    );
}

#[test]
fn a_customer_table_is_not_a_log() {
    let table =
        read("customer_id,signup,spend\nA,2024-01-01,3.5\nB,2024-01-02,4.5\nC,2024-01-03,1.5\n")
            .table;
    let detection = detect_log(&table);
    assert!(detection.customer.is_none());
    assert!(!detection.is_log());
    assert_eq!(detection.confidence(), 0.0);
}

#[test]
fn wrong_column_choices_are_refused_in_plain_words() {
    let ingested = read(LOG);
    let table = &ingested.table;
    let lines = &ingested.report.row_lines;
    let refused = |c: LogColumns| roll_up(table, lines, &RollupOptions::new(c)).unwrap_err();
    let error = refused(columns("buyer", "date", None));
    assert!(matches!(
        error,
        RollupError::UnknownColumn {
            role: "customer",
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .contains("customer, date, amount, channel"),
        "{error}"
    );
    let error = refused(columns("customer", "customer", None));
    assert!(matches!(error, RollupError::SameColumn { .. }), "{error}");
    let error = refused(columns("customer", "channel", None));
    assert!(
        error
            .to_string()
            .starts_with("the date column \"channel\" does not read as dates"),
        "{error}"
    );
    let options = RollupOptions {
        as_of: Some(day("2023-12-31")),
        ..RollupOptions::new(columns("customer", "date", Some("amount")))
    };
    let error = roll_up(table, lines, &options).unwrap_err();
    assert_eq!(
        error,
        RollupError::NoCustomers {
            rows: 12,
            no_customer: 1,
            no_date: 1,
            after: 10,
            as_of: "2023-12-31".into()
        }
    );
}

#[test]
fn without_an_amount_the_value_score_follows_purchase_days() {
    let log = "customer,date\nA,2024-01-01\nA,2024-01-02\nB,2024-01-02\n";
    let rollup = run(log, &RollupOptions::new(columns("customer", "date", None)));
    assert!(rollup.table.column("total_spend").is_none());
    assert_eq!(texts(&rollup.table, "m_score"), ["3", "1"]);
}

#[test]
fn one_customer_with_a_huge_share_of_the_rows_is_rolled_up_and_named() {
    // 200,000 rows for one customer over 100 days, one row for another.
    let mut log = String::with_capacity(6_000_000);
    log += "customer,date,amount\n";
    for i in 0..200_000u32 {
        log += &format!("W,2024-01-{:02},1.50\n", i % 28 + 1);
    }
    log += "X,2024-01-28,9.00\n";
    let rollup = run(
        &log,
        &RollupOptions::new(columns("customer", "date", Some("amount"))),
    );
    let t = &rollup.table;
    assert_eq!(texts(t, "customer"), ["W", "X"]);
    assert_eq!(texts(t, "orders"), ["200000", "1"]);
    assert_eq!(texts(t, "purchase_days"), ["28", "1"]);
    assert_eq!(texts(t, "total_spend"), ["300000.00", "9.00"]);
    assert_eq!(
        rollup.report.largest_customer,
        Some(("W".to_owned(), 200_000))
    );
    assert_eq!(rollup.report.rows_used, 200_001);
}

#[test]
fn each_transaction_maps_to_its_customers_row() {
    let ingested = read(LOG);
    let rollup = roll_up(
        &ingested.table,
        &ingested.report.row_lines,
        &RollupOptions::new(columns("customer", "date", Some("amount"))),
    )
    .unwrap();
    let rows = customer_rows(&ingested.table, &rollup.table, "customer").unwrap();
    // Line 11 has no customer; line 12 (F, unreadable date) still belongs to F.
    let expected =
        [0, 0, 0, 0, 1, 2, 2, 3, 4, usize::MAX, 5, 5].map(|r| (r != usize::MAX).then_some(r));
    assert_eq!(rows, expected);
}

#[test]
fn share_columns_stop_at_the_counter_budget_and_the_rest_are_listed() {
    // 100,000 one-row customers: a 2-value column needs 300,000 counters, a 12-value one 1.3 million,
    // more than the budget of max(2 per row, 2^20).
    let mut log = String::from("customer,date,amount,c2,c12\n");
    for i in 0..100_000u32 {
        log += &format!("{i},2024-01-{:02},1,{},v{}\n", i % 28 + 1, i % 2, i % 12);
    }
    let rollup = run(
        &log,
        &RollupOptions::new(columns("customer", "date", Some("amount"))),
    );
    assert_eq!(rollup.report.share_columns, ["c2"]);
    assert_eq!(rollup.report.columns_not_carried, ["c12"]);
    assert!(rollup.table.column("share_c2_1").is_some());
    assert!(rollup.table.column("share_c12_v0").is_none());
    let notes = rollup.report.notes();
    assert!(
        notes
            .last()
            .unwrap()
            .starts_with("not carried into the customer table: c12"),
        "{notes:?}"
    );
}
