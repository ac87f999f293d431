//! Exports of the personas: JSON validated against its published schema, summary CSV with known values.

use audience_engine::demo::{generate, DemoParams};
use audience_engine::export::personas_json::{personas_json, read_personas_json, SCHEMA};
use audience_engine::export::summary_csv::{write_summary_csv, SUMMARY_COLUMNS};
use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::profile::{profile_segments, PersonaReport, ProfileParams, SupportRule};
use audience_engine::table::Table;
use serde_json::Value;

const KNOWN: &str = include_str!("fixtures/personas_known.csv");
const SCHEMA_URL: &str = "https://audience-builder.invalid/schema/personas.v2.schema.json";

fn read(csv: &str) -> Table {
    read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table
}

fn labels(table: &Table, column: &str) -> Vec<u32> {
    let column = table.column(column).unwrap();
    (0..table.n_rows())
        .map(|row| column.text(row).parse().unwrap())
        .collect()
}

/// The hand-checked fixture: target, code mix, lenses, constant and all-missing columns (notes).
fn known_report() -> PersonaReport {
    let table = read(KNOWN);
    let params = ProfileParams::new()
        .exclude("segment")
        .code_column("Lifestyle")
        .support(SupportRule {
            min_records: 3,
            min_share: 0.1,
            min_lift: 1.2,
        });
    profile_segments(&table, &labels(&table, "segment"), &params).unwrap()
}

/// The demo leads profiled by their industry: every lens (seniority, geography, professional with
/// education and experience, acquisition) is filled.
fn demo_report() -> PersonaReport {
    let table = read(
        &generate(&DemoParams {
            rows: 2_000,
            seed: 3,
        })
        .unwrap()
        .to_csv(),
    );
    let segments =
        audience_engine::profile::segments_from_column(table.column("Industry").unwrap());
    let params = ProfileParams::new()
        .exclude("Industry")
        .segment_labels(segments.names.clone());
    profile_segments(&table, &segments.labels, &params).unwrap()
}

fn validate(document: &Value) -> Result<(), String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource(SCHEMA_URL, serde_json::from_str(SCHEMA).unwrap())
        .unwrap();
    let index = compiler
        .compile(SCHEMA_URL, &mut schemas)
        .map_err(|e| e.to_string())?;
    schemas
        .validate(document, index)
        .map_err(|e| format!("{e:#}"))
}

#[test]
fn personas_json_validates_against_its_schema() {
    for report in [known_report(), demo_report()] {
        let document: Value = serde_json::from_str(&personas_json(&report).unwrap()).unwrap();
        validate(&document).unwrap();
        assert_eq!(document["schema"], "audience-builder/personas");
        assert_eq!(document["version"], 2);
    }
}

