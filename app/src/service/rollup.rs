//! Order logs: a file of one row per purchase is recognised when it is read, rolled up to one row per
//! customer (recency, frequency, value, RFM scores and groups; see `audience_engine::rollup`) on request,
//! and its transaction rows are exported with their customer's segment.
//!
//! Before the roll-up the dataset is the log as read; after it the dataset is the customer table, and the
//! log waits here (for the transactions download and for rolling up again with other columns).

use crate::protocol::{DatasetPreview, ExportFile, LogColumn, LogOffer, RolledUp, RollupSettings};
use audience_engine::export::formula::InputCells;
use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
use audience_engine::ingest::{iso_date, parse_date, DateFormat, IngestReport, RowLines};
use audience_engine::pipeline::{conversion_column, free_column_name};
use audience_engine::rollup::{
    customer_rows, detect_log, roll_up, LogDetection, RollupOptions, RollupReport,
};
use audience_engine::table::{Cell, Table};

use super::exports::{download_stem, text_file};
use super::{take_base, ServiceError, Session};

/// What the session keeps about a file recognised as an order log.
#[derive(Debug)]
pub(super) struct LogState {
    /// The customer, date, amount and quantity columns found when the file was read.
    detection: LogDetection,
    /// The file line of each log row, for the report.
    row_lines: RowLines,
    /// Columns were separated by runs of spaces.
    whitespace_aligned: bool,
    /// The log's columns as read.
    columns: Vec<LogColumn>,
    /// Rows of the log.
    transactions: usize,
    /// The detected date column's first and last dates.
    first_date: Option<String>,
    last_date: Option<String>,
    /// Once rolled up: the log itself and how it was rolled up.
    rolled: Option<Rolled>,
}

/// A rolled-up log.
#[derive(Debug)]
struct Rolled {
    /// The transactions, as read (with the user's type changes made before the roll-up).
    log: Table,
    /// The transactions download's delimiter: the file's, or a comma for a whitespace-aligned file.
    delimiter: u8,
    settings: RollupSettings,
    report: RollupReport,
}

impl LogState {
    /// The state of a freshly read file: `Some` when it is an order log (a repeated customer column, a
    /// date column and an amount column).
    pub(super) fn detect(table: &Table, report: &IngestReport) -> Option<Self> {
        let detection = detect_log(table);
        if !detection.is_log() {
            return None;
        }
        let (first_date, last_date) = detection
            .date
            .as_ref()
            .and_then(|date| table.column(&date.column))
            .map_or((None, None), |column| {
                let days = column.cells().iter().filter_map(|cell| match cell {
                    Cell::Number(day) if day.is_finite() => Some(day),
                    _ => None,
                });
                let (first, last) = days.fold((None::<f64>, None::<f64>), |(lo, hi), day| {
                    (
                        Some(lo.map_or(day, |lo| lo.min(day))),
                        Some(hi.map_or(day, |hi| hi.max(day))),
                    )
                });
                (
                    first.map(|day| iso_date(day as i64)),
                    last.map(|day| iso_date(day as i64)),
                )
            });
        Some(LogState {
            detection,
            row_lines: report.row_lines.clone(),
            whitespace_aligned: report.whitespace_aligned,
            columns: table
                .columns()
                .iter()
                .map(|column| LogColumn {
                    name: column.name.clone(),
                    column_type: column.column_type(),
                })
                .collect(),
            transactions: table.n_rows(),
            first_date,
            last_date,
            rolled: None,
        })
    }

    /// What the page shows and offers about the log.
    pub(super) fn offer(&self) -> LogOffer {
        LogOffer {
            detection: self.detection.clone(),
            columns: self.columns.clone(),
            transactions: self.transactions,
            first_date: self.first_date.clone(),
            last_date: self.last_date.clone(),
            rolled_up: self.rolled.as_ref().map(|rolled| RolledUp {
                settings: rolled.settings.clone(),
                notes: rolled.report.notes(),
                report: rolled.report.clone(),
            }),
        }
    }
}

