//! `segment`, `profile` and the exports for Python: the same steps, in the same order and with the same
//! defaults, as `audience segment` (`cli/src/segment.rs`), so a file and a seed give the CLI's segments.

use audience_engine::cluster::{
    KChoice, KMediansParams, Segmentation, ShareBounds, DEFAULT_SCREENING_SAMPLE,
};
use audience_engine::encode::{
    default_selection, encode, EncodedMatrix, SelectedVariable, Selection,
};
use audience_engine::export::personas_json::personas_json;
use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
use audience_engine::ingest::{read_table, BadRowPolicy, HeaderMode, IngestError, IngestOptions};
use audience_engine::model::apply::encode_for_model;
use audience_engine::model::{model_json, ModelVariable, SegmentationModel};
use audience_engine::pipeline::conversion_column;
use audience_engine::profile::{profile_segments, segments_from_column, ProfileParams};
use audience_engine::table::Table;
use serde::Deserialize;

use crate::error::{Failure, FailureKind};
use crate::globals::{self, Globals};

/// The settings of a run, with `audience segment`'s defaults (read from the JSON the Python side sends).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentOptions {
    /// Columns to cluster on; `None`: every usable column but the conversion column and earlier segments.
    pub columns: Option<Vec<String>>,
    /// Columns clustered on even if they look like IDs or are empty.
    pub force_columns: Vec<String>,
    /// The conversion column, never clustered on.
    pub target: Option<String>,
    /// The value of the conversion column that means converted.
    pub positive: Option<String>,
    /// Smallest share of the rows any segment may hold.
    pub min_share: f64,
    /// Largest share.
    pub max_share: f64,
    /// Number of segments; `None`: automatic.
    pub k: Option<usize>,
    /// Seed of every random choice.
    pub seed: u64,
    /// Restarts per k.
    pub restarts: usize,
    /// Screening sample (`0`: screen on all rows).
    pub screening_sample: usize,
    /// `"auto"`, `"yes"` or `"no"`: whether the first line holds the column names.
    pub header: String,
    /// Leave out rows that cannot be read as-is instead of refusing the file.
    pub skip_bad_rows: bool,
}

impl Default for SegmentOptions {
    fn default() -> Self {
        SegmentOptions {
            columns: None,
            force_columns: Vec::new(),
            target: None,
            positive: None,
            min_share: 0.05,
            max_share: 0.10,
            k: None,
            seed: 0,
            restarts: 3,
            screening_sample: DEFAULT_SCREENING_SAMPLE,
            header: "auto".into(),
            skip_bad_rows: false,
        }
    }
}

/// A finished run: the table read, what was clustered on, the fit and its model.
#[derive(Debug)]
pub struct SegmentRun {
    /// The table as read.
    pub table: Table,
    /// The input's delimiter, for the clustered CSV.
    pub delimiter: u8,
    /// The columns clustered on, in dimension order.
    pub columns: Vec<String>,
    /// The conversion column left out, if any.
    pub conversion: Option<String>,
    /// The encoded matrix.
    pub matrix: EncodedMatrix,
    /// The fit.
    pub segmentation: Segmentation,
    /// The settings.
    pub options: SegmentOptions,
    /// The model's variables when they are not the table's own ([`segment_with_globals`]).
    pub variables: Option<Vec<ModelVariable>>,
}

/// Reads CSV bytes as `audience segment` reads a file.
pub fn read(bytes: &[u8], header: &str, skip_bad_rows: bool) -> Result<(Table, u8), Failure> {
    let header = match header.to_ascii_lowercase().as_str() {
        "auto" => HeaderMode::Auto,
        "yes" | "true" => HeaderMode::Present,
        "no" | "false" => HeaderMode::Absent,
        other => {
            return Err(Failure::new(
                FailureKind::Options,
                format!("header must be \"auto\", \"yes\" or \"no\", got {other:?}"),
            ))
        }
    };
    let options = IngestOptions {
        header,
        bad_rows: if skip_bad_rows {
            BadRowPolicy::Skip
        } else {
            BadRowPolicy::Fail
        },
        ..IngestOptions::default()
    };
    let ingested = read_table(bytes, &options).map_err(|error| {
        let message = match &error {
            IngestError::BadRows { .. } => {
                format!("{error}; fix those lines, or pass skip_bad_rows=True to leave them out")
            }
            _ => error.to_string(),
        };
        Failure::new(FailureKind::Ingest, message)
    })?;
    let delimiter = u8::try_from(ingested.report.delimiter).unwrap_or(b',');
    Ok((ingested.table, delimiter))
}

