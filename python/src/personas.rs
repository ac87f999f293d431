//! Personas of a segmentation made elsewhere: from counts of its rows by segment (a Spark table too large
//! for the driver; see [`audience_engine::profile::counted`]), or from its rows with a segment column.
//! Both use the settings `audience segment` profiles with, so the same rows and labels give the same
//! personas JSON either way.

use audience_engine::export::personas_json::personas_json;
use audience_engine::profile::{
    pairs_needed, profile_counts, profile_segments, PersonaReport, ProfileParams, SegmentCounts,
};
use serde::Deserialize;

use crate::error::{Failure, FailureKind};
use crate::segment::read;

/// The settings of a profile (JSON from the Python side).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileOptions {
    /// The columns the segments were made from.
    pub columns: Vec<String>,
    /// The conversion column; `None`: detected by name.
    pub target: Option<String>,
    /// The value of the conversion column that means converted.
    pub positive: Option<String>,
}

impl ProfileOptions {
    fn params(&self) -> ProfileParams {
        let mut params = ProfileParams::new().segmentation_columns(self.columns.iter().cloned());
        params.target.clone_from(&self.target);
        params.positive_value.clone_from(&self.positive);
        params
    }
}

fn settings(options_json: &str) -> Result<ProfileOptions, Failure> {
    serde_json::from_str(options_json)
        .map_err(|e| Failure::new(FailureKind::Options, e.to_string()))
}

fn counts(counts_json: &str) -> Result<SegmentCounts, Failure> {
    serde_json::from_str(counts_json).map_err(|e| {
        Failure::new(
            FailureKind::Profile,
            format!("the segment counts are malformed: {e}"),
        )
    })
}

fn written(report: &PersonaReport) -> Result<String, Failure> {
    personas_json(report).map_err(|e| Failure::new(FailureKind::Export, e.to_string()))
}

/// The pairs of columns whose values must be counted together (JSON `[[a, b], …]`), given the column
/// counts in `counts_json`.
pub fn counted_pairs_needed(counts_json: &str, options_json: &str) -> Result<String, Failure> {
    let pairs = pairs_needed(&counts(counts_json)?, &settings(options_json)?.params())
        .map_err(|e| Failure::new(FailureKind::Profile, e.to_string()))?;
    serde_json::to_string(&pairs).map_err(|e| Failure::new(FailureKind::Export, e.to_string()))
}

/// The personas JSON of the segments counted in `counts_json`.
pub fn counted_personas(counts_json: &str, options_json: &str) -> Result<String, Failure> {
    let report =
        profile_counts(&counts(counts_json)?, &settings(options_json)?.params()).map_err(|e| {
            Failure::new(
                FailureKind::Profile,
                format!("cannot profile the segments: {e}"),
            )
        })?;
    written(&report)
}

/// The personas JSON of CSV rows whose column `segments` holds each row's segment number (1..=k).
pub fn labelled_personas(
    bytes: &[u8],
    segments: &str,
    options_json: &str,
) -> Result<String, Failure> {
    let (table, _) = read(bytes, "auto", false)?;
    let column = table.column(segments).ok_or_else(|| {
        Failure::new(
            FailureKind::Columns,
            format!("{segments:?} is not a column of this data; name the column that holds the segment numbers"),
        )
    })?;
    let labels = (0..table.n_rows())
        .map(|row| {
            let text = column.text(row).trim();
            text.parse::<u32>()
                .ok()
                .and_then(|number| number.checked_sub(1))
                .ok_or_else(|| {
                    Failure::new(
                        FailureKind::Columns,
                        format!(
                            "row {} of column {segments:?} holds {text:?}, not a segment number from 1",
                            row + 1
                        ),
                    )
                })
        })
        .collect::<Result<Vec<u32>, Failure>>()?;
    let mut params = settings(options_json)?.params();
    params.exclude.push(segments.to_string());
    let report = profile_segments(&table, &labels, &params).map_err(|e| {
        Failure::new(
            FailureKind::Profile,
            format!("cannot profile the segments: {e}"),
        )
    })?;
    written(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rows_give_the_personas_of_the_labelled_rows() {
        let csv = "age,plan,source,converted,segment\n31,basic,Web,no,1\n33,basic,Web,yes,1\n35,basic,Ads,no,1\n\
                   62,premium,Ads,yes,2\n64,premium,Ads,yes,2\n66,premium,Web,no,2\n";
        let options = r#"{"columns": ["age", "plan"]}"#;
        let from_rows = labelled_personas(csv.as_bytes(), "segment", options).unwrap();
        let column = |name: &str, values: &[(&str, [u64; 2])]| serde_json::json!({"name": name, "values": values.iter().map(|(t, c)| (t, c)).collect::<Vec<_>>()});
        let mut counts = serde_json::json!({
            "segments": 2,
            "columns": [
                column("age", &[("31", [1, 0]), ("33", [1, 0]), ("35", [1, 0]), ("62", [0, 1]), ("64", [0, 1]), ("66", [0, 1])]),
                column("plan", &[("basic", [3, 0]), ("premium", [0, 3])]),
                column("source", &[("Web", [2, 1]), ("Ads", [1, 2])]),
                column("converted", &[("no", [2, 1]), ("yes", [1, 2])]),
            ],
            "profiles": {"distinct": 6, "counts": [[0, 1, 1], [0, 2, 1], [0, 3, 1], [1, 4, 1], [1, 5, 1], [1, 6, 1]]},
        });
        let needed = counted_pairs_needed(&counts.to_string(), options).unwrap();
        assert_eq!(needed, r#"[["source","converted"]]"#);
        counts["pairs"] = serde_json::json!([{"columns": ["source", "converted"], "counts": [
            [0, "Web", "no", 1], [0, "Web", "yes", 1], [0, "Ads", "no", 1],
            [1, "Ads", "yes", 2], [1, "Web", "no", 1]]}]);
        assert_eq!(
            counted_personas(&counts.to_string(), options).unwrap(),
            from_rows
        );
        assert!(from_rows.contains("\"conversion\""), "{from_rows}");
    }

    #[test]
    fn a_row_without_a_segment_number_is_refused_by_its_row() {
        let error = labelled_personas(b"age,segment\n31,1\n40,x\n", "segment", "{}").unwrap_err();
        assert_eq!(error.kind, FailureKind::Columns);
        assert!(error.message.contains("row 2"), "{}", error.message);
    }
}