impl Session {
    /// Rolls the loaded order log up to one row per customer, which becomes the table every later step
    /// uses. Rolling up again starts from the same log.
    #[inline(never)]
    pub(super) fn roll_up(
        &mut self,
        settings: RollupSettings,
    ) -> Result<DatasetPreview, ServiceError> {
        let dataset = self.dataset.as_mut().ok_or(ServiceError::NoFile)?;
        let state = dataset.log.as_mut().ok_or(ServiceError::NotALog)?;
        let as_of = settings
            .as_of
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(parse_as_of)
            .transpose()?;
        let options = RollupOptions {
            as_of,
            repeat_within: settings.repeat_within,
            ..RollupOptions::new(settings.columns.clone())
        };
        // Fields, not `Dataset::base`: `state` borrows `dataset.log`.
        let read = dataset.base.as_ref().unwrap_or(&dataset.table);
        let log = state.rolled.as_ref().map_or(read, |r| &r.log);
        let rollup = roll_up(log, &state.row_lines, &options)?;
        let customers = rollup.table;
        let (log, delimiter) = match state.rolled.take() {
            Some(rolled) => (rolled.log, rolled.delimiter),
            // A whitespace-aligned file is read as tab-separated; its download is a plain CSV.
            None if state.whitespace_aligned => {
                (take_base(&mut dataset.base, &mut dataset.table), b',')
            }
            None => (
                take_base(&mut dataset.base, &mut dataset.table),
                dataset.delimiter,
            ),
        };
        state.rolled = Some(Rolled {
            log,
            delimiter,
            settings: settings.clone(),
            report: rollup.report,
        });
        dataset.detected_target = match settings.repeat_within {
            Some(_) => conversion_column(&customers, Some("repeat_purchase")),
            None => conversion_column(&customers, None),
        };
        dataset.base = None;
        dataset.table = customers;
        dataset.delimiter = b',';
        dataset.enrichment = None;
        dataset.retrieval = None;
        self.results = None;
        Ok(dataset.current_preview())
    }

    /// The rolled-up log's transaction rows, every row in file order with its customer's segment number and
    /// name (empty for a row whose customer is not in the customer table), and a note counting those.
    #[inline(never)]
    pub(super) fn export_transactions(
        &self,
        keep_formulas: bool,
    ) -> Result<(Vec<ExportFile>, Vec<String>), ServiceError> {
        let dataset = self.dataset()?;
        let rolled = dataset
            .log
            .as_ref()
            .and_then(|state| state.rolled.as_ref())
            .ok_or(ServiceError::NotRolledUp)?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        // Customers a filter left out are in no segment.
        let labels = self.labels_by_row()?;
        let names = results.report.names_by_index();
        let rows = customer_rows(
            &rolled.log,
            dataset.base(),
            &rolled.settings.columns.customer,
        )?;
        let label = |row: usize| {
            rows[row]
                .and_then(|customer| labels.get(customer).copied())
                .filter(|&label| label != audience_engine::holdout::NO_SEGMENT)
        };
        let segment = |row: usize| label(row).map_or_else(String::new, |l| (l + 1).to_string());
        let segment_name = |row: usize| {
            label(row)
                .and_then(|l| names.get(l as usize).cloned())
                .unwrap_or_default()
        };
        let segment_column = free_column_name(&rolled.log, "segment");
        let name_column = free_column_name(&rolled.log, "segment_name");
        let extra: [(&str, &dyn Fn(usize) -> String); 2] = [
            (segment_column.as_str(), &segment),
            (name_column.as_str(), &segment_name),
        ];
        let options = ClusteredCsvOptions {
            delimiter: rolled.delimiter,
            input_cells: if keep_formulas {
                InputCells::Unchanged
            } else {
                InputCells::EscapeFormulas
            },
            ..ClusteredCsvOptions::default()
        };
        let mut out = Vec::new();
        write_clustered_csv_with(&rolled.log, &options, &extra, &mut out)?;
        let name = format!(
            "{}-transactions-segments.csv",
            download_stem(&dataset.file_name)
        );
        let file = text_file(name, "text/csv", out)?;
        let without = (0..rolled.log.n_rows())
            .filter(|&row| label(row).is_none())
            .count();
        let mut note = format!(
            "{}: all {} transactions, each with its customer's segment",
            file.name,
            rolled.log.n_rows()
        );
        match without {
            0 => note.push('.'),
            n => note.push_str(&format!(
                "; {n} of them {} no segment (no customer id, or a customer whose first purchase came after \
                 the as-of date {}), so {} segment cells are empty.",
                if n == 1 { "has" } else { "have" },
                rolled.report.as_of,
                if n == 1 { "its" } else { "their" },
            )),
        }
        Ok((vec![file], vec![note]))
    }
}