/// Segments CSV bytes with `options`, exactly as `audience segment` does.
pub fn segment(bytes: &[u8], options: SegmentOptions) -> Result<SegmentRun, Failure> {
    let (table, delimiter) = read(bytes, &options.header, options.skip_bad_rows)?;
    segment_table(table, delimiter, options)
}

/// The table read and encoded exactly as [`segment`] would, without fitting: the ground on which two
/// labellings of the same rows are compared ([`l1_cost`]).
pub fn encode_only(bytes: &[u8], options: &SegmentOptions) -> Result<EncodedMatrix, Failure> {
    let (table, _) = read(bytes, &options.header, options.skip_bad_rows)?;
    let conversion = conversion_column(&table, options.target.as_deref());
    let selection = select(&table, options, conversion.as_deref())?;
    encode(&table, &selection).map_err(|e| Failure::new(FailureKind::Encode, e.to_string()))
}

/// The engine's L1 cost of `labels` (`0..k`) on the data encoded as [`segment`] encodes it: each
/// segment's center is its exact coordinate-wise median ([`audience_engine::cluster::l1_cost`]).
pub fn l1_cost(
    bytes: &[u8],
    options: &SegmentOptions,
    labels: &[u32],
    k: usize,
) -> Result<f64, Failure> {
    let matrix = encode_only(bytes, options)?;
    audience_engine::cluster::l1_cost(&matrix, labels, k).ok_or_else(|| {
        Failure::new(
            FailureKind::Cluster,
            format!(
                "{} labels for {} rows (each below {k}) are needed to cost a segmentation",
                labels.len(),
                matrix.n_rows
            ),
        )
    })
}

/// [`segment`] on a table already read.
pub fn segment_table(
    table: Table,
    delimiter: u8,
    options: SegmentOptions,
) -> Result<SegmentRun, Failure> {
    let (matrix, columns, conversion) = prepare(&table, &options)?;
    let segmentation = fit(&matrix, &options)?;
    Ok(SegmentRun {
        table,
        delimiter,
        columns,
        conversion,
        matrix,
        segmentation,
        options,
        variables: None,
    })
}

/// The matrix `audience segment` clusters, the columns clustered on and the conversion column left out.
fn prepare(
    table: &Table,
    options: &SegmentOptions,
) -> Result<(EncodedMatrix, Vec<String>, Option<String>), Failure> {
    let conversion = conversion_column(table, options.target.as_deref());
    // Listed in dimension order, however the options listed them.
    let selection = select(table, options, conversion.as_deref())?.in_table_order();
    let matrix =
        encode(table, &selection).map_err(|e| Failure::new(FailureKind::Encode, e.to_string()))?;
    let columns = selection
        .variables
        .iter()
        .map(|v| table.columns()[v.column].name.clone())
        .collect();
    let conversion = conversion.filter(|c| {
        !selection
            .variables
            .iter()
            .any(|v| table.columns()[v.column].name == *c)
    });
    Ok((matrix, columns, conversion))
}

/// The fit `audience segment` runs on an encoded matrix with these settings.
fn fit(matrix: &EncodedMatrix, options: &SegmentOptions) -> Result<Segmentation, Failure> {
    let bounds = ShareBounds::new(options.min_share, options.max_share)
        .map_err(|e| Failure::new(FailureKind::Cluster, e.to_string()))?;
    KMediansParams::new()
        .with_k(options.k.map_or(KChoice::Auto, KChoice::Fixed))
        .with_bounds(Some(bounds))
        .with_restarts(options.restarts)
        .with_screening_sample(match options.screening_sample {
            0 => usize::MAX,
            rows => rows,
        })
        .with_seed(options.seed)
        .validate(matrix.n_rows)
        .and_then(|valid| valid.fit(matrix))
        .map_err(|e| Failure::new(FailureKind::Cluster, e.to_string()))
}

