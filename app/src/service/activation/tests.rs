//! Activation requests on `tests/fixtures/activation-customers.csv`: 40 made-up customers, 24 of them
//! in CA or NY (10 on the pro plan aged 50–59, all in CA; 14 on basic aged 20–33), with a bad e-mail
//! (`bob@`, a pro customer) and a bad phone (`555-CALL-NOW`, a basic customer) among those 24.

use super::super::*;
use crate::protocol::activation::{
    ActivationAnswer, ActivationRequest, FilterSettings, FilteredOut,
};
use crate::protocol::{ExportKind, SegmentSettings};
use audience_engine::compare::Side;
use audience_engine::export::destinations::Destination;
use audience_engine::filter::{parse_rule, Rule};
use audience_engine::ingest::HeaderMode;

const FIXTURE: &[u8] = include_bytes!("../../../../tests/fixtures/activation-customers.csv");
/// SHA-256 of `ann.adams0@example.com`, customer C1000's e-mail (written ` Ann.Adams0@Example.COM `)
/// after trimming and lower-casing (computed with Python's hashlib).
const ANN_SHA256: &str = "bd02b17356adf221dc02a74028a6079010614cfacbb286d04a7bac1fee82cc47";

fn loaded() -> Session {
    let mut session = Session::new();
    let response = session.handle(
        Request::LoadFile {
            file_name: "activation-customers.csv".into(),
            header: HeaderMode::Auto,
        },
        Some(FIXTURE),
        &mut |_| {},
    );
    assert!(matches!(response, Response::Loaded(_)), "{response:?}");
    session
}

fn rules(texts: &[&str]) -> Vec<Rule> {
    texts.iter().map(|t| parse_rule(t).unwrap()).collect()
}

fn ca_ny(filtered_out: FilteredOut) -> FilterSettings {
    FilterSettings {
        rules: rules(&["state in CA, NY"]),
        any: false,
        filtered_out,
    }
}

fn activation(session: &mut Session, request: ActivationRequest) -> Response {
    session.handle(Request::Activation(request), None, &mut |_| {})
}

fn answer(session: &mut Session, request: ActivationRequest) -> ActivationAnswer {
    match activation(session, request) {
        Response::Activation(answer) => *answer,
        other => panic!("expected an activation answer, got {other:?}"),
    }
}

/// Segments the CA and NY customers on plan and age into 2 segments; the pro segment's index.
fn segmented(filtered_out: FilteredOut) -> (Session, u32) {
    let mut session = loaded();
    let mut settings = SegmentSettings::on_columns(&["plan", "age"], 2, 7);
    settings.target = Some("converted".into());
    settings.filter = Some(ca_ny(filtered_out));
    let Response::Segmented(results) =
        session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected segments");
    };
    let mut sizes = results.segmentation.sizes.clone();
    let pro = sizes
        .iter()
        .position(|&n| n == 10)
        .expect("a segment of 10") as u32;
    sizes.sort_unstable();
    assert_eq!(sizes, [10, 14]);
    (session, pro)
}

fn export(session: &mut Session, kind: ExportKind) -> String {
    match session.handle(
        Request::Export {
            kind,
            keep_formulas: false,
            matching_only: false,
        },
        None,
        &mut |_| {},
    ) {
        Response::File(file) => file.content,
        other => panic!("expected a file, got {other:?}"),
    }
}

fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no {name} in {header:?}"));
    lines
        .map(|line| line.split(',').nth(at).unwrap_or("").to_string())
        .collect()
}

