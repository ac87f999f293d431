//! Checks shared by `segment` and `profile`, and refusals in a marketer's words that say what to do next.

use audience_engine::cluster::{ClusterError, KMediansParams, ShareBounds};
use audience_engine::encode::{EncodeError, Selection};
use audience_engine::profile::conversion::detect_target;
use audience_engine::profile::notes::NoteKind;
use audience_engine::profile::{profile_segments, ProfileParams};
use audience_engine::table::Table;

/// The names of the columns a run adds: the segment number and, for `profile`, the persona name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentColumns {
    /// The segment number column (`segment` unless `--segment-column` names another).
    pub segment: String,
    /// The persona name column (`segment_name`, or `NAME_name` with `--segment-column NAME`).
    pub name: String,
}

impl SegmentColumns {
    /// The columns for `--segment-column` (or its absence).
    pub fn new(chosen: Option<&str>) -> Self {
        match chosen.map(str::trim) {
            Some(name) if !name.is_empty() => SegmentColumns {
                segment: name.to_string(),
                name: format!("{name}_name"),
            },
            _ => SegmentColumns {
                segment: "segment".into(),
                name: "segment_name".into(),
            },
        }
    }

    /// Whether `column` holds segments of an earlier run (`segment`, `segment_name` or the columns this
    /// run writes): never a clustering variable unless named with `--columns`.
    pub fn is_earlier_segmentation(&self, column: &str) -> bool {
        ["segment", "segment_name", &self.segment, &self.name].contains(&column)
    }

    /// Refuses, before any work, to add a column the file already has unless `replace` is set.
    pub fn check(&self, table: &Table, adds_name: bool, replace: bool) -> Result<(), String> {
        if replace {
            return Ok(());
        }
        let added: &[&str] = if adds_name {
            &[&self.segment, &self.name]
        } else {
            &[&self.segment]
        };
        for name in added {
            if let Some(index) = table.column_index(name) {
                return Err(format!(
                    "the file already has a column named {name:?} (column {} of {}), probably from an earlier \
                     segmentation. Add --replace-segment to write the new segments over it (same position), \
                     or --segment-column NAME to write them under another name. Nothing was written.",
                    index + 1,
                    table.columns().len()
                ));
            }
        }
        Ok(())
    }
}

/// Removes from `selection` the columns of an earlier segmentation (see
/// [`SegmentColumns::is_earlier_segmentation`]) and returns their names.
pub fn drop_earlier_segmentation(
    table: &Table,
    selection: &mut Selection,
    columns: &SegmentColumns,
) -> Vec<String> {
    let mut dropped = Vec::new();
    selection.variables.retain(|v| {
        let name = &table.columns()[v.column].name;
        let earlier = columns.is_earlier_segmentation(name);
        if earlier {
            dropped.push(name.clone());
        }
        !earlier
    });
    dropped
}

/// The message for an encoding error, with the flag that gets past it.
pub fn encode_error(error: EncodeError, table: &Table) -> String {
    match error {
        EncodeError::NothingSelected => nothing_to_cluster(table),
        EncodeError::Identifier {
            name,
            distinct,
            rows,
        } => format!(
            "column {name:?} looks like a customer ID ({distinct} different values in {rows} rows), so it is \
             left out of clustering: it would split customers by ID, not by who they are. To cluster on it \
             anyway, add --force-columns {name}."
        ),
        EncodeError::EmptyColumn { name, rows } => format!(
            "column {name:?} is empty in all {rows} rows, so it cannot tell customers apart and is left out \
             of clustering. Remove it from --columns (or add --force-columns {name} to keep it anyway)."
        ),
        other => other.to_string(),
    }
}

/// Why there is nothing to cluster on, and what to do.
pub fn nothing_to_cluster(table: &Table) -> String {
    let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
    format!(
        "no column can be used to form segments: each of the {} columns ({}) is an ID, a date, empty, the \
         conversion column or an earlier segment column. Add columns that describe the customers (age, \
         industry, spend, …), choose some with --columns (and --force-columns for an ID), or profile \
         segments you already have with --segments COLUMN.",
        names.len(),
        names.join(", ")
    )
}

/// The message for a segmentation error: the engine's words, and for share bounds these rows cannot meet, the
/// nearest `--max` that works for them.
pub fn cluster_error(error: ClusterError) -> String {
    match &error {
        ClusterError::TooFewRowsForBounds {
            n_rows, min, max, ..
        } => format!("{error}{}", wider_max_hint(*n_rows, *min, *max)),
        _ => error.to_string(),
    }
}

