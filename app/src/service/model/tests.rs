//! Saved segmentations in the session, on the small made-up files of `tests/fixtures/model-*.csv`:
//! month 1 has 10 low spenders (C01–C10) and 10 high spenders (C11–C20); in month 2, C09 and C10 became
//! high spenders, C19 and C20 are gone and N01–N04 are new (two of each kind).

use super::*;
use crate::protocol::{ExportKind, Failure, FailureKind, Request, VariableChoice};
use audience_engine::cluster::ShareBounds;
use audience_engine::ingest::HeaderMode;

const MONTH1: &str = include_str!("../../../../tests/fixtures/model-month1.csv");
const MONTH2: &str = include_str!("../../../../tests/fixtures/model-month2.csv");
const PROSPECTS: &str = include_str!("../../../../tests/fixtures/model-prospects.csv");

fn load(session: &mut Session, name: &str, csv: &str) {
    let response = session.handle(
        Request::LoadFile {
            file_name: name.into(),
            header: HeaderMode::Auto,
        },
        Some(csv.as_bytes()),
        &mut |_| {},
    );
    assert!(matches!(response, Response::Loaded(_)), "{response:?}");
}

fn model(session: &mut Session, request: ModelRequest, attachment: Option<&str>) -> Response {
    session.handle(
        Request::Model(request),
        attachment.map(str::as_bytes),
        &mut |_| {},
    )
}