#[test]
fn personas_json_with_tied_segments_and_also_differs_validates_against_its_schema() {
    // Segments 0 and 1 are both loan = yes (they differ only by month, not segmented on).
    let mut csv = String::from("seg,loan,month\n");
    for row in 0..30 {
        let seg = row / 10;
        let loan = if seg == 2 { "no" } else { "yes" };
        csv.push_str(&format!("{seg},{loan},{}\n", ["oct", "aug", "may"][seg]));
    }
    let table = read(&csv);
    let params = ProfileParams::new()
        .exclude("seg")
        .segmentation_columns(["loan"]);
    let report = profile_segments(&table, &labels(&table, "seg"), &params).unwrap();
    let document: Value = serde_json::from_str(&personas_json(&report).unwrap()).unwrap();
    validate(&document).unwrap();
    assert_eq!(document["distinct_profiles"], 2);
    let tied = document["personas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["identical_to"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(tied, 2);
    assert_eq!(
        read_personas_json(&personas_json(&report).unwrap())
            .unwrap()
            .report,
        report
    );
}

#[test]
fn the_schema_rejects_nulls_where_numbers_belong_and_unknown_fields() {
    let document: Value = serde_json::from_str(&personas_json(&known_report()).unwrap()).unwrap();
    let mut nan_share = document.clone();
    nan_share["personas"][0]["share"] = Value::Null; // what serde_json writes for NaN
    assert!(validate(&nan_share).is_err());
    let mut extra = document.clone();
    extra["personas"][0]["profile"]["colour"] = Value::from("red");
    assert!(validate(&extra).is_err());
    let mut version = document;
    version["version"] = Value::from(1);
    assert!(validate(&version).is_err());
}

#[test]
fn personas_json_reads_back_to_the_same_report() {
    let report = known_report();
    let document = read_personas_json(&personas_json(&report).unwrap()).unwrap();
    assert!(document.report == report, "the report read back differs");
    let wrong = personas_json(&report)
        .unwrap()
        .replace("\"version\": 2", "\"version\": 9");
    assert!(read_personas_json(&wrong)
        .unwrap_err()
        .to_string()
        .contains("version 9"));
}

#[test]
fn summary_csv_has_one_row_per_persona_with_known_values() {
    let mut bytes = Vec::new();
    write_summary_csv(&known_report(), &mut bytes).unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        SUMMARY_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let first: Vec<&str> = rows[0].iter().take(14).collect();
    assert_eq!(
        first,
        [
            "1",
            "1",
            "",
            "Spend 95–120 Tech CA",
            "10",
            "0.500000",
            "7",
            "3",
            "0.700000",
            "0.396778",
            "0.892209",
            "1.662500",
            "PREMIUM",
            "Spend ≥ 108 (top quartile) (50.0% of the segment, ×2.00); \
             Industry = Tech (90.0% of the segment, ×1.80); State = CA (80.0% of the segment, ×1.78)",
        ]
    );
    assert_eq!(&rows[1][1], "2");
    assert_eq!(&rows[1][3], "Aged 18–24 Spend 20–40 Retail");
    assert_eq!(&rows[1][12], "MEDIUM");
}

#[test]
fn summary_csv_leaves_conversion_cells_empty_without_a_target() {
    let table = read("seg,colour\n0,red\n0,red\n1,blue\n");
    let report =
        profile_segments(&table, &[0, 0, 1], &ProfileParams::new().exclude("seg")).unwrap();
    let mut bytes = Vec::new();
    write_summary_csv(&report, &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let first_row = text.lines().nth(1).unwrap();
    assert!(
        first_row.starts_with("1,1,,Segment 1 (no distinct traits),2,0.666667,,,,,,,,,"),
        "{first_row}"
    );
}

#[test]
fn personas_json_with_a_described_audience_and_lift_tiers_validates_against_its_schema() {
    use audience_engine::audience::{score_segments, AudienceQuery};
    let table = read(
        &generate(&DemoParams {
            rows: 2_000,
            seed: 3,
        })
        .unwrap()
        .to_csv(),
    );
    let segments =
        audience_engine::profile::segments_from_column(table.column("Industry").unwrap());
    let params = ProfileParams::new()
        .exclude("Industry")
        .segment_labels(segments.names.clone())
        .tiers(audience_engine::profile::TierChoice::Lift);
    let mut report = profile_segments(&table, &segments.labels, &params).unwrap();
    let query = AudienceQuery::from_description("young people who came through referrals", &table);
    assert!(!query.criteria.is_empty());
    report.audience = Some(score_segments(&table, &segments.labels, &query));
    report.rename(1, "Renamed").unwrap();
    let document: Value = serde_json::from_str(&personas_json(&report).unwrap()).unwrap();
    validate(&document).unwrap();
    assert_eq!(document["tier_scheme"], "lift");
    assert!(document["audience"]["segments"].as_array().unwrap().len() == report.n_segments);
    assert_eq!(
        read_personas_json(&personas_json(&report).unwrap())
            .unwrap()
            .report,
        report
    );
}

#[test]
fn an_area_level_trait_carries_its_source_and_vintage_validates_and_reads_back() {
    use audience_engine::profile::AreaLevelSource;
    let mut report = known_report();
    let persona = report
        .personas
        .iter_mut()
        .find(|p| !p.traits.is_empty())
        .expect("the fixture has a persona with traits");
    persona.traits[0].area_level = Some(AreaLevelSource {
        area: "ZIP Code Tabulation Area".into(),
        source: "US Census Bureau, American Community Survey".into(),
        vintage: "ACS 2018–2022 5-year, ZIP Code Tabulation Areas".into(),
    });
    let json = personas_json(&report).unwrap();
    let document: Value = serde_json::from_str(&json).unwrap();
    validate(&document).unwrap();
    let marked = document["personas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["traits"].as_array().unwrap())
        .filter(|t| t.get("area_level").is_some())
        .count();
    assert_eq!(marked, 1, "only the area-level trait is marked");
    assert!(read_personas_json(&json).unwrap().report == report);
    let mut unknown = document;
    let persona = unknown["personas"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["traits"][0].get("area_level").is_some())
        .unwrap();
    persona["traits"][0]["area_level"]["margin"] = Value::from(1);
    assert!(validate(&unknown).is_err());
}
