//! Census retrieval on the committed assets (`catalog/dist/census`) against known answers read from the
//! source parquet by `catalog/census/known_answers.py` (`tests/fixtures/census-known.json`): a standard
//! ZCTA, the same ZIP with its leading zero dropped, a ZIP+4, a ZIP read as a decimal number, a Puerto
//! Rico ZIP with two zeros dropped, top- and bottom-coded values, a tiny ZCTA, a PO Box ZIP (county
//! fallback through the HUD crosswalk), a military ZIP, a UK postcode and a blank.

use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::retrieve::{retrieve, CensusData, Manifest, RetrieveRequest};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    codes: Vec<String>,
    decimals: std::collections::HashMap<String, u32>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    input: String,
    why: String,
    level: String,
    values: std::collections::HashMap<String, Option<f64>>,
    censored: std::collections::HashMap<String, String>,
}

fn census(codes: &[String]) -> CensusData {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/dist/census/");
    let read = |file: &str| std::fs::read(format!("{dir}{file}")).unwrap();
    let manifest = Manifest::from_json(&read("manifest.json")).unwrap();
    let files: Vec<String> = manifest
        .files_for(codes)
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect();
    let mut data = CensusData::new(manifest, &read(&files[0])).unwrap();
    for file in &files[1..] {
        data.add_measure(file, &read(file)).unwrap();
    }
    data
}

fn fixture() -> Fixture {
    serde_json::from_str(include_str!("fixtures/census-known.json")).unwrap()
}

/// The fixture's cases as a customer file (id, ZIP) (quoted, so blanks and spaces survive).
fn customer_file(fixture: &Fixture) -> String {
    let mut csv = String::from("id,customer_zip\n");
    for (i, case) in fixture.cases.iter().enumerate() {
        csv += &format!("{i},\"{}\"\n", case.input);
    }
    csv
}

#[test]
fn values_match_the_parquet_for_a_dozen_real_zips() {
    let fixture = fixture();
    assert!(fixture.cases.len() >= 12);
    let data = census(&fixture.codes);
    let table = read_table(
        customer_file(&fixture).as_bytes(),
        &IngestOptions::default(),
    )
    .unwrap()
    .table;
    assert_eq!(table.n_rows(), fixture.cases.len());
    let retrieved = retrieve(&table, &data, &RetrieveRequest::new(fixture.codes.clone())).unwrap();
    for code in &fixture.codes {
        let column = retrieved.table.column(code).unwrap();
        // The assets keep `decimals` decimals: a value may differ from the parquet by half a unit.
        let tolerance = 0.5 * 10f64.powi(-(fixture.decimals[code] as i32)) + 1e-9;
        for (row, case) in fixture.cases.iter().enumerate() {
            let (got, expected) = (column.number(row), case.values[code]);
            match (got, expected) {
                (Some(got), Some(expected)) => assert!(
                    (got - expected).abs() <= tolerance,
                    "{code} for {:?} ({}): got {got}, expected {expected}",
                    case.input,
                    case.why
                ),
                _ => assert_eq!(got, expected, "{code} for {:?} ({})", case.input, case.why),
            }
        }
    }
}

#[test]
fn coverage_counts_match_the_levels_of_the_known_zips() {
    let fixture = fixture();
    let data = census(&fixture.codes);
    let table = read_table(
        customer_file(&fixture).as_bytes(),
        &IngestOptions::default(),
    )
    .unwrap()
    .table;
    let retrieved = retrieve(&table, &data, &RetrieveRequest::new(fixture.codes.clone())).unwrap();
    let count = |level: &str| fixture.cases.iter().filter(|c| c.level == level).count();
    let c = &retrieved.coverage;
    assert_eq!(c.rows, fixture.cases.len());
    assert_eq!(c.zcta, count("zcta"));
    assert_eq!(c.county + c.small_area, count("county"));
    assert_eq!(c.small_area, 1, "99638 has 12 residents");
    assert_eq!(c.unmatched, count("unmatched"));
    assert_eq!(c.invalid, count("invalid"));
    assert_eq!(c.blank, count("blank"));
    for (j, code) in fixture.codes.iter().enumerate() {
        let censored = fixture
            .cases
            .iter()
            .filter(|case| case.censored.contains_key(code))
            .count();
        assert_eq!(c.variables[j].censored, censored, "{code}");
    }
    assert_eq!(retrieved.zip_column, "customer_zip");
}

#[test]
fn the_manifest_answers_catalog_codes_with_vintage_and_censoring() {
    let data = census(&["B19013_001E".to_string()]);
    let manifest = data.manifest();
    assert_eq!(
        manifest.vintage,
        "ACS 2018\u{2013}2022 5-year, ZIP Code Tabulation Areas"
    );
    let income = manifest.measure_for("DP03_0062E").unwrap();
    assert_eq!(income.codes, ["B19013_001E", "DP03_0062E"]);
    assert_eq!(
        income.censoring_of(250001.0).unwrap().label,
        "\u{2265} $250,000"
    );
    assert!(manifest.measures().len() >= 20);
    assert!(manifest.is_retrievable("DP02_0068PE"));
    assert!(!manifest.is_retrievable("B19001_001E"));
    for measure in manifest.measures() {
        assert!(
            measure.phrase.contains("{}"),
            "{}: {:?}",
            measure.id,
            measure.phrase
        );
    }
    assert_eq!(
        manifest.measure_for("DP02_0068PE").unwrap().area_phrase(40.0, 55.0),
        "lives in ZIP codes where 40\u{2013}55% of adults 25 and over hold a bachelor's degree or higher"
    );
}
