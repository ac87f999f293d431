//! Tests of every request, on small files made in the test.

use super::*;
use crate::protocol::{ExportKind, Failure, SegmentSettings, Suggestions};
use audience_engine::ingest::HeaderMode;
use audience_search::columns::MEANING_UNKNOWN;
use audience_search::{DataKind, SearchAssets};

use audience_engine::cluster::ShareBounds;
use audience_engine::table::ColumnType;

fn load(session: &mut Session, name: &str, bytes: &[u8]) -> Response {
    session.handle(
        Request::LoadFile {
            file_name: name.into(),
            header: HeaderMode::Auto,
        },
        Some(bytes),
        &mut |_| {},
    )
}

#[test]
fn loading_a_file_previews_counts_types_and_first_rows() {
    let csv = "id;city;spend\n1;Köln;10,5\n2;Malmö;7\n3;Köln;\n";
    let Response::Loaded(preview) = load(&mut Session::new(), "shop.csv", csv.as_bytes()) else {
        panic!("expected a preview");
    };
    assert_eq!((preview.n_rows, preview.n_columns), (3, 3));
    assert_eq!(preview.columns[2].column_type, ColumnType::Numeric);
    assert_eq!(preview.columns[2].missing, 1);
    assert_eq!(preview.rows[1], vec!["2", "Malmö", "7"]);
    assert_eq!(preview.format, "UTF-8, \";\"-separated, with a header row");
    assert!(preview.notes.is_empty(), "{:?}", preview.notes);
}

#[test]
fn the_preview_shows_at_most_ten_rows() {
    let csv: String = std::iter::once("n\n".to_owned())
        .chain((0..25).map(|i| format!("{i}\n")))
        .collect();
    let Response::Loaded(preview) = load(&mut Session::new(), "n.csv", csv.as_bytes()) else {
        panic!("expected a preview");
    };
    assert_eq!(preview.n_rows, 25);
    assert_eq!(preview.rows.len(), PREVIEW_ROWS);
}

#[test]
fn set_aside_rows_are_named_by_line_in_the_notes() {
    let csv = "a,b\n1,2\n3\n4,5\n6,7,8\n";
    let Response::Loaded(preview) = load(&mut Session::new(), "ragged.csv", csv.as_bytes()) else {
        panic!("expected a preview");
    };
    assert_eq!(preview.n_rows, 2);
    assert_eq!(
        preview.notes[0],
        "2 of 4 rows could not be read as-is and were set aside (lines 3, 5)"
    );
}

fn demo_session() -> Session {
    let demo =
        audience_engine::demo::generate(&audience_engine::demo::DemoParams { rows: 400, seed: 7 })
            .unwrap();
    let mut session = Session::new();
    assert!(matches!(
        load(&mut session, "leads.csv", demo.to_csv().as_bytes()),
        Response::Loaded(_)
    ));
    session
}

#[test]
fn a_description_checks_the_columns_it_names_even_without_the_catalog() {
    let mut session = demo_session();
    let request = Request::Suggest {
        query: "senior tech decision makers in California".into(),
        data_kind: None,
        withheld: Vec::new(),
    };
    let Response::Suggestions(suggestions) = session.handle(request, None, &mut |_| {}) else {
        panic!("expected suggestions");
    };
    assert!(!suggestions.catalog_searched);
    let mut suggested: Vec<&str> = suggestions
        .columns
        .iter()
        .filter(|c| c.suggested)
        .map(|c| c.column.as_str())
        .collect();
    suggested.sort_unstable();
    assert_eq!(suggested, ["Industry", "Job Title", "State"]);
    assert_eq!(suggestions.columns[0].relevance, 1.0);
    let state = suggestions
        .columns
        .iter()
        .find(|c| c.column == "State")
        .unwrap();
    assert_eq!(state.matched_terms, ["“california” → CA"]);
}