/// " With these 21 rows, --max 0.15 works.": the smallest `--max` (in steps of 0.01) that the engine accepts
/// for `n_rows` with the same `--min` and automatic k; empty when none does.
fn wider_max_hint(n_rows: usize, min: f64, max: f64) -> String {
    let works = |max: f64| {
        KMediansParams::new()
            .with_bounds(Some(ShareBounds { min, max }))
            .validate(n_rows)
            .is_ok()
    };
    (1..=100)
        .map(|step| max + f64::from(step) * 0.01)
        .take_while(|&candidate| candidate <= 1.0 + 1e-9)
        .find(|&candidate| works(candidate))
        .map_or_else(String::new, |candidate| {
            format!(" With these {n_rows} rows, --max {candidate:.2} works.")
        })
}

/// Checks the conversion column before any work: the one named with `--target`, or, when only `--positive`
/// is given, the detected one (none detected: ask for `--target`).
pub fn check_target(
    table: &Table,
    target: Option<&str>,
    positive: Option<&str>,
) -> Result<(), String> {
    match (target, positive) {
        (Some(target), _) => check_named_target(table, target, positive),
        (None, Some(value)) => match detect_target(table) {
            Some(index) => check_named_target(table, &table.columns()[index].name, positive),
            None => Err(format!(
                "--positive {value:?} says which value means converted, but no conversion column was found \
                 (by names such as is_sale, converted or y). Name the column with --target COL."
            )),
        },
        (None, None) => Ok(()),
    }
}

/// Checks that the conversion column `target` can be read as converted / not converted, and otherwise asks
/// for `--positive` (listing the column's values) or another column.
fn check_named_target(table: &Table, target: &str, positive: Option<&str>) -> Result<(), String> {
    let Some(index) = table.column_index(target) else {
        let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "no column named {target:?} for --target; the columns are: {}",
            names.join(", ")
        ));
    };
    // Profile every row as one segment, on the target alone: cheap, and the engine's own reading of it.
    let mut params = ProfileParams::new().segment_labels(vec!["all".into()]);
    params.target = Some(target.to_string());
    params.positive_value = positive.map(String::from);
    params.exclude = table
        .columns()
        .iter()
        .filter(|c| c.name != target)
        .map(|c| c.name.clone())
        .collect();
    let labels = vec![0; table.n_rows()];
    let report = profile_segments(table, &labels, &params).map_err(|e| e.to_string())?;
    if report.target.is_some() {
        return Ok(());
    }
    let values = distinct_values(table, index, 6);
    let shown: Vec<String> = values.iter().take(5).map(|v| format!("{v:?}")).collect();
    let shown = format!(
        "{}{}",
        shown.join(", "),
        if values.len() > 5 { ", …" } else { "" }
    );
    let kind = report
        .notes
        .iter()
        .find(|n| n.column.as_deref() == Some(target))
        .map(|n| n.kind);
    Err(match (kind, positive) {
        (Some(NoteKind::TargetAmbiguous), Some(value)) => format!(
            "--positive {value:?} is not a value of the conversion column {target:?}, which holds {shown}. \
             Give the value that means converted, e.g. --positive {:?}.",
            values.last().cloned().unwrap_or_default()
        ),
        (Some(NoteKind::TargetAmbiguous), None) => format!(
            "which value of {target:?} means converted? The column holds {shown}, and neither reads as \
             yes/no. Say which one counts as a conversion with --positive VALUE, e.g. --positive {:?}.",
            values.last().cloned().unwrap_or_default()
        ),
        _ if values.is_empty() => format!(
            "the conversion column {target:?} is empty in all {} rows; choose another with --target.",
            table.n_rows()
        ),
        _ => format!(
            "the conversion column {target:?} has {} different values ({shown}); a conversion column needs \
             exactly two (converted or not). Choose another column with --target.",
            if values.len() > 5 {
                "more than 5".to_string()
            } else {
                values.len().to_string()
            }
        ),
    })
}

/// Up to `limit` distinct present values of column `index`, in order of first appearance.
fn distinct_values(table: &Table, index: usize, limit: usize) -> Vec<String> {
    let column = &table.columns()[index];
    let mut values: Vec<String> = Vec::new();
    for row in 0..table.n_rows() {
        if column.is_missing(row) {
            continue;
        }
        let text = column.text(row).trim();
        if !values.iter().any(|v| v == text) {
            values.push(text.to_string());
            if values.len() >= limit {
                break;
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(n_rows: usize) -> String {
        let error = KMediansParams::new()
            .with_bounds(Some(ShareBounds {
                min: 0.05,
                max: 0.10,
            }))
            .validate(n_rows)
            .unwrap_err();
        cluster_error(error)
    }

    #[test]
    fn twenty_one_rows_at_five_to_ten_percent_get_the_minimum_and_a_wider_range() {
        let text = refusal(21);
        assert!(text.contains("each segment would need exactly 2"), "{text}");
        assert!(text.contains("Use at least 30 customers"), "{text}");
        assert!(
            text.ends_with("With these 21 rows, --max 0.15 works."),
            "{text}"
        );
    }

    #[test]
    fn too_few_rows_for_even_one_row_per_segment_says_so() {
        let text = refusal(5);
        assert!(text.contains("at least 1 customer but at most 0"), "{text}");
    }
}
