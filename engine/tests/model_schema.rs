//! The saved segmentation document validates against its published schema, and the schema refuses
//! documents that break it.

use audience_engine::cluster::{KChoice, KMediansParams, ShareBounds};
use audience_engine::encode::{default_selection, encode};
use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::model::{model_json, SegmentationModel, SCHEMA};
use serde_json::Value;

const SCHEMA_URL: &str = "https://audience-builder.invalid/schema/model.v1.schema.json";

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

/// A model over every kind of column: numeric, date, ordinal, binary, categorical, and a column with a
/// missing value in every member of one segment (a null in its center).
fn model() -> SegmentationModel {
    let mut csv = String::from("age,joined,size,member,plan,score\n");
    for i in 0..30 {
        let g = i % 2;
        let score = if g == 0 {
            String::new()
        } else {
            format!("{}", i % 5)
        };
        csv += &format!(
            "{},2024-0{}-1{},{},{},{},{score}\n",
            20 + 40 * g + i % 5,
            1 + i % 9,
            i % 10,
            ["1-10", "51-200"][g],
            ["no", "yes"][g],
            ["basic", "premium", "plus"][(g + i % 3) % 3],
        );
    }
    let table = read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let mut selection = default_selection(&table, None);
    selection
        .variables
        .push(audience_engine::encode::SelectedVariable {
            column: table.column_index("joined").unwrap(),
            weight: 0.5,
            force: false,
        });
    let matrix = encode(&table, &selection).unwrap();
    let fit = KMediansParams::new()
        .with_k(KChoice::Fixed(2))
        .with_bounds(Some(ShareBounds { min: 0.3, max: 0.7 }))
        .fit(&matrix)
        .unwrap();
    SegmentationModel::from_fit(&table, &matrix, &fit, 3)
        .unwrap()
        .with_names(&[Some("Young basics".into()), None])
        .with_retrieval(&["B19013_001E".into()], Some("zip"))
}

#[test]
fn the_model_document_validates_against_its_schema() {
    let model = model();
    let kinds: Vec<_> = model.variables.iter().map(|v| v.column_type).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    let document: Value = serde_json::from_str(&model_json(&model).unwrap()).unwrap();
    validate(&document).unwrap();
    assert_eq!(document["schema"], "audience-builder/segmentation-model");
    assert_eq!(document["segments"][0]["name"], "Young basics");
    assert_eq!(document["retrieval"]["codes"][0], "B19013_001E");
    // Every member of one segment misses "score": its center says null there, not NaN.
    let centers = document["segments"].as_array().unwrap();
    assert!(centers
        .iter()
        .any(|s| s["center"].as_array().unwrap().iter().any(Value::is_null)));
}

#[test]
fn the_schema_refuses_unknown_fields_missing_centers_and_a_bad_encoding_kind() {
    let document: Value = serde_json::from_str(&model_json(&model()).unwrap()).unwrap();
    let mut extra = document.clone();
    extra["rows"] = Value::from(vec![1, 2, 3]);
    assert!(validate(&extra).is_err());
    let mut no_center = document.clone();
    no_center["segments"][0]
        .as_object_mut()
        .unwrap()
        .remove("center");
    assert!(validate(&no_center).is_err());
    let mut bad_kind = document;
    bad_kind["variables"][0]["encoding"]["kind"] = Value::from("spline");
    assert!(validate(&bad_kind).is_err());
}
