//! Personas as versioned JSON.
//!
//! The document is a [`PersonaReport`] with three header fields in front:
//! `"schema": "audience-builder/personas"`, `"version": 2` and `"generator"` (engine name and version).
//! Its JSON Schema (draft 2020-12) is [`SCHEMA`] (the file `engine/schema/personas.v2.schema.json`): every
//! object lists all its fields as required and allows no others, so any change to the report's shape must
//! come with a new schema version. Every ratio is a finite number or `null`; NaN and infinity never appear.
//!
//! **Version 2** (version 1 is kept as `engine/schema/personas.v1.schema.json`) changed what two fields
//! mean, so a version-1 reader must not take a version-2 file for its own: a persona's `segment` is now the
//! number people see (1..k, as in the clustered CSV's `segment` column, the summary CSV, names, notes and
//! customer-match file names) and its 0-based index is `index`; `identical_to` lists numbers; shares are
//! over the whole segment (missing values included, with `missing_share` beside a trait's share). It
//! added `name_basis`, `generated_name`, the report's `tier_scheme` and the described-audience `audience`
//! fields. Optional within the version, read as empty when absent: the report's `distinct_profiles` and
//! `audience`, a persona's `also_differs`, `identical_to` and `audience`, and the document's
//! `activation` ([`Activation`]: filter, holdout and match coverage; [`personas_json_with`]).
//!
//! ```
//! use audience_engine::demo::{generate, DemoParams};
//! use audience_engine::export::personas_json::{personas_json, SCHEMA_ID};
//! use audience_engine::ingest::{read_table, IngestOptions};
//! use audience_engine::profile::{profile_segments, segments_from_column, ProfileParams};
//!
//! let csv = generate(&DemoParams { rows: 300, seed: 1 }).unwrap().to_csv();
//! let table = read_table(csv.as_bytes(), &IngestOptions::default()).unwrap().table;
//! let segments = segments_from_column(table.column("Industry").unwrap());
//! let params = ProfileParams::new().exclude("Industry").segment_labels(segments.names.clone());
//! let report = profile_segments(&table, &segments.labels, &params).unwrap();
//! let json = personas_json(&report).unwrap();
//! let value: serde_json::Value = serde_json::from_str(&json).unwrap();
//! assert_eq!(value["schema"], SCHEMA_ID);
//! assert_eq!(value["version"], 2);
//! ```

use serde::{Deserialize, Serialize};

use super::ExportError;
use crate::profile::PersonaReport;

/// The `"schema"` value of every personas document.
pub const SCHEMA_ID: &str = "audience-builder/personas";
/// The `"version"` this engine writes.
pub const SCHEMA_VERSION: u32 = 2;
/// The JSON Schema of version 2.
pub const SCHEMA: &str = include_str!("../../schema/personas.v2.schema.json");

/// A personas document: header plus the report's fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonasDocument {
    /// Always [`SCHEMA_ID`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`] when written by this engine.
    pub version: u32,
    /// `"audience-engine <version>"`.
    pub generator: String,
    /// The report.
    #[serde(flatten)]
    pub report: PersonaReport,
    /// Optional: the filter, holdout and match coverage of an activation run; absent when none was asked
    /// for (and read as `None` from files without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation: Option<Activation>,
}

/// What an activation run did before writing upload files (the personas document's `activation`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Activation {
    /// The filter: its rule, rows kept and rows per condition.
    pub filter: Option<crate::filter::FilterCounts>,
    /// The holdout: share, seed and members held out per segment.
    pub holdout: Option<crate::holdout::HoldoutSplit>,
    /// Match coverage per segment and lists below a platform's minimum.
    pub coverage: Option<crate::coverage::Coverage>,
}

impl PersonasDocument {
    /// Wraps a report with the current header.
    pub fn new(report: PersonaReport) -> Self {
        PersonasDocument {
            schema: SCHEMA_ID.to_string(),
            version: SCHEMA_VERSION,
            generator: format!("audience-engine {}", env!("CARGO_PKG_VERSION")),
            report,
            activation: None,
        }
    }
}

/// The report as a pretty-printed personas JSON document.
pub fn personas_json(report: &PersonaReport) -> Result<String, ExportError> {
    let document = PersonasDocument::new(report.clone());
    serde_json::to_string_pretty(&document).map_err(|error| ExportError::Json(error.to_string()))
}

/// The report and what an activation run did as a pretty-printed personas JSON document.
pub fn personas_json_with(
    report: &PersonaReport,
    activation: Option<&Activation>,
) -> Result<String, ExportError> {
    let mut document = PersonasDocument::new(report.clone());
    document.activation = activation.cloned();
    serde_json::to_string_pretty(&document).map_err(|error| ExportError::Json(error.to_string()))
}

/// Reads a personas document back, checking its schema name and version.
pub fn read_personas_json(text: &str) -> Result<PersonasDocument, ExportError> {
    let document: PersonasDocument =
        serde_json::from_str(text).map_err(|error| ExportError::Json(error.to_string()))?;
    if document.schema != SCHEMA_ID || document.version != SCHEMA_VERSION {
        return Err(ExportError::Json(format!(
            "expected schema {SCHEMA_ID:?} version {SCHEMA_VERSION}, found {:?} version {}",
            document.schema, document.version
        )));
    }
    Ok(document)
}