#[test]
fn segmenting_the_demo_keeps_every_segment_within_the_bounds_and_exports_every_row() {
    let mut session = demo_session();
    let settings = SegmentSettings {
        variables: ["Industry", "Job Title", "State", "Lead Source"]
            .iter()
            .map(|column| crate::protocol::VariableChoice {
                column: (*column).into(),
                weight: 1.0,
            })
            .collect(),
        bounds: Some(ShareBounds {
            min: 0.05,
            max: 0.10,
        }),
        k: Some(12),
        seed: 3,
        target: Some("is_sale".into()),
        description: String::new(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let mut updates = 0;
    let Response::Segmented(results) =
        session.handle(Request::Segment(settings), None, &mut |_| updates += 1)
    else {
        panic!("expected results");
    };
    assert!(updates > 0, "progress is reported");
    assert_eq!(results.segmentation.k, 12);
    for size in &results.segmentation.sizes {
        assert!((20..=40).contains(size), "size {size} of 400 within 5–10%");
    }
    assert!(results.report.target.is_some());
    let Response::File(file) = session.handle(
        Request::Export {
            kind: ExportKind::ClusteredCsv,
            keep_formulas: false,
            matching_only: false,
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected a file");
    };
    assert_eq!(file.name, "leads-segments.csv");
    assert_eq!(file.content.lines().count(), 401);
    assert!(file.content.starts_with("State,Industry,Job Title,Education Level,Age_range,Years of Experience,Gender,Lead Source,is_sale,segment,segment_name\n"));
}

#[test]
fn the_conversion_column_cannot_also_define_the_segments() {
    let mut session = demo_session();
    let settings = SegmentSettings {
        variables: vec![crate::protocol::VariableChoice {
            column: "is_sale".into(),
            weight: 1.0,
        }],
        bounds: None,
        k: Some(3),
        seed: 1,
        target: Some("is_sale".into()),
        description: String::new(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let Response::Failed(failure) = session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected a failure");
    };
    assert!(
        failure.message.contains("conversion column"),
        "{}",
        failure.message
    );
}

#[test]
fn an_empty_file_fails_with_a_message_naming_it() {
    let Response::Failed(failure) = load(&mut Session::new(), "empty.csv", b"") else {
        panic!("expected a failure");
    };
    assert!(
        failure.message.starts_with("empty.csv: "),
        "{}",
        failure.message
    );
}

#[test]
fn a_request_without_its_file_fails() {
    let response = Session::new().handle(
        Request::LoadFile {
            file_name: "x.csv".into(),
            header: HeaderMode::Auto,
        },
        None,
        &mut |_| {},
    );
    assert!(matches!(response, Response::Failed(failure) if failure.message.contains("x.csv")));
}

/// A three-variable catalog with the availability of each, searchable lexically.
fn small_catalog() -> SearchIndex {
    use audience_search::{Catalog, Lexicon, StaticEmbedder};
    use std::sync::Arc;
    let mut table = b"ABEMB001".to_vec();
    table.extend(2u32.to_le_bytes());
    table.extend(1u32.to_le_bytes());
    table.extend(1.0f32.to_le_bytes());
    table.extend([0u8, 0]);
    let embedder = Arc::new(StaticEmbedder::from_bytes(b"[PAD]\n[UNK]\n", &table).unwrap());
    let jsonl = concat!(
        r#"{"code":"B19013_001E","label":"Median household income in the past 12 months","concept":"Median household income in the past 12 months","table":"B19013","type":"financial","data_type":"numeric","availability":["third_party"]}"#,
        "\n",
        r#"{"code":"B01003_001E","label":"Total","concept":"Total population","table":"B01003","type":"demographic","data_type":"numeric","availability":["third_party"]}"#,
        "\n",
        r#"{"code":"AB_INC_001","label":"Household income band reported by the customer","concept":"Income","table":"AB_INC","type":"financial","data_type":"ordinal","availability":["first_party","clean_room"]}"#,
        "\n",
    );
    let catalog = Catalog::from_bytes(jsonl.as_bytes()).unwrap();
    SearchIndex::new(catalog, embedder, Lexicon::default_lexicon(), None).unwrap()
}

fn codes(suggestions: &Suggestions) -> Vec<String> {
    let mut codes: Vec<String> = suggestions
        .catalog
        .iter()
        .flat_map(|group| group.hits.iter().map(|hit| hit.code.clone()))
        .collect();
    codes.sort();
    codes
}

fn suggest(session: &mut Session, data_kind: Option<DataKind>, withheld: &[&str]) -> Suggestions {
    let request = Request::Suggest {
        query: "household income".into(),
        data_kind,
        withheld: withheld.iter().map(|c| (*c).to_owned()).collect(),
    };
    match session.handle(request, None, &mut |_| {}) {
        Response::Suggestions(suggestions) => suggestions,
        other => panic!("expected suggestions, got {other:?}"),
    }
}

const CUSTOMERS: &str = "id,zip,plan,spend\nc1,02139,gold,10\nc2,2139,silver,20\nc3,10001,gold,30\nc4,94105,silver,40\nc5,,gold,50\n";
const CENSUS: &str =
    "ZCTA,B19013_001E,B01003_001E,XYZ_1\n02139,85000,36000,a\n10001,92000,21000,b\n10001,1,1,c\n";

#[test]
fn the_data_kind_filters_catalog_variables_by_availability() {
    let mut session = Session::new();
    load(&mut session, "c.csv", CUSTOMERS.as_bytes());
    session.catalog = Some(small_catalog());
    let all = suggest(&mut session, None, &[]);
    assert_eq!(codes(&all), ["AB_INC_001", "B19013_001E"]);
    let third = suggest(&mut session, Some(DataKind::ThirdParty), &[]);
    assert_eq!(codes(&third), ["B19013_001E"]);
    let first = suggest(&mut session, Some(DataKind::FirstParty), &[]);
    assert_eq!(codes(&first), ["AB_INC_001"]);
    let clean = suggest(&mut session, Some(DataKind::CleanRoom), &[]);
    assert_eq!(codes(&clean), ["AB_INC_001"]);
}

#[test]
fn a_coded_column_is_said_to_be_of_unknown_meaning_and_gets_no_relevance() {
    use audience_search::{Catalog, Lexicon, StaticEmbedder};
    use std::sync::Arc;
    // A vocabulary that knows "plan" and "spend" but not "mostype".
    let vocab = "[PAD]\n[UNK]\nplan\nspend\n";
    let mut table = b"ABEMB001".to_vec();
    table.extend(4u32.to_le_bytes());
    table.extend(2u32.to_le_bytes());
    table.extend(1.0f32.to_le_bytes());
    table.extend([0u8, 0, 0, 0, 10, 0, 0, 10]);
    let embedder = Arc::new(StaticEmbedder::from_bytes(vocab.as_bytes(), &table).unwrap());
    let catalog = Catalog::from_bytes(
        br#"{"code":"X_1","label":"Plan","concept":"Plan","table":"X","type":"financial","data_type":"numeric"}"#,
    )
    .unwrap();
    let mut session = Session::new();
    load(
        &mut session,
        "c.csv",
        b"plan,MOSTYPE\ngold,1\nsilver,2\ngold,3\nsilver,4\n",
    );
    session.catalog =
        Some(SearchIndex::new(catalog, embedder, Lexicon::default_lexicon(), None).unwrap());
    let request = Request::Suggest {
        query: "mostype plan".into(),
        data_kind: None,
        withheld: Vec::new(),
    };
    let Response::Suggestions(suggestions) = session.handle(request, None, &mut |_| {}) else {
        panic!("expected suggestions");
    };
    let column = |name: &str| {
        suggestions
            .columns
            .iter()
            .find(|c| c.column == name)
            .unwrap()
            .clone()
    };
    let coded = column("MOSTYPE");
    assert!(
        coded.matched_terms.contains(&MEANING_UNKNOWN.to_owned()),
        "{coded:?}"
    );
    assert!(coded.linked_variables.is_empty(), "{coded:?}");
    let plan = column("plan");
    assert!(!plan.matched_terms.contains(&MEANING_UNKNOWN.to_owned()));
    assert!(plan.relevance > coded.relevance, "{plan:?} vs {coded:?}");
}

#[test]
fn withheld_columns_are_neither_offered_nor_clustered() {
    let mut session = Session::new();
    load(&mut session, "c.csv", CUSTOMERS.as_bytes());
    let offered: Vec<String> = suggest(&mut session, None, &["plan"])
        .columns
        .into_iter()
        .map(|c| c.column)
        .collect();
    assert!(!offered.contains(&"plan".to_owned()), "{offered:?}");
    assert!(offered.contains(&"spend".to_owned()), "{offered:?}");
    let settings = SegmentSettings::on_columns(&["plan"], 2, 1);
    let Response::Failed(failure) = session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected a failure");
    };
    assert_eq!(
        failure.message,
        "\"plan\" is marked as an ID or excluded column; it cannot define the segments."
    );
}

fn retype(session: &mut Session, column: &str, column_type: ColumnType) -> Response {
    session.handle(
        Request::Retype {
            column: column.into(),
            column_type,
        },
        None,
        &mut |_| {},
    )
}

#[test]
fn retyping_a_column_updates_the_preview_and_the_table() {
    let mut session = Session::new();
    load(&mut session, "c.csv", CUSTOMERS.as_bytes());
    let Response::Updated(preview) = retype(&mut session, "spend", ColumnType::Categorical) else {
        panic!("expected an updated preview");
    };
    assert_eq!(preview.columns[3].column_type, ColumnType::Categorical);
    assert_eq!(preview.columns[3].distinct, 5);
    assert_eq!(preview.file_name, "c.csv");
    let table = &session.dataset.as_ref().unwrap().table;
    assert_eq!(table.columns()[3].column_type(), ColumnType::Categorical);
}

#[test]
fn a_type_that_cannot_read_the_values_fails_and_leaves_the_column() {
    let mut session = Session::new();
    load(&mut session, "c.csv", CUSTOMERS.as_bytes());
    let Response::Failed(failure) = retype(&mut session, "plan", ColumnType::Numeric) else {
        panic!("expected a failure");
    };
    assert!(
        failure
            .message
            .starts_with("\"plan\" cannot be read as numeric: "),
        "{}",
        failure.message
    );
    let table = &session.dataset.as_ref().unwrap().table;
    assert!(table.columns()[2].column_type().has_levels());
    let Response::Failed(failure) = retype(&mut session, "nope", ColumnType::Numeric) else {
        panic!("expected a failure");
    };
    assert_eq!(failure.message, "The file has no column \"nope\".");
}

#[test]
fn an_enrichment_join_reports_coverage_and_labels_columns_from_the_catalog() {
    let mut session = Session::new();
    load(&mut session, "c.csv", CUSTOMERS.as_bytes());
    session.catalog = Some(small_catalog());
    let Response::EnrichmentLoaded(enrichment) = session.handle(
        Request::LoadEnrichment {
            file_name: "census.csv".into(),
        },
        Some(CENSUS.as_bytes()),
        &mut |_| {},
    ) else {
        panic!("expected the enrichment preview");
    };
    assert_eq!(enrichment.n_rows, 3);
    assert_eq!(enrichment.customer_key.as_deref(), Some("zip"));
    assert_eq!(enrichment.enrichment_key.as_deref(), Some("ZCTA"));
    let Response::Updated(preview) = session.handle(
        Request::Join {
            customer_key: "zip".into(),
            enrichment_key: "ZCTA".into(),
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected an updated preview");
    };
    let coverage = preview.enrichment.as_ref().unwrap();
    // c1, c2 (2139 = 02139) and c3 match; c4 has no census row; c5 has no ZIP.
    assert_eq!((coverage.report.matched, coverage.report.unmatched), (3, 2));
    assert_eq!(coverage.report.missing_key, 1);
    assert_eq!(coverage.report.duplicate_keys, 1);
    assert_eq!(coverage.labelled, 2);
    let added = [
        "Median household income in the past 12 months (B19013_001E)",
        "Total population (B01003_001E)",
        "XYZ_1",
    ];
    assert_eq!(coverage.report.added_columns, added);
    let names: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names[4..], added);
    assert_eq!(preview.columns[4].missing, 2);
    // The enrichment columns are offered as variables.
    let offered: Vec<String> = suggest(&mut session, None, &[])
        .columns
        .into_iter()
        .map(|c| c.column)
        .collect();
    for name in added {
        assert!(offered.contains(&name.to_owned()), "{name} in {offered:?}");
    }
    // Joining again on other keys starts from the customer file, not the enriched one.
    let Response::Updated(again) = session.handle(
        Request::Join {
            customer_key: "id".into(),
            enrichment_key: "ZCTA".into(),
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected an updated preview");
    };
    assert_eq!(again.n_columns, 7);
    assert_eq!(again.enrichment.unwrap().report.matched, 0);
}

#[test]
fn the_clustered_csv_includes_the_enrichment_columns() {
    let mut session = Session::new();
    load(&mut session, "c.csv", CUSTOMERS.as_bytes());
    session.handle(
        Request::LoadEnrichment {
            file_name: "census.csv".into(),
        },
        Some(CENSUS.as_bytes()),
        &mut |_| {},
    );
    session.handle(
        Request::Join {
            customer_key: "zip".into(),
            enrichment_key: "ZCTA".into(),
        },
        None,
        &mut |_| {},
    );
    let settings = SegmentSettings::on_columns(&["B19013_001E"], 2, 1);
    assert!(matches!(
        session.handle(Request::Segment(settings), None, &mut |_| {}),
        Response::Segmented(_)
    ));
    let Response::File(file) = session.handle(
        Request::Export {
            kind: ExportKind::ClusteredCsv,
            keep_formulas: false,
            matching_only: false,
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected a file");
    };
    let mut lines = file.content.lines();
    assert_eq!(
        lines.next(),
        Some("id,zip,plan,spend,B19013_001E,B01003_001E,XYZ_1,segment,segment_name")
    );
    assert_eq!(lines.count(), 5);
}

#[test]
fn the_clustered_csv_download_escapes_cells_that_would_run_as_formulas() {
    let content = clustered_download(
        "name,spend\n=HYPERLINK(\"http://x\"),1\nAnn,-2.5\n@SUM(A1),30\nBob,40\n",
        false,
    );
    let firsts: Vec<&str> = content
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap())
        .collect();
    // Formulas get a leading '; a negative number stays a number.
    assert_eq!(
        firsts,
        [
            "\"'=HYPERLINK(\"\"http://x\"\")\"",
            "Ann",
            "'@SUM(A1)",
            "Bob"
        ]
    );
    assert!(content.contains("Ann,-2.5,"), "{content}");
}

/// Segments `csv` on `spend` into 2 segments and downloads the clustered CSV.
fn clustered_download(csv: &str, keep_formulas: bool) -> String {
    let mut session = Session::new();
    load(&mut session, "f.csv", csv.as_bytes());
    let settings = SegmentSettings::on_columns(&["spend"], 2, 1);
    assert!(matches!(
        session.handle(Request::Segment(settings), None, &mut |_| {}),
        Response::Segmented(_)
    ));
    let request = Request::Export {
        kind: ExportKind::ClusteredCsv,
        keep_formulas,
        matching_only: false,
    };
    let Response::File(file) = session.handle(request, None, &mut |_| {}) else {
        panic!("expected a file");
    };
    file.content
}

#[test]
fn keeping_formulas_writes_the_input_cells_byte_for_byte() {
    let content = clustered_download("name,spend\n@SUM(A1),1\nAnn,2\n=1+1,30\nBob,40\n", true);
    let firsts: Vec<&str> = content
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap())
        .collect();
    assert_eq!(firsts, ["@SUM(A1)", "Ann", "=1+1", "Bob"]);
}

#[test]
fn a_file_with_segment_columns_keeps_them_and_gets_the_new_ones_under_free_names() {
    let content = clustered_download(
        "name,segment,segment_name,spend\nAnn,9,Old,1\nBob,9,Old,2\nCy,8,Old,30\nDee,8,Old,40\n",
        false,
    );
    let header = content.lines().next().unwrap();
    assert_eq!(
        header,
        "name,segment,segment_name,spend,segment_2,segment_name_2"
    );
    assert!(content.contains("\nAnn,9,Old,1,"), "{content}");
}

#[test]
fn joining_without_an_enrichment_file_fails() {
    let mut session = Session::new();
    load(&mut session, "c.csv", CUSTOMERS.as_bytes());
    let response = session.handle(
        Request::Join {
            customer_key: "zip".into(),
            enrichment_key: "ZCTA".into(),
        },
        None,
        &mut |_| {},
    );
    assert!(
        matches!(response, Response::Failed(ref f) if f.message == "Choose an enrichment file first."),
        "{response:?}"
    );
}

fn failure(response: Response) -> Failure {
    match response {
        Response::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn each_failure_carries_the_kind_the_page_branches_on() {
    use crate::protocol::FailureKind;
    let none = |request| failure(Session::new().handle(request, None, &mut |_| {}));
    // Reading: an empty file is the file's fault; a request without its file is a protocol bug.
    let empty = failure(load(&mut Session::new(), "empty.csv", b""));
    assert_eq!(empty.kind, FailureKind::File);
    assert!(
        empty.message.starts_with("empty.csv: "),
        "{}",
        empty.message
    );
    let lost = none(Request::LoadFile {
        file_name: "lost.csv".into(),
        header: HeaderMode::Auto,
    });
    assert_eq!(
        lost,
        Failure::new(
            FailureKind::Protocol,
            "No file came with the request to read \"lost.csv\"."
        )
    );
    // Steps out of order.
    assert_eq!(
        none(Request::Export {
            kind: ExportKind::SummaryCsv,
            keep_formulas: false,
            matching_only: false
        }),
        Failure::new(FailureKind::NotReady, "Load a file first.")
    );
    let mut session = demo_session();
    let export = failure(session.handle(
        Request::Export {
            kind: ExportKind::SummaryCsv,
            keep_formulas: false,
            matching_only: false,
        },
        None,
        &mut |_| {},
    ));
    assert_eq!(
        export,
        Failure::new(FailureKind::NotReady, "Segment the file first.")
    );
    // A type that cannot read the values.
    let retype = failure(retype(&mut session, "Industry", ColumnType::Numeric));
    assert_eq!(retype.kind, FailureKind::Retype, "{}", retype.message);
    // Impossible settings: bounds no k can meet are the user's settings, in the engine's words.
    let columns = |names: &[&str]| {
        names
            .iter()
            .map(|c| crate::protocol::VariableChoice {
                column: (*c).into(),
                weight: 1.0,
            })
            .collect()
    };
    let impossible = SegmentSettings {
        variables: columns(&["Industry"]),
        bounds: Some(ShareBounds {
            min: 0.26,
            max: 0.30,
        }),
        k: None,
        seed: 1,
        target: None,
        description: String::new(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let refused = failure(session.handle(Request::Segment(impossible), None, &mut |_| {}));
    assert_eq!(refused.kind, FailureKind::Settings);
    assert_eq!(
        refused.message,
        audience_engine::cluster::ClusterError::NoFeasibleK {
            min: 0.26,
            max: 0.30,
            k_low: 4,
            k_high: 3
        }
        .to_string()
    );
    let no_column = SegmentSettings {
        variables: columns(&["nope"]),
        bounds: None,
        k: Some(3),
        seed: 1,
        target: None,
        description: String::new(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    assert_eq!(
        failure(session.handle(Request::Segment(no_column), None, &mut |_| {})),
        Failure::new(FailureKind::Settings, "The file has no column \"nope\".")
    );
    // The catalog: unreadable assets say so with the catalog kind (not by their first words).
    let catalog = session.install_catalog(&SearchAssets {
        catalog: b"not a catalog",
        vocab: b"",
        table: b"",
        graph: None,
    });
    assert_eq!(failure(catalog).kind, FailureKind::Catalog);
}

/// Segments the 400-row demo on its professional columns, scored against `description`.
fn segmented_demo(description: &str) -> (Session, Box<crate::protocol::SegmentResults>) {
    let mut session = demo_session();
    let settings = SegmentSettings {
        variables: ["Industry", "Job Title", "Lead Source"]
            .iter()
            .map(|column| crate::protocol::VariableChoice {
                column: (*column).into(),
                weight: 1.0,
            })
            .collect(),
        bounds: None,
        k: Some(8),
        seed: 3,
        target: Some("is_sale".into()),
        description: description.into(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let Response::Segmented(results) =
        session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected results");
    };
    (session, results)
}

#[test]
fn the_demo_results_read_back_from_json_as_they_were() {
    // The worker sends a response as JSON text (`bridge::encode_body`). Every response of these tests is
    // checked to read back as the same text (`protocol::assert_survives_json`); the results of a
    // segmentation, the largest, must read back as the very same values.
    let (_, results) = segmented_demo("senior decision makers in tech");
    let response = Response::Segmented(results);
    let text = serde_json::to_string(&response).unwrap();
    assert_eq!(serde_json::from_str::<Response>(&text).unwrap(), response);
}

fn clustered_csv(session: &mut Session, matching_only: bool) -> Response {
    session.handle(
        Request::Export {
            kind: ExportKind::ClusteredCsv,
            keep_formulas: false,
            matching_only,
        },
        None,
        &mut |_| {},
    )
}

#[test]
fn segments_are_scored_against_the_description_and_only_matching_rows_can_be_downloaded() {
    let (mut session, results) = segmented_demo("technology leads who came through referrals");
    let audience = results.audience.as_ref().expect("a description is scored");
    let columns: Vec<&str> = audience
        .query
        .criteria
        .iter()
        .map(|c| c.column.as_str())
        .collect();
    assert_eq!(columns, ["Industry", "Lead Source"]);
    let matching = audience.matching();
    assert!(!matching.is_empty(), "{}", audience.describe());
    assert!(matching.len() < results.segmentation.k);
    let matching_size: usize = results
        .report
        .personas
        .iter()
        .filter(|p| matching.contains(&p.number))
        .map(|p| p.size)
        .sum();
    let Response::File(file) = clustered_csv(&mut session, true) else {
        panic!("expected the audience file");
    };
    assert_eq!(file.name, "leads-audience.csv");
    assert_eq!(file.content.lines().count(), matching_size + 1);
    for line in file.content.lines().skip(1) {
        let segment: u32 = line.split(',').rev().nth(1).unwrap().parse().unwrap();
        assert!(
            matching.contains(&segment),
            "row of segment {segment}: {line}"
        );
    }
    let Response::File(every) = clustered_csv(&mut session, false) else {
        panic!("expected the whole file");
    };
    assert_eq!(every.content.lines().count(), 401);
}

#[test]
fn keeping_only_matching_segments_without_a_match_says_what_to_do() {
    let (mut session, results) = segmented_demo("");
    assert!(results.audience.is_none());
    let Response::Failed(refusal) = clustered_csv(&mut session, true) else {
        panic!("expected a refusal");
    };
    assert_eq!(refusal.kind, crate::protocol::FailureKind::Export);
    assert!(
        refusal.message.contains("describe the audience"),
        "{}",
        refusal.message
    );
    let (mut session, results) = segmented_demo("people in aerospace");
    assert!(results.audience.is_some());
    let Response::Failed(refusal) = clustered_csv(&mut session, true) else {
        panic!("expected a refusal");
    };
    assert_eq!(refusal.kind, crate::protocol::FailureKind::Export);
}

#[test]
fn a_renamed_segment_carries_its_new_name_into_every_download() {
    let mut csv = String::from("email,plan\n");
    for row in 0..12 {
        let plan = if row < 6 { "Gold" } else { "Basic" };
        csv.push_str(&format!("person{row}@example.com,{plan}\n"));
    }
    let mut session = Session::new();
    assert!(matches!(
        load(&mut session, "members.csv", csv.as_bytes()),
        Response::Loaded(_)
    ));
    let settings = SegmentSettings::on_columns(&["plan"], 2, 1);
    let Response::Segmented(results) =
        session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected results");
    };
    let gold = results
        .report
        .personas
        .iter()
        .find(|p| p.name.contains("Gold"))
        .map(|p| p.number)
        .expect("a Gold segment");
    let rename = |session: &mut Session, segment: u32, name: &str| {
        session.handle(
            Request::Rename {
                segment,
                name: name.into(),
            },
            None,
            &mut |_| {},
        )
    };
    let Response::Personas(report) = rename(&mut session, gold, "  Loyal members ") else {
        panic!("expected the renamed personas");
    };
    let renamed = report.personas.iter().find(|p| p.number == gold).unwrap();
    assert_eq!(renamed.name, "Loyal members");
    let export = |session: &mut Session, kind| {
        let Response::File(file) = session.handle(
            Request::Export {
                kind,
                keep_formulas: false,
                matching_only: false,
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected a file");
        };
        file.content
    };
    let clustered = export(&mut session, ExportKind::ClusteredCsv);
    let gold_rows: Vec<&str> = clustered.lines().filter(|l| l.contains(",Gold,")).collect();
    assert_eq!(gold_rows.len(), 6);
    for line in gold_rows {
        assert!(line.ends_with(&format!(",{gold},Loyal members")), "{line}");
    }
    assert!(export(&mut session, ExportKind::SummaryCsv).contains("Loyal members"));
    let json: serde_json::Value =
        serde_json::from_str(&export(&mut session, ExportKind::PersonasJson)).unwrap();
    let names: Vec<&str> = json["personas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Loyal members"), "{names:?}");
    let Response::Files { files, .. } = session.handle(
        Request::CustomerMatch {
            segments: vec![gold - 1],
            platform: audience_engine::export::customer_match::Platform::Google,
            default_country: None,
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected customer-match files");
    };
    assert_eq!(
        files[0].name,
        format!("customer-match-google-segment-{gold}-loyal-members.csv")
    );
    // A clash and an empty name are refused in words; the name stays.
    let other = 3 - gold;
    let Response::Failed(clash) = rename(&mut session, other, "loyal MEMBERS") else {
        panic!("a clash is refused");
    };
    assert_eq!(
        clash.message,
        format!(
            "Not renamed: segment {gold} is already called \"loyal MEMBERS\": give segment {other} a different name."
        )
    );
    assert!(matches!(
        rename(&mut session, other, "  "),
        Response::Failed(_)
    ));
    assert!(export(&mut session, ExportKind::SummaryCsv).contains("Loyal members"));
}

#[test]
fn switching_the_tiers_reassigns_them_by_rate_or_by_lift_and_keeps_the_users_names() {
    // 40 rows, 10% convert overall: segment "A" converts 3 in 10 (30%, 3× the file), the rest 1 in 30.
    let mut csv = String::from("plan,sale\n");
    for row in 0..40 {
        let (plan, sale) = if row < 10 {
            ("A", u8::from(row < 3))
        } else {
            ("B", u8::from(row == 10))
        };
        csv.push_str(&format!("{plan},{sale}\n"));
    }
    let mut session = Session::new();
    assert!(matches!(
        load(&mut session, "plans.csv", csv.as_bytes()),
        Response::Loaded(_)
    ));
    let settings = SegmentSettings {
        variables: vec![crate::protocol::VariableChoice {
            column: "plan".into(),
            weight: 1.0,
        }],
        bounds: None,
        k: Some(2),
        seed: 1,
        target: Some("sale".into()),
        description: String::new(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let Response::Segmented(results) =
        session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected results");
    };
    use audience_engine::profile::{Tier, TierChoice, TierScheme};
    let tier_of_a = |report: &audience_engine::profile::PersonaReport| {
        let a = report
            .personas
            .iter()
            .find(|p| p.size == 10)
            .expect("the A segment");
        (a.number, a.conversion.as_ref().and_then(|c| c.tier))
    };
    // A 10% base rate: lift tiers by default; 3× the file is PREMIUM.
    assert_eq!(results.report.tier_scheme, Some(TierScheme::Lift));
    let (a, tier) = tier_of_a(&results.report);
    assert_eq!(tier, Some(Tier::Premium));
    assert!(matches!(
        session.handle(
            Request::Rename {
                segment: a,
                name: "Plan A buyers".into()
            },
            None,
            &mut |_| {}
        ),
        Response::Personas(_)
    ));
    let Response::Personas(absolute) = session.handle(
        Request::Tiers {
            tiers: TierChoice::Absolute,
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected re-tiered personas");
    };
    assert_eq!(absolute.tier_scheme, Some(TierScheme::Absolute));
    assert_eq!(
        tier_of_a(&absolute).1,
        Some(Tier::High),
        "30% is HIGH by rate"
    );
    let renamed = absolute.personas.iter().find(|p| p.number == a).unwrap();
    assert_eq!(renamed.name, "Plan A buyers");
    let Response::File(json) = session.handle(
        Request::Export {
            kind: ExportKind::PersonasJson,
            keep_formulas: false,
            matching_only: false,
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected the personas JSON");
    };
    let json: serde_json::Value = serde_json::from_str(&json.content).unwrap();
    assert_eq!(json["tier_scheme"], "absolute", "{json}");
}

#[test]
fn every_segments_traits_are_measured_in_every_segment_for_the_heatmap() {
    // Two plain groups: spend 10–19 in plan "basic", spend 100–109 in plan "gold".
    let mut csv = String::from("plan,spend\n");
    for i in 0..20 {
        csv += &format!(
            "{},{}\n",
            if i < 10 { "basic" } else { "gold" },
            if i < 10 { 10 + i } else { 90 + i }
        );
    }
    let mut session = Session::new();
    load(&mut session, "plans.csv", csv.as_bytes());
    let settings = SegmentSettings::on_columns(&["plan", "spend"], 2, 1);
    let Response::Segmented(results) =
        session.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("expected results");
    };
    let stated: Vec<(&str, &str)> = results
        .report
        .personas
        .iter()
        .flat_map(|p| &p.traits)
        .map(|t| (t.column.as_str(), t.value.as_str()))
        .collect();
    assert!(
        stated.contains(&("spend", "≥ 105 (top quartile)")),
        "{stated:?}"
    );
    assert!(stated.contains(&("plan", "basic")), "{stated:?}");
    for across in &results.trait_lifts {
        assert_eq!(across.lifts.len(), 2);
        // Each trait is held by one segment only: lift 2 there (10 of 10 against 10 of 20 for the plans;
        // 5 of 10 against 5 of 20 for the spend bands) and 0 in the other, never unmeasured.
        let mut lifts: Vec<f64> = across.lifts.iter().map(|l| l.expect("measured")).collect();
        lifts.sort_by(f64::total_cmp);
        assert_eq!(lifts, [0.0, 2.0], "{across:?}");
    }
    assert_eq!(
        results.trait_lifts.len(),
        stated
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    );
}

#[test]
fn a_catalog_held_by_another_session_gives_the_same_suggestions_and_join_labels() {
    // The worker's two sessions: the file's (no catalog) and the catalog's (no file), against one session
    // holding both, as natively.
    let mut whole = Session::new();
    load(&mut whole, "c.csv", CUSTOMERS.as_bytes());
    whole.catalog = Some(small_catalog());
    let mut file_side = Session::new();
    load(&mut file_side, "c.csv", CUSTOMERS.as_bytes());
    let mut catalog_side = Session::new();
    catalog_side.catalog = Some(small_catalog());
    for kind in [None, Some(DataKind::ThirdParty)] {
        let to_search = file_side
            .columns_to_search_without("household income", vec!["id".into()])
            .unwrap();
        let request = Request::SearchCatalog {
            to_search: to_search.clone(),
            data_kind: kind,
        };
        let Response::CatalogAnswer(answer) = catalog_side.handle(request, None, &mut |_| {})
        else {
            panic!("expected the catalog's answer");
        };
        let split = file_side.suggestions_from(to_search, Some(answer)).unwrap();
        let together = suggest(&mut whole, kind, &["id"]);
        assert!(split.catalog_searched && !split.catalog.is_empty());
        assert_eq!(split, together);
    }
    // The catalog's session refuses a search before its catalog is installed.
    let to_search = file_side.columns_to_search("income").unwrap();
    let early = Session::new().handle(
        Request::SearchCatalog {
            to_search: to_search.clone(),
            data_kind: None,
        },
        None,
        &mut |_| {},
    );
    assert_eq!(failure(early).kind, crate::protocol::FailureKind::Catalog);
    // A file read while the catalog searched: the answer no longer fits it.
    load(&mut file_side, "other.csv", b"name,age\na,1\nb,2\nc,3\n");
    let Response::CatalogAnswer(answer) = catalog_side.handle(
        Request::SearchCatalog {
            to_search: to_search.clone(),
            data_kind: None,
        },
        None,
        &mut |_| {},
    ) else {
        panic!("expected the catalog's answer");
    };
    assert!(matches!(
        file_side.suggestions_from(to_search, Some(answer)),
        Err(ServiceError::FileChangedDuringSearch)
    ));
    // Join labels: the enrichment's headers named by the catalog's session.
    load(&mut file_side, "c.csv", CUSTOMERS.as_bytes());
    let mut joined = Vec::new();
    for session in [&mut whole, &mut file_side] {
        session.handle(
            Request::LoadEnrichment {
                file_name: "census.csv".into(),
            },
            Some(CENSUS.as_bytes()),
            &mut |_| {},
        );
        if session.catalog.is_none() {
            let codes = session.enrichment_headers();
            let Response::CatalogLabels(labels) =
                catalog_side.handle(Request::CatalogLabels { codes }, None, &mut |_| {})
            else {
                panic!("expected labels");
            };
            assert_eq!(labels.len(), 2, "{labels:?}");
            session.add_catalog_labels(labels);
        }
        let Response::Updated(preview) = session.handle(
            Request::Join {
                customer_key: "zip".into(),
                enrichment_key: "ZCTA".into(),
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected an updated preview");
        };
        joined.push(preview.enrichment.unwrap());
    }
    assert_eq!(joined[0].labelled, 2);
    assert_eq!(joined[0], joined[1]);
}

#[test]
fn the_catalog_vectors_computed_in_slices_change_no_suggestion() {
    // The worker computes the catalog's item vectors a slice at a time while idle after loading it; the
    // first search computes all that are left anyway. Either way the same variables are suggested.
    let installed = || {
        let mut session = demo_session();
        let ready = install_default_catalog(&mut session);
        assert_eq!(ready, Response::CatalogReady { variables: 47_049 });
        session
    };
    let (mut on_first_use, mut filled) = (installed(), installed());
    let mut slices = vec![0];
    while let Some(next) = filled.compute_catalog_vectors(*slices.last().unwrap(), 10_000) {
        slices.push(next);
    }
    assert_eq!(slices, [0, 10_000, 20_000, 30_000, 40_000]);
    let store = filled.catalog.as_ref().unwrap().store();
    assert_eq!(store.computed(), 47_049);
    assert_eq!(filled.compute_catalog_vectors(47_049, 10_000), None);
    assert_eq!(on_first_use.catalog.as_ref().unwrap().store().computed(), 0);
    assert_eq!(
        Session::new().compute_catalog_vectors(0, 10),
        None,
        "no catalog"
    );
    let suggest = |session: &mut Session| {
        session.handle(
            Request::Suggest {
                query: "environmentally conscious millennials with high disposable income in urban areas"
                    .into(),
                data_kind: None,
                withheld: Vec::new(),
            },
            None,
            &mut |_| {},
        )
    };
    let suggested = suggest(&mut filled);
    assert!(
        matches!(suggested, Response::Suggestions(_)),
        "{suggested:?}"
    );
    assert_eq!(suggest(&mut on_first_use), suggested);
    // The first search computed them all, in one pass.
    assert_eq!(
        on_first_use.catalog.as_ref().unwrap().store().computed(),
        47_049
    );
}

/// Installs the committed default catalog (`catalog/dist`: the packed catalog, the embedding table and
/// the graph) in `session`, as the worker does once it has fetched them.
pub(super) fn install_default_catalog(session: &mut Session) -> Response {
    let dist = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/dist/");
    let read = |name: &str| std::fs::read(format!("{dist}{name}")).unwrap();
    let (catalog, vocab, table, graph) = (
        read("catalog.bin"),
        read("embed/vocab.txt"),
        read("embed/table.i8"),
        read("hnsw.bin"),
    );
    session.install_catalog(&SearchAssets {
        catalog: &catalog,
        vocab: &vocab,
        table: &table,
        graph: Some(&graph),
    })
}