#[test]
fn filter_counts_each_rule_and_the_whole_filter_before_anything_runs() {
    let mut session = loaded();
    let mut settings = FilterSettings {
        rules: rules(&["state in CA, NY", "age >= 30"]),
        ..FilterSettings::default()
    };
    let ActivationAnswer::Counts(all) =
        answer(&mut session, ActivationRequest::Count(settings.clone()))
    else {
        panic!("expected counts");
    };
    assert_eq!(all.rows, 40);
    assert_eq!(all.rules[0].rows, Some(24));
    assert_eq!(all.rules[1].rows, Some(23));
    assert_eq!(all.rules[0].rule, "state in CA, NY");
    assert_eq!(all.kept, Some(14), "CA or NY and 30 or older");
    settings.any = true;
    let ActivationAnswer::Counts(any) = answer(&mut session, ActivationRequest::Count(settings))
    else {
        panic!("expected counts");
    };
    assert_eq!(any.kept, Some(24 + 23 - 14));
    let ActivationAnswer::Counts(has) = answer(
        &mut session,
        ActivationRequest::Count(FilterSettings {
            rules: rules(&["has email"]),
            ..FilterSettings::default()
        }),
    ) else {
        panic!("expected counts");
    };
    assert_eq!(has.kept, Some(39), "one customer has no e-mail at all");
}

#[test]
fn a_rule_that_cannot_be_used_gets_its_reason_beside_it_and_no_total() {
    let mut session = loaded();
    let settings = FilterSettings {
        rules: rules(&["region = West", "state in CA", "plan >= 3"]),
        ..FilterSettings::default()
    };
    let ActivationAnswer::Counts(counts) = answer(&mut session, ActivationRequest::Count(settings))
    else {
        panic!("expected counts");
    };
    let missing = counts.rules[0].error.as_deref().unwrap();
    assert!(
        missing.contains("\"region\"") && missing.contains("state"),
        "{missing}"
    );
    assert_eq!(counts.rules[1].rows, Some(14));
    let not_numbers = counts.rules[2].error.as_deref().unwrap();
    assert!(
        not_numbers.contains("needs a number column"),
        "{not_numbers}"
    );
    assert_eq!(counts.kept, None);
}

#[test]
fn a_filter_that_keeps_nobody_is_refused_with_the_file_size() {
    let mut session = loaded();
    let mut settings = SegmentSettings::on_columns(&["plan", "age"], 2, 7);
    settings.filter = Some(FilterSettings {
        rules: rules(&["state = OR"]),
        ..FilterSettings::default()
    });
    let Response::Failed(failure) = session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected a refusal");
    };
    assert_eq!(failure.kind, crate::protocol::FailureKind::Settings);
    assert!(
        failure.message.contains("none of the 40 customers"),
        "{}",
        failure.message
    );
}

#[test]
fn segments_and_personas_are_made_of_the_filtered_rows_only() {
    let (session, _) = segmented(FilteredOut::Mark);
    let results = session.results.as_ref().unwrap();
    assert_eq!(results.report.n_rows, 24);
    assert_eq!(results.segmentation.labels.len(), 24);
}

#[test]
fn the_clustered_csv_marks_filtered_out_rows_by_default_and_drops_them_when_asked() {
    let (mut session, _) = segmented(FilteredOut::Mark);
    let marked = export(&mut session, ExportKind::ClusteredCsv);
    let in_filter = column(&marked, "in_filter");
    let segment = column(&marked, "segment");
    assert_eq!(in_filter.len(), 40, "every row of the file stays");
    assert_eq!(in_filter.iter().filter(|v| *v == "yes").count(), 24);
    let states = column(&marked, "state");
    for ((state, inside), segment) in states.iter().zip(&in_filter).zip(&segment) {
        let kept = state == "CA" || state == "NY";
        assert_eq!(inside == "yes", kept, "{state}");
        assert_eq!(segment.is_empty(), !kept, "{state}");
    }
    let (mut session, _) = segmented(FilteredOut::Drop);
    let dropped = export(&mut session, ExportKind::ClusteredCsv);
    assert_eq!(dropped.lines().count(), 1 + 24);
    assert!(!dropped.lines().next().unwrap().contains("in_filter"));
}