/// Days since 1970-01-01 of an as-of date written `2024-03-31` or `20240331`.
fn parse_as_of(text: &str) -> Result<i64, ServiceError> {
    [DateFormat::Iso, DateFormat::Compact]
        .into_iter()
        .find_map(|format| parse_date(text, format))
        .map(|days| days as i64)
        .ok_or_else(|| ServiceError::AsOf(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ExportKind, FailureKind, Request, Response, SegmentSettings};
    use audience_engine::ingest::HeaderMode;
    use audience_engine::rollup::{LeftOutReason, LogColumns};

    /// 52 purchases of 20 customers, whitespace-aligned, zero-padded ids, `YYYYMMDD` dates; customer 00102
    /// has a refund on line 14 and 00501 an unreadable date (`2024073X`) on line 49.
    const LOG: &[u8] = include_bytes!("../../../tests/fixtures/orders-log.txt");

    fn loaded(bytes: &[u8]) -> (Session, DatasetPreview) {
        let mut session = Session::new();
        let request = Request::LoadFile {
            file_name: "orders-log.txt".into(),
            header: HeaderMode::Auto,
        };
        match session.handle(request, Some(bytes), &mut |_| {}) {
            Response::Loaded(preview) => (session, preview),
            other => panic!("expected a preview, got {other:?}"),
        }
    }

    fn columns(amount: Option<&str>) -> LogColumns {
        LogColumns {
            customer: "customer_id".into(),
            date: "date".into(),
            amount: amount.map(str::to_owned),
            quantity: Some("quantity".into()),
        }
    }

    fn settings(as_of: Option<&str>, repeat_within: Option<u32>) -> RollupSettings {
        RollupSettings {
            columns: columns(Some("amount")),
            as_of: as_of.map(str::to_owned),
            repeat_within,
        }
    }

    fn rolled(session: &mut Session, settings: RollupSettings) -> DatasetPreview {
        match session.handle(Request::RollUp(settings), None, &mut |_| {}) {
            Response::RolledUp(preview) => preview,
            other => panic!("expected the customer table, got {other:?}"),
        }
    }

    fn failure(session: &mut Session, request: Request) -> crate::protocol::Failure {
        match session.handle(request, None, &mut |_| {}) {
            Response::Failed(failure) => failure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    /// Segments the customer table on recency, orders and spend into 3 segments.
    fn segment(session: &mut Session) -> Box<crate::protocol::SegmentResults> {
        let settings =
            SegmentSettings::on_columns(&["recency_days", "orders", "total_spend"], 3, 7);
        match session.handle(Request::Segment(settings), None, &mut |_| {}) {
            Response::Segmented(results) => results,
            other => panic!("expected segments, got {other:?}"),
        }
    }

    fn transactions(session: &mut Session) -> (ExportFile, Vec<String>) {
        match session.handle(
            Request::ExportTransactions {
                keep_formulas: false,
            },
            None,
            &mut |_| {},
        ) {
            Response::Files { mut files, notes } => {
                assert_eq!(files.len(), 1);
                (files.remove(0), notes)
            }
            other => panic!("expected the transactions file, got {other:?}"),
        }
    }

    fn field<'a>(csv: &'a str, line: usize, column: &str) -> &'a str {
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let at = header.iter().position(|name| *name == column).unwrap();
        csv.lines().nth(line).unwrap().split(',').nth(at).unwrap()
    }

    #[test]
    fn an_order_log_is_offered_as_one_row_per_customer_with_the_detected_columns() {
        let (_, preview) = loaded(LOG);
        assert_eq!(preview.n_rows, 52);
        assert_eq!(
            preview.format,
            "UTF-8, whitespace-aligned columns, with a header row"
        );
        let notes = preview.notes.join("\n");
        assert!(notes.contains("separated by runs of spaces"), "{notes}");
        assert!(notes.contains("keep their leading zeros"), "{notes}");
        assert!(
            notes.contains("read as dates (year, month, day)"),
            "{notes}"
        );
        let offer = preview.log.expect("an order log is offered a roll-up");
        assert_eq!(offer.detection.columns(), Some(columns(Some("amount"))));
        assert_eq!(offer.transactions, 52);
        assert_eq!(offer.first_date.as_deref(), Some("2023-01-10"));
        assert_eq!(offer.last_date.as_deref(), Some("2024-12-31"));
        let names: Vec<&str> = offer.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["customer_id", "date", "quantity", "amount", "channel"]
        );
        assert_eq!(offer.rolled_up, None);
    }

    #[test]
    fn a_customer_file_is_not_offered_a_roll_up_and_refuses_one() {
        let (mut session, preview) =
            loaded(b"customer,age,spend\nA,30,10.5\nB,41,7.25\nC,25,3.5\n");
        assert_eq!(preview.log, None);
        let refused = failure(&mut session, Request::RollUp(settings(None, None)));
        assert_eq!(refused.kind, FailureKind::Settings);
        assert!(
            refused.message.contains("not recognised as an order log"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn rolling_up_makes_the_customer_table_the_file_and_reports_every_row_left_out() {
        let (mut session, _) = loaded(LOG);
        let preview = rolled(&mut session, settings(None, None));
        assert_eq!(preview.n_rows, 20, "one row per customer");
        let names: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
        for wanted in [
            "customer",
            "recency_days",
            "orders",
            "total_spend",
            "rfm_group",
        ] {
            assert!(names.contains(&wanted), "{wanted} in {names:?}");
        }
        assert_eq!(preview.rows[0][0], "00101", "ids keep their zeros");
        let rolled = preview.log.unwrap().rolled_up.unwrap();
        let report = &rolled.report;
        assert_eq!(
            (report.rows_in_log, report.rows_used, report.customers),
            (52, 51, 20)
        );
        assert_eq!(report.as_of, "2024-12-31");
        assert_eq!(report.left_out.len(), 1);
        assert_eq!(report.left_out[0].reason, LeftOutReason::UnreadableDate);
        assert_eq!(report.left_out[0].first_lines, [49]);
        assert_eq!(
            (report.refunds.rows, report.refunds.first_lines.clone()),
            (1, vec![14])
        );
        let notes = rolled.notes.join("\n");
        assert!(
            notes.contains("rolled 51 of the log's 52 rows up into 20 customers"),
            "{notes}"
        );
        assert!(
            notes.contains("a date that cannot be read (line 49)"),
            "{notes}"
        );
        assert!(notes.contains("refunds, 40.00 in all"), "{notes}");
        assert_eq!(preview.detected_target, None);

        // The rest of the flow runs on the customers: 20 rows in the clustered CSV.
        let results = segment(&mut session);
        assert_eq!(results.report.n_rows, 20);
        let Response::File(file) = session.handle(
            Request::Export {
                kind: ExportKind::ClusteredCsv,
                keep_formulas: false,
                matching_only: false,
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected the customer table");
        };
        assert_eq!(file.name, "orders-log-segments.csv");
        assert_eq!(file.content.lines().count(), 21);
        assert!(file
            .content
            .lines()
            .next()
            .unwrap()
            .ends_with(",rfm_group,segment,segment_name"));
        assert_eq!(field(&file.content, 2, "customer"), "00102");
        assert_eq!(
            field(&file.content, 2, "total_spend"),
            "557.00",
            "refund subtracted"
        );
    }

    #[test]
    fn the_transactions_download_gives_every_purchase_its_customers_segment() {
        let (mut session, _) = loaded(LOG);
        rolled(&mut session, settings(None, None));
        let results = segment(&mut session);
        let (file, notes) = transactions(&mut session);
        assert_eq!(file.name, "orders-log-transactions-segments.csv");
        let csv = file.content;
        assert_eq!(
            csv.lines().count(),
            53,
            "every transaction, header included"
        );
        assert_eq!(
            csv.lines().next().unwrap(),
            "customer_id,date,quantity,amount,channel,segment,segment_name"
        );
        // Customer row i of the customer table is in segment labels[i] + 1.
        let labels = &session.results.as_ref().unwrap().segmentation.labels;
        let segment_of = |customer: usize| (labels[customer] + 1).to_string();
        assert_eq!(field(&csv, 1, "customer_id"), "00101");
        for line in 1..=6 {
            assert_eq!(
                field(&csv, line, "segment"),
                segment_of(0),
                "00101's purchases"
            );
        }
        assert_eq!(field(&csv, 13, "amount"), "-40.00", "the refund is kept");
        assert_eq!(field(&csv, 13, "segment"), segment_of(1));
        // Line 49 of the file (row 48) was left out for its date, but its customer 00501 is in the table.
        assert_eq!(field(&csv, 48, "date"), "2024073X");
        assert_eq!(field(&csv, 48, "segment"), segment_of(17));
        let name = &results.report.names_by_index()[labels[17] as usize];
        assert_eq!(field(&csv, 48, "segment_name"), name.as_str());
        assert_eq!(
            notes,
            ["orders-log-transactions-segments.csv: all 52 transactions, each with its customer's segment."]
        );
    }

    #[test]
    fn transactions_without_a_customer_in_the_table_are_kept_with_an_empty_segment_and_counted() {
        // Row 3 has no customer id; with as-of 2024-01-31, C first buys after it.
        let log = "customer,date,amount,note\nA,2024-01-01,10.5,=HYPERLINK(\"x\")\nB,2024-01-05,3.25,ok\n,2024-01-09,4.5,ok\nA,2024-01-20,8.75,ok\nC,2024-02-10,2.5,ok\nB,2024-01-25,1.25,ok\n";
        let (mut session, preview) = loaded(log.as_bytes());
        assert!(preview.log.is_some());
        rolled(
            &mut session,
            RollupSettings {
                columns: LogColumns {
                    customer: "customer".into(),
                    date: "date".into(),
                    amount: Some("amount".into()),
                    quantity: None,
                },
                as_of: Some("20240131".into()),
                repeat_within: None,
            },
        );
        let settings = SegmentSettings::on_columns(&["total_spend"], 2, 1);
        assert!(matches!(
            session.handle(Request::Segment(settings), None, &mut |_| {}),
            Response::Segmented(_)
        ));
        let (file, notes) = transactions(&mut session);
        let csv = file.content;
        assert_eq!(csv.lines().count(), 7);
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"x\"\")\""),
            "formulas escaped: {csv}"
        );
        assert_eq!(field(&csv, 3, "segment"), "", "no customer id");
        assert_eq!(
            field(&csv, 5, "segment"),
            "",
            "C first bought after the as-of date"
        );
        assert_ne!(field(&csv, 2, "segment"), "");
        assert_eq!(
            notes,
            ["orders-log-transactions-segments.csv: all 6 transactions, each with its customer's segment; 2 of them \
              have no segment (no customer id, or a customer whose first purchase came after the as-of date \
              2024-01-31), so their segment cells are empty."]
        );
    }

    #[test]
    fn an_as_of_date_leaves_later_purchases_out_counted_and_customers_not_yet_buying() {
        let (mut session, _) = loaded(LOG);
        let preview = rolled(&mut session, settings(Some("2024-06-30"), None));
        let report = preview.log.unwrap().rolled_up.unwrap().report;
        // After 2024-06-30: 3 + 5 + 3 + 3 rows of 00101–00104, the 4 new customers' rows, 3 of 00501–00503.
        let after = report
            .left_out
            .iter()
            .find(|left| left.reason == LeftOutReason::AfterAsOf)
            .unwrap();
        assert_eq!(after.rows, 21);
        assert_eq!((report.rows_used, report.customers), (30, 16));
        assert_eq!(report.as_of, "2024-06-30");
        assert_eq!(preview.n_rows, 16);
    }

    #[test]
    fn an_as_of_date_that_is_not_a_date_is_refused_with_how_to_write_it() {
        let (mut session, _) = loaded(LOG);
        let refused = failure(
            &mut session,
            Request::RollUp(settings(Some("31/12/2024"), None)),
        );
        assert_eq!(refused.kind, FailureKind::Settings);
        assert!(
            refused.message.contains("\"31/12/2024\""),
            "{}",
            refused.message
        );
        assert!(
            refused.message.contains("2024-03-31 or 20240331"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn a_column_given_two_roles_is_refused_and_the_log_stays() {
        let (mut session, _) = loaded(LOG);
        let mut both = settings(None, None);
        both.columns.amount = Some("quantity".into());
        let refused = failure(&mut session, Request::RollUp(both));
        assert_eq!(refused.kind, FailureKind::Settings);
        assert!(
            refused.message.contains("\"quantity\""),
            "{}",
            refused.message
        );
        // Nothing changed: the log can still be rolled up.
        assert_eq!(rolled(&mut session, settings(None, None)).n_rows, 20);
    }

    #[test]
    fn a_repeat_purchase_window_adds_the_target_as_the_conversion_column() {
        let (mut session, _) = loaded(LOG);
        let preview = rolled(&mut session, settings(None, Some(30)));
        assert_eq!(preview.detected_target.as_deref(), Some("repeat_purchase"));
        let report = preview.log.unwrap().rolled_up.unwrap().report;
        assert_eq!(report.as_of, "2024-12-01", "the last date minus 30 days");
        // Bought again after 2024-12-01: 00101 (12-20), 00102 (12-31), 00103 (12-10), 00104 (12-22); 00301
        // bought on 12-01 only, and 00302–00304 first bought after the cut-off.
        assert_eq!(report.holdout.unwrap().repeat_customers, 4);
    }

    #[test]
    fn rolling_up_again_starts_from_the_log_with_the_new_columns() {
        let (mut session, _) = loaded(LOG);
        rolled(&mut session, settings(None, None));
        let again = rolled(
            &mut session,
            RollupSettings {
                columns: columns(None),
                as_of: None,
                repeat_within: None,
            },
        );
        assert_eq!(again.n_rows, 20);
        assert!(
            again.columns.iter().all(|c| c.name != "total_spend"),
            "no amount, no spend"
        );
        let offer = again.log.unwrap();
        assert_eq!(offer.transactions, 52);
        assert_eq!(offer.rolled_up.unwrap().settings.columns.amount, None);
        segment_without_spend(&mut session);
        let (file, _) = transactions(&mut session);
        assert_eq!(file.content.lines().count(), 53);
    }

    fn segment_without_spend(session: &mut Session) {
        let settings = SegmentSettings::on_columns(&["recency_days"], 2, 1);
        assert!(matches!(
            session.handle(Request::Segment(settings), None, &mut |_| {}),
            Response::Segmented(_)
        ));
    }

    #[test]
    fn the_transactions_download_needs_a_rolled_up_log_and_segments() {
        let (mut session, _) = loaded(LOG);
        let request = || Request::ExportTransactions {
            keep_formulas: false,
        };
        let refused = failure(&mut session, request());
        assert_eq!(refused.kind, FailureKind::NotReady);
        assert!(
            refused.message.contains("Roll the order log up"),
            "{}",
            refused.message
        );
        rolled(&mut session, settings(None, None));
        assert_eq!(failure(&mut session, request()).kind, FailureKind::NotReady);
    }
}
