//! The personas document's optional `activation` (filter, holdout, coverage) against the published schema.

use audience_engine::coverage::coverage;
use audience_engine::export::customer_match::{detect_identifier_columns, IdentifierColumn};
use audience_engine::export::destinations::Destination;
use audience_engine::export::personas_json::{
    personas_json, personas_json_with, read_personas_json, Activation, SCHEMA,
};
use audience_engine::filter::parse_rules;
use audience_engine::holdout::split;
use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::profile::{profile_segments, ProfileParams};
use serde_json::Value;

const SCHEMA_URL: &str = "https://audience-builder.invalid/schema/personas.v2.schema.json";

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

fn run() -> (String, String) {
    let mut csv = String::from("email,plan,age\n");
    for i in 0..40 {
        let plan = if i < 20 { "basic" } else { "pro" };
        csv += &format!("c{i}@example.com,{plan},{}\n", 20 + i);
    }
    let table = read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let labels: Vec<u32> = (0..40).map(|i| u32::from(i >= 20)).collect();
    let report = profile_segments(&table, &labels, &ProfileParams::new()).unwrap();
    let filter = parse_rules(&["age >= 25"])
        .unwrap()
        .resolve(&table)
        .unwrap();
    let holdout = split(&labels, 0.1, 7).unwrap();
    let columns: Vec<IdentifierColumn> = detect_identifier_columns(&table)
        .iter()
        .map(IdentifierColumn::from)
        .collect();
    let upload = holdout.upload_labels(&labels);
    let activation = Activation {
        filter: Some(filter.counts(&table)),
        holdout: Some(holdout),
        coverage: Some(coverage(&table, &upload, &columns, None, &Destination::ALL).unwrap()),
    };
    (
        personas_json(&report).unwrap(),
        personas_json_with(&report, Some(&activation)).unwrap(),
    )
}

#[test]
fn activation_counts_validate_against_the_schema_and_read_back() {
    let (_, with) = run();
    let document: Value = serde_json::from_str(&with).unwrap();
    validate(&document).unwrap();
    let holdout = &document["activation"]["holdout"]["per_segment"];
    assert_eq!(holdout[0]["members"], 20);
    assert_eq!(holdout[0]["held_out"], 2);
    assert_eq!(document["activation"]["filter"]["kept"], 35);
    assert_eq!(
        document["activation"]["coverage"]["segments"][1]["email"],
        18
    );
    let back = read_personas_json(&with).unwrap();
    assert_eq!(
        back.activation.unwrap().holdout.unwrap().per_segment.len(),
        2
    );
}

#[test]
fn documents_without_activation_leave_the_field_out_and_still_validate() {
    let (without, _) = run();
    let document: Value = serde_json::from_str(&without).unwrap();
    assert!(document.get("activation").is_none());
    validate(&document).unwrap();
    assert!(read_personas_json(&without).unwrap().activation.is_none());
}

#[test]
fn the_schema_rejects_an_activation_with_unknown_fields_or_a_holdout_over_half() {
    let (_, with) = run();
    let document: Value = serde_json::from_str(&with).unwrap();
    let mut extra = document.clone();
    extra["activation"]["holdout"]["colour"] = Value::from("red");
    assert!(validate(&extra).is_err());
    let mut big = document;
    big["activation"]["holdout"]["share"] = Value::from(0.7);
    assert!(validate(&big).is_err());
}