#[test]
fn the_holdout_is_exact_per_segment_reproducible_and_marked_in_the_downloads() {
    let (mut session, pro) = segmented(FilteredOut::Mark);
    let ActivationAnswer::Holdout(split) = answer(
        &mut session,
        ActivationRequest::Holdout {
            share: 0.25,
            seed: 3,
        },
    ) else {
        panic!("expected a holdout");
    };
    // 25% of 10 is 2.5 → 3; of 14 is 3.5 → 4 (halves round up).
    let held: Vec<(u32, usize, usize)> = split
        .per_segment
        .iter()
        .map(|s| (s.segment, s.members, s.held_out))
        .collect();
    let basic = 1 - pro;
    let mut expected = vec![(pro + 1, 10, 3), (basic + 1, 14, 4)];
    expected.sort_unstable();
    assert_eq!(held, expected);
    let csv = export(&mut session, ExportKind::ClusteredCsv);
    let holdout = column(&csv, "holdout");
    assert_eq!(holdout.iter().filter(|v| *v == "yes").count(), 7);
    assert_eq!(
        holdout.iter().filter(|v| v.is_empty()).count(),
        16,
        "filtered-out rows"
    );
    // The same seed draws the same customers.
    answer(
        &mut session,
        ActivationRequest::Holdout {
            share: 0.25,
            seed: 3,
        },
    );
    assert_eq!(
        column(&export(&mut session, ExportKind::ClusteredCsv), "holdout"),
        holdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&export(&mut session, ExportKind::PersonasJson)).unwrap();
    assert_eq!(
        json["activation"]["holdout"]["per_segment"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(json["activation"]["filter"]["kept"], 24);
    let Response::File(file) = activation(&mut session, ActivationRequest::HoldoutFile) else {
        panic!("expected the held-out customers");
    };
    assert_eq!(file.name, "activation-customers-holdout.csv");
    assert_eq!(file.content.lines().count(), 1 + 7);
}

#[test]
fn held_out_customers_never_reach_the_upload_files() {
    let (mut session, _) = segmented(FilteredOut::Mark);
    answer(
        &mut session,
        ActivationRequest::Holdout {
            share: 0.5,
            seed: 11,
        },
    );
    let Response::File(held) = activation(&mut session, ActivationRequest::HoldoutFile) else {
        panic!("expected the held-out customers");
    };
    let ActivationAnswer::Files { files, .. } = answer(
        &mut session,
        ActivationRequest::Files {
            destinations: vec![Destination::HashedEmail],
            segments: Vec::new(),
            default_country: Some("US".into()),
        },
    ) else {
        panic!("expected files");
    };
    let uploaded: String = files.iter().map(|f| f.content.as_str()).collect();
    let emails = column(&held.content, "email");
    assert_eq!(emails.len(), 5 + 7);
    let mut checked = 0;
    for email in emails
        .iter()
        .filter(|e| e.contains('@') && !e.ends_with('@'))
    {
        let hash =
            audience_engine::export::customer_match::sha256_hex(&email.trim().to_lowercase());
        assert!(
            !uploaded.contains(&hash),
            "{email} was held out but uploaded"
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}

#[test]
fn coverage_counts_valid_emails_phones_and_addresses_per_segment_with_minimums() {
    let (mut session, pro) = segmented(FilteredOut::Mark);
    let ActivationAnswer::Coverage(report) = answer(
        &mut session,
        ActivationRequest::Coverage {
            destinations: vec![Destination::LinkedIn, Destination::X],
            default_country: Some("US".into()),
        },
    ) else {
        panic!("expected coverage");
    };
    let of = |index: u32| {
        report
            .coverage
            .segments
            .iter()
            .find(|s| s.segment == index + 1)
            .unwrap()
    };
    let (p, b) = (of(pro), of(1 - pro));
    // Pro: `bob@` is no e-mail; basic: `555-CALL-NOW` is no phone.
    assert_eq!(
        (p.members, p.email, p.phone, p.name_zip_country),
        (10, 9, 10, 10)
    );
    assert_eq!(
        (b.members, b.email, b.phone, b.name_zip_country),
        (14, 14, 13, 14)
    );
    assert!(
        report.columns.contains(&"email (e-mail)".to_string()),
        "{:?}",
        report.columns
    );
    // Every list is far below LinkedIn's 300 and X's 100: four warnings with their sources.
    assert_eq!(report.coverage.warnings.len(), 4);
    let linkedin = report
        .coverage
        .warnings
        .iter()
        .find(|w| w.destination == Destination::LinkedIn && w.segment == pro + 1)
        .unwrap();
    assert_eq!((linkedin.rows, linkedin.minimum), (9, 300));
    assert!(linkedin
        .source
        .contains("linkedin.com/help/lms/answer/a1489764"));
}

#[test]
fn upload_files_follow_each_platforms_format_and_count_skipped_rows() {
    let (mut session, pro) = segmented(FilteredOut::Mark);
    let ActivationAnswer::Files { files, notes } = answer(
        &mut session,
        ActivationRequest::Files {
            destinations: Destination::ALL.to_vec(),
            segments: Vec::new(),
            default_country: Some("US".into()),
        },
    ) else {
        panic!("expected files");
    };
    assert_eq!(files.len(), 12, "six platforms, two segments");
    let file = |slug: &str, index: u32| {
        let prefix = format!("customer-match-{slug}-segment-{}", index + 1);
        files
            .iter()
            .find(|f| f.name.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {prefix}"))
    };
    assert!(file("tiktok", pro)
        .content
        .starts_with("Email_SHA256,Phone_SHA256\n"));
    assert!(file("linkedin", pro)
        .content
        .starts_with("email,firstname,lastname,jobtitle,employeecompany,country,googleaid\n"));
    assert!(file("hashed-email", pro)
        .content
        .starts_with("email_sha256\n"));
    // Ann (C1000, pro) in every e-mail file, hashed after trimming and lower-casing.
    for slug in ["tiktok", "x", "linkedin", "hashed-email"] {
        assert!(file(slug, pro).content.contains(ANN_SHA256), "{slug}");
    }
    // X: one hash per line, no header; `bob@` skipped.
    assert_eq!(file("x", pro).content.lines().count(), 9);
    let note = notes
        .iter()
        .find(|n| n.starts_with(&format!("customer-match-hashed-email-segment-{}", pro + 1)))
        .unwrap();
    assert!(
        note.contains("9 of 10 customers written, 1 skipped"),
        "{note}"
    );
}

#[test]
fn comparing_two_segments_ranks_the_plan_first_and_gives_the_conversion_difference() {
    let (mut session, pro) = segmented(FilteredOut::Mark);
    let basic = 1 - pro;
    let ActivationAnswer::Compared(comparison) = answer(
        &mut session,
        ActivationRequest::Compare {
            a: pro,
            b: Side::Segment(basic),
        },
    ) else {
        panic!("expected a comparison");
    };
    assert_eq!((comparison.a_rows, comparison.b_rows), (10, 14));
    assert_eq!(comparison.variables[0].column, "plan");
    assert_eq!(comparison.variables[0].score, 1.0);
    let conversion = comparison.conversion.as_ref().unwrap();
    assert_eq!((conversion.a, conversion.b), ((7, 10), (3, 14)));
    assert!((conversion.difference.unwrap() - (0.7 - 3.0 / 14.0)).abs() < 1e-12);
    // With two segments, "everyone else" is the other segment.
    let ActivationAnswer::Compared(rest) = answer(
        &mut session,
        ActivationRequest::Compare {
            a: pro,
            b: Side::Rest,
        },
    ) else {
        panic!("expected a comparison");
    };
    assert_eq!(rest.variables, comparison.variables);
    let Response::Failed(same) = activation(
        &mut session,
        ActivationRequest::Compare {
            a: pro,
            b: Side::Segment(pro),
        },
    ) else {
        panic!("expected a refusal");
    };
    assert!(
        same.message.contains("cannot be compared with itself"),
        "{}",
        same.message
    );
}