/// [`segment`] on a sample of a larger table, with the whole table's figures ([`Globals`]: robust ranges
/// of numeric columns, types and levels of text columns) in place of the sample's own: the rows are
/// encoded under that encoding (as `audience apply` encodes under a model's) and fitted again, and the
/// model keeps it. Columns not named keep the sample's figures.
pub fn segment_with_globals(
    bytes: &[u8],
    options: SegmentOptions,
    globals: &Globals,
) -> Result<SegmentRun, Failure> {
    let (table, delimiter) = read(bytes, &options.header, options.skip_bad_rows)?;
    let (matrix, columns, conversion) = prepare(&table, &options)?;
    // The sample's own encoding as model variables (a one-segment fit without bounds is the cheapest fit
    // that makes a model); then the whole table's figures in place of the sample's.
    let one = KMediansParams::new()
        .with_k(KChoice::Fixed(1))
        .with_bounds(None)
        .with_restarts(1)
        .validate(matrix.n_rows)
        .and_then(|valid| valid.fit(&matrix))
        .map_err(|e| Failure::new(FailureKind::Cluster, e.to_string()))?;
    let mut model = SegmentationModel::from_fit(&table, &matrix, &one, 1)
        .map_err(|e| Failure::new(FailureKind::Model, e.to_string()))?;
    let (matrix, variables) = if globals::apply(&mut model.variables, globals)? {
        // Only the encoding is used: the one center takes the new width (a level more or fewer).
        let width = model.n_dims();
        for segment in &mut model.segments {
            segment.center = vec![0.0; width];
        }
        let (matrix, _) = encode_for_model(&model, &table, &IngestOptions::default())
            .map_err(|e| Failure::new(FailureKind::Model, e.to_string()))?;
        (matrix, Some(model.variables))
    } else {
        (matrix, None)
    };
    let segmentation = fit(&matrix, &options)?;
    Ok(SegmentRun {
        table,
        delimiter,
        columns,
        conversion,
        matrix,
        segmentation,
        options,
        variables,
    })
}