/// Month 1 in two segments of 40–60 %, segment 1 renamed "Big spenders" or "Small spenders" after
/// what it holds; returns the session and the segment number of the low spenders.
fn segmented_month1() -> (Session, u32) {
    let mut session = Session::new();
    load(&mut session, "month1.csv", MONTH1);
    let settings = SegmentSettings {
        variables: ["age", "spend", "plan"]
            .map(|column| VariableChoice {
                column: column.into(),
                weight: 1.0,
            })
            .to_vec(),
        bounds: Some(ShareBounds { min: 0.4, max: 0.6 }),
        k: Some(2),
        seed: 11,
        target: None,
        description: String::new(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let response = session.handle(Request::Segment(settings), None, &mut |_| {});
    assert!(matches!(response, Response::Segmented(_)), "{response:?}");
    let labels = &session.results.as_ref().unwrap().segmentation.labels;
    assert_eq!(labels[..10], [labels[0]; 10]);
    assert_eq!(labels[10..], [1 - labels[0]; 10]);
    let low = labels[0] + 1;
    let name = if low == 1 {
        "Small spenders"
    } else {
        "Big spenders"
    };
    let renamed = session.handle(
        Request::Rename {
            segment: 1,
            name: name.into(),
        },
        None,
        &mut |_| {},
    );
    assert!(matches!(renamed, Response::Personas(_)), "{renamed:?}");
    (session, low)
}

fn saved_json(session: &mut Session) -> String {
    let Response::Model(answer) = model(session, ModelRequest::Save, None) else {
        panic!("expected a model answer");
    };
    let ModelAnswer::Saved { file, label } = *answer else {
        panic!("expected the saved document");
    };
    assert_eq!(file.name, "month1-segmentation.json");
    assert_eq!(label, "2 segments from month1.csv");
    file.content
}

fn apply_to_month2(session: &mut Session, json: &str, mode: BoundsMode) -> SegmentResults {
    load(session, "month2.csv", MONTH2);
    let request = ModelRequest::Apply {
        model_json: Some(json.into()),
        mode,
        target: None,
    };
    match model(session, request, None) {
        Response::Segmented(results) => *results,
        other => panic!("expected results, got {other:?}"),
    }
}

fn failure(response: Response) -> Failure {
    match response {
        Response::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn the_saved_segmentation_holds_the_segments_and_names_and_no_customer_row() {
    let (mut session, _) = segmented_month1();
    let json = saved_json(&mut session);
    let saved = read_model_json(&json).unwrap();
    assert_eq!(saved.k, 2);
    assert_eq!(saved.bounds, Some(ShareBounds { min: 0.4, max: 0.6 }));
    assert!(saved.segments[0]
        .name
        .as_deref()
        .unwrap()
        .ends_with("spenders"));
    for id in ["C01", "C20", "customer_id"] {
        assert!(!json.contains(id), "{id} in the model");
    }
}

#[test]
fn next_months_file_gets_the_saved_numbers_and_names_and_who_moved_is_counted() {
    let (mut session, low) = segmented_month1();
    let names = session.results.as_ref().unwrap().report.names_by_index();
    let json = saved_json(&mut session);
    for mode in [BoundsMode::Exact, BoundsMode::Nearest] {
        let results = apply_to_month2(&mut session, &json, mode);
        assert_eq!(results.report.names_by_index(), names, "{mode:?}");
        let applied = results.applied.as_ref().unwrap();
        assert_eq!((applied.rows, applied.at_nearest), (22, 22));
        assert_eq!(applied.columns, ["age", "spend", "plan"]);
        let labels = &session.results.as_ref().unwrap().segmentation.labels;
        // C01–C08 and N01–N02 are low spenders; C09, C10, C11–C18, N03–N04 high.
        let expected: Vec<u32> = (0..22)
            .map(|row| {
                if row < 8 || row == 18 || row == 19 {
                    low - 1
                } else {
                    2 - low
                }
            })
            .collect();
        assert_eq!(labels, &expected, "{mode:?}");
    }
    // The file loaded before in this tab was month 2 with the applied segments: compare month 2 with
    // month 1 instead by loading month 1's segments again as the previous segmentation.
    let (mut session, low) = segmented_month1();
    let json = saved_json(&mut session);
    apply_to_month2(&mut session, &json, BoundsMode::Exact);
    let request = ModelRequest::Movement {
        file_name: None,
        id_column: None,
    };
    let Response::Model(answer) = model(&mut session, request, None) else {
        panic!("expected the movement");
    };
    let ModelAnswer::Movement(report) = *answer else {
        panic!("expected the movement");
    };
    assert_eq!(report.id_column, "customer_id");
    assert_eq!(report.previous, "month1.csv (loaded before)");
    let m = &report.movement;
    assert_eq!(
        (m.stayed(), m.moved(), m.new_customers(), m.gone()),
        (16, 2, 4, 2)
    );
    let (low, high) = (low as usize, 3 - low as usize);
    assert_eq!(m.counts[low][high], 2, "C09 and C10 moved up");
    assert_eq!(m.counts[high][0], 2, "C19 and C20 are gone");
    assert_eq!((m.counts[0][low], m.counts[0][high]), (2, 2));
    assert!(report.file.content.starts_with("from,to,customers\n"));
    assert!(report.file.content.contains(&format!("{low},{high},2\n")));
    assert!(!report.file.content.contains("new,gone"));
}

#[test]
fn last_months_clustered_csv_gives_the_same_movement_as_the_tab() {
    let (mut session, _) = segmented_month1();
    let Response::File(clustered) = session.handle(
        Request::Export {
            kind: ExportKind::ClusteredCsv,
            keep_formulas: false,
            matching_only: false,
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected the clustered CSV");
    };
    let json = saved_json(&mut session);
    apply_to_month2(&mut session, &json, BoundsMode::Nearest);
    let movement = |session: &mut Session, file: Option<&str>| {
        let request = ModelRequest::Movement {
            file_name: file.map(|_| "month1-segments.csv".to_string()),
            id_column: Some("customer_id".into()),
        };
        match model(session, request, file) {
            Response::Model(answer) => match *answer {
                ModelAnswer::Movement(report) => report.movement,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    };
    let from_file = movement(&mut session, Some(&clustered.content));
    assert_eq!(from_file, movement(&mut session, None));
    assert_eq!(from_file.stayed(), 16);
    // A file without a segment column says so, naming its columns.
    let message = failure(model(
        &mut session,
        ModelRequest::Movement {
            file_name: Some("month1.csv".into()),
            id_column: None,
        },
        Some(MONTH1),
    ))
    .message;
    assert!(
        message.starts_with("month1.csv has no \"segment\" column"),
        "{message}"
    );
    assert!(
        message.contains("customer_id, age, spend, plan"),
        "{message}"
    );
}

#[test]
fn a_file_without_a_column_the_segmentation_uses_is_refused_by_name() {
    let (mut session, _) = segmented_month1();
    let json = saved_json(&mut session);
    load(
        &mut session,
        "month2.csv",
        &MONTH2.replace("spend", "revenue"),
    );
    let refused = failure(model(
        &mut session,
        ModelRequest::Apply {
            model_json: Some(json),
            mode: BoundsMode::Exact,
            target: None,
        },
        None,
    ));
    assert_eq!(refused.kind, FailureKind::Model);
    assert!(
        refused.message.contains("no column \"spend\""),
        "{}",
        refused.message
    );
    // Not a model at all.
    let refused = failure(model(
        &mut session,
        ModelRequest::Apply {
            model_json: None,
            mode: BoundsMode::Exact,
            target: None,
        },
        Some(MONTH1),
    ));
    assert!(
        refused.message.contains("not a saved segmentation"),
        "{}",
        refused.message
    );
}

#[test]
fn lookalike_downloads_the_best_prospects_of_the_chosen_segment_with_their_reason() {
    let (mut session, low) = segmented_month1();
    let request = ModelRequest::Lookalike {
        file_name: "prospects.csv".into(),
        segment: low,
        pick: ProspectPick::Top { n: 3 },
    };
    let Response::Model(answer) = model(&mut session, request, Some(PROSPECTS)) else {
        panic!("expected the scores");
    };
    let ModelAnswer::Lookalike(report) = *answer else {
        panic!("expected the scores");
    };
    assert_eq!((report.prospects, report.written), (6, 3));
    let not_a_match = report
        .bands
        .iter()
        .find(|(band, _)| *band == Band::NotAMatch)
        .unwrap()
        .1;
    assert_eq!(
        not_a_match, 3,
        "the three high spenders resemble the other segment"
    );
    let lines: Vec<&str> = report.file.content.lines().collect();
    assert_eq!(
        lines[0],
        "prospect_id,age,spend,plan,lookalike_score,lookalike_band,lookalike_reason"
    );
    let ids: std::collections::BTreeSet<&str> = lines[1..].iter().map(|l| &l[..3]).collect();
    assert_eq!(ids, ["P01", "P02", "P03"].into());
    assert_eq!(
        report.file.name,
        "prospects-lookalike-segment-".to_string() + &low.to_string() + ".csv"
    );
    assert_eq!(report.examples.len(), 3);
    let zero = failure(model(
        &mut session,
        ModelRequest::Lookalike {
            file_name: "prospects.csv".into(),
            segment: low,
            pick: ProspectPick::Top { n: 0 },
        },
        Some(PROSPECTS),
    ));
    assert!(
        zero.message.contains("how many prospects"),
        "{}",
        zero.message
    );
}

#[test]
fn two_planted_groups_are_stable_over_refits() {
    let (mut session, _) = segmented_month1();
    let Response::Model(answer) = model(&mut session, ModelRequest::Stability { refits: 3 }, None)
    else {
        panic!("expected the stability report");
    };
    let ModelAnswer::Stability(report) = *answer else {
        panic!("expected the stability report");
    };
    assert_eq!(report.refits.len(), 3);
    assert_eq!(report.kept, 1.0);
    assert_eq!(report.adjusted_rand, 1.0);
    assert!(report.unstable().is_empty());
}

#[test]
fn without_a_previous_segmentation_movement_says_what_to_load() {
    let (mut session, _) = segmented_month1();
    let message = failure(model(
        &mut session,
        ModelRequest::Movement {
            file_name: None,
            id_column: None,
        },
        None,
    ))
    .message;
    assert!(
        message.contains("load last month's clustered CSV"),
        "{message}"
    );
}

#[test]
fn model_requests_and_answers_survive_the_wire_with_their_tags() {
    let requests = [
        Request::Model(ModelRequest::Save),
        Request::Model(ModelRequest::Apply {
            model_json: None,
            mode: BoundsMode::Nearest,
            target: Some("is_sale".into()),
        }),
        Request::Model(ModelRequest::Lookalike {
            file_name: "p.csv".into(),
            segment: 2,
            pick: ProspectPick::Band { band: Band::Good },
        }),
        Request::Model(ModelRequest::Stability { refits: 5 }),
    ];
    for request in requests {
        let json = serde_json::to_string(&request).unwrap();
        assert!(json.starts_with("{\"model\":{\"action\":"), "{json}");
        assert_eq!(serde_json::from_str::<Request>(&json).unwrap(), request);
    }
    let (mut session, _) = segmented_month1();
    let answer = model(&mut session, ModelRequest::Stability { refits: 1 }, None);
    let json = serde_json::to_string(&answer).unwrap();
    assert!(json.contains("\"answer\":\"stability\""), "{json}");
    assert_eq!(serde_json::from_str::<Response>(&json).unwrap(), answer);
}