/// The clustering variables, as `audience segment` chooses them.
fn select(
    table: &Table,
    options: &SegmentOptions,
    conversion: Option<&str>,
) -> Result<Selection, Failure> {
    let names = || {
        table
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let columns_failure = |message: String| Failure::new(FailureKind::Columns, message);
    if let Some(target) = &options.target {
        if table.column_index(target).is_none() {
            return Err(columns_failure(format!(
                "no column named {target:?} for target; the columns are: {}",
                names()
            )));
        }
    }
    let index = |name: &String| {
        table.column_index(name.trim()).ok_or_else(|| {
            columns_failure(format!(
                "no column named {name:?}; the columns are: {}",
                names()
            ))
        })
    };
    let forced = options
        .force_columns
        .iter()
        .map(index)
        .collect::<Result<Vec<_>, _>>()?;
    let mut selection = match &options.columns {
        None => {
            let mut selection = default_selection(table, conversion);
            // Earlier segmentations are never clustered on unless named (as the CLI's default).
            selection.variables.retain(|v| {
                !["segment", "segment_name"].contains(&table.columns()[v.column].name.as_str())
            });
            if selection.variables.is_empty() && forced.is_empty() {
                return Err(Failure::new(
                    FailureKind::Encode,
                    format!(
                        "no column can be clustered on (the columns are: {}); name columns, or force \
                         one with force_columns",
                        names()
                    ),
                ));
            }
            selection
        }
        Some(wanted) => {
            let indices = wanted.iter().map(index).collect::<Result<Vec<_>, _>>()?;
            if let Some(target) = &options.target {
                if wanted.iter().any(|w| w.trim() == target) {
                    return Err(columns_failure(format!(
                        "{target:?} is the conversion column (target), which segments are compared on, \
                         so it cannot also form them; remove it from columns"
                    )));
                }
            }
            Selection::columns(&indices)
        }
    };
    for column in forced {
        match selection.variables.iter_mut().find(|v| v.column == column) {
            Some(variable) => variable.force = true,
            None => selection.variables.push(SelectedVariable {
                column,
                weight: 1.0,
                force: true,
            }),
        }
    }
    Ok(selection)
}

impl SegmentRun {
    /// The clustered CSV (every input row, unchanged, plus `segment` = 1..=k), as the CLI writes it.
    pub fn clustered_csv(&self) -> Result<Vec<u8>, Failure> {
        let labels = &self.segmentation.labels;
        let segment = |row: usize| (labels[row] + 1).to_string();
        let extra: [(&str, &dyn Fn(usize) -> String); 1] = [("segment", &segment)];
        let options = ClusteredCsvOptions {
            delimiter: self.delimiter,
            input_cells: Default::default(),
            replace_existing: false,
        };
        let mut out = Vec::new();
        write_clustered_csv_with(&self.table, &options, &extra, &mut out)
            .map_err(|e| Failure::new(FailureKind::Export, e.to_string()))?;
        Ok(out)
    }

    /// The persona report of the segments (numbered `1..=k`), profiled as `audience segment --personas`
    /// profiles them: names and traits from the clustered columns only.
    fn persona_report(&self) -> Result<audience_engine::profile::PersonaReport, Failure> {
        let mut params = ProfileParams::new()
            .segment_labels((1..=self.segmentation.k).map(|id| id.to_string()).collect())
            .segmentation_columns(self.columns.iter().cloned());
        params.target = self.options.target.clone();
        params.positive_value = self.options.positive.clone();
        profile_segments(&self.table, &self.segmentation.labels, &params).map_err(|e| {
            Failure::new(
                FailureKind::Profile,
                format!("cannot profile the segments: {e}"),
            )
        })
    }

    /// The personas JSON of the segments, as `audience segment --personas` writes it.
    pub fn personas_json(&self) -> Result<String, Failure> {
        personas_json(&self.persona_report()?)
            .map_err(|e| Failure::new(FailureKind::Export, e.to_string()))
    }

    /// The saved model (columns, encoding, centers, bounds, persona names; no data row), as
    /// `audience segment --save-model` writes it.
    pub fn model(&self) -> Result<SegmentationModel, Failure> {
        let mut names = vec![None; self.segmentation.k];
        // As the CLI: a segmentation that cannot be profiled is saved without names.
        if let Ok(report) = self.persona_report() {
            for persona in report.personas {
                let number = persona
                    .label
                    .as_deref()
                    .and_then(|l| l.parse::<usize>().ok())
                    .unwrap_or(persona.segment as usize + 1);
                if let Some(slot) = number.checked_sub(1).and_then(|i| names.get_mut(i)) {
                    *slot = Some(persona.name);
                }
            }
        }
        SegmentationModel::from_fit(
            &self.table,
            &self.matrix,
            &self.segmentation,
            self.options.restarts,
        )
        .map(|mut model| {
            if let Some(variables) = &self.variables {
                model.variables.clone_from(variables);
            }
            model.with_names(&names)
        })
        .map_err(|e| Failure::new(FailureKind::Model, e.to_string()))
    }

    /// [`model`](Self::model) as JSON.
    pub fn model_json(&self) -> Result<String, Failure> {
        model_json(&self.model()?).map_err(|e| Failure::new(FailureKind::Model, e.to_string()))
    }

    /// The run's figures as JSON: columns, k, sizes, shares, cost, iterations, k scores, seed.
    pub fn summary_json(&self) -> String {
        let s = &self.segmentation;
        serde_json::json!({
            "rows": self.table.n_rows(),
            "columns": self.columns,
            "conversion_column": self.conversion,
            "dimensions": self.matrix.n_dims,
            "notes": self.matrix.notes,
            "k": s.k,
            "k_scores": s.k_scores,
            "sizes": s.sizes,
            "shares": s.shares(),
            "size_limits": [s.limits.lower, s.limits.upper],
            "cost": s.cost,
            "iterations": s.iterations,
            "converged": s.converged,
            "certified": s.certified,
            "screening_sample": s.sample_rows,
            "seed": s.seed,
        })
        .to_string()
    }
}

/// Personas JSON of the segments an existing column holds, as `audience profile FILE --segments COLUMN
/// --json` prints it: one segment per distinct value in order of first appearance, rows without a value
/// in one `(missing)` segment, the segment column itself left out of the profiles.
pub fn profile(
    bytes: &[u8],
    segments: &str,
    target: Option<String>,
    positive: Option<String>,
) -> Result<String, Failure> {
    let (table, _) = read(bytes, "auto", false)?;
    let column = table.column(segments).ok_or_else(|| {
        Failure::new(
            FailureKind::Columns,
            format!(
                "{segments:?} is not a column of this data (columns: {}); name the column that holds the \
                 segments",
                table
                    .columns()
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let groups = segments_from_column(column);
    let mut params = ProfileParams::new().segment_labels(groups.names);
    params.target = target;
    params.positive_value = positive;
    params.exclude.push(segments.to_string());
    let report = profile_segments(&table, &groups.labels, &params).map_err(|e| {
        Failure::new(
            FailureKind::Profile,
            format!("cannot profile the segments: {e}"),
        )
    })?;
    personas_json(&report).map_err(|e| Failure::new(FailureKind::Export, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use audience_engine::model::Encoding;

    fn two_groups() -> String {
        let mut csv = String::from("customer,age,plan,converted\n");
        for i in 0..60 {
            let (age, plan, converted) = if i % 2 == 0 {
                (20 + i % 7, "basic", "no")
            } else {
                (60 + i % 5, "premium", "yes")
            };
            csv += &format!("C{i:03},{age},{plan},{converted}\n");
        }
        csv
    }

    fn options(k: usize, min: f64, max: f64) -> SegmentOptions {
        SegmentOptions {
            k: Some(k),
            min_share: min,
            max_share: max,
            seed: 7,
            ..SegmentOptions::default()
        }
    }

    #[test]
    fn segmenting_two_obvious_groups_leaves_out_the_id_and_the_conversion_column() {
        let run = segment(two_groups().as_bytes(), options(2, 0.4, 0.6)).unwrap();
        assert_eq!(run.columns, ["age", "plan"]);
        assert_eq!(run.conversion.as_deref(), Some("converted"));
        assert_eq!(run.segmentation.sizes, [30, 30]);
        let labels = &run.segmentation.labels;
        assert!((0..60).all(|i| labels[i] == labels[i % 2]));
        assert_ne!(labels[0], labels[1]);
    }

    #[test]
    fn the_clustered_csv_keeps_every_row_and_adds_the_segment_number() {
        let run = segment(two_groups().as_bytes(), options(2, 0.4, 0.6)).unwrap();
        let csv = String::from_utf8(run.clustered_csv().unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 61);
        assert_eq!(lines[0], "customer,age,plan,converted,segment");
        let first = run.segmentation.labels[0] + 1;
        assert_eq!(lines[1], format!("C000,20,basic,no,{first}"));
    }

    #[test]
    fn impossible_bounds_are_a_cluster_failure_naming_the_numbers() {
        let error = segment(two_groups().as_bytes(), options(2, 0.6, 0.7)).unwrap_err();
        assert_eq!(error.kind, FailureKind::Cluster);
        assert!(error.message.contains("60%"), "{}", error.message);
    }

    #[test]
    fn an_unknown_column_is_a_columns_failure_listing_the_columns() {
        let mut opts = options(2, 0.4, 0.6);
        opts.columns = Some(vec!["income".into()]);
        let error = segment(two_groups().as_bytes(), opts).unwrap_err();
        assert_eq!(error.kind, FailureKind::Columns);
        assert_eq!(
            error.message,
            "no column named \"income\"; the columns are: customer, age, plan, converted"
        );
    }

    #[test]
    fn given_ranges_replace_the_samples_own_and_shape_the_encoding() {
        let opts = options(2, 0.4, 0.6);
        let own = segment(two_groups().as_bytes(), opts.clone()).unwrap();
        let globals = Globals {
            ranges: vec![("age".into(), 0.0, 100.0), ("plan".into(), 0.0, 1.0)],
            ..Globals::default()
        };
        let ranged = segment_with_globals(two_groups().as_bytes(), opts, &globals).unwrap();
        let age = |run: &SegmentRun| match &run.model().unwrap().variables[0].encoding {
            Encoding::Scaled { low, high, .. } => (*low, *high),
            other => panic!("age is scaled, not {other:?}"),
        };
        assert_eq!(age(&own), (20.0, 64.0));
        assert_eq!(age(&ranged), (0.0, 100.0));
        // Row 0 (age 20) encodes to 0.2 of the weight under 0..100; the categorical plan is unchanged.
        assert!((ranged.matrix.data[0] - 0.2).abs() < 1e-6);
        assert_eq!(ranged.segmentation.sizes, [30, 30]);
    }

    #[test]
    fn whole_table_levels_add_a_dimension_for_a_level_the_sample_lacks() {
        let globals = Globals {
            texts: vec![(
                "plan".into(),
                vec![
                    ("basic".into(), 300),
                    ("premium".into(), 300),
                    ("legacy".into(), 1),
                ],
            )],
            ..Globals::default()
        };
        let run =
            segment_with_globals(two_groups().as_bytes(), options(2, 0.4, 0.6), &globals).unwrap();
        let model = run.model().unwrap();
        let plan = model.variables.iter().find(|v| v.name == "plan").unwrap();
        assert!(
            matches!(&plan.encoding, Encoding::OneHot { levels, .. } if levels == &["basic", "premium", "legacy"]),
            "{:?}",
            plan.encoding
        );
        assert_eq!(model.n_dims(), run.matrix.n_dims);
        assert_eq!(run.segmentation.sizes, [30, 30]);
    }

    #[test]
    fn profiling_a_segment_column_gives_one_persona_per_value() {
        let run = segment(two_groups().as_bytes(), options(2, 0.4, 0.6)).unwrap();
        let clustered = run.clustered_csv().unwrap();
        let json = profile(&clustered, "segment", Some("converted".into()), None).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let personas = doc["personas"].as_array().unwrap();
        assert_eq!(personas.len(), 2);
        assert!(personas.iter().all(|p| p["size"] == 30));
    }
}
