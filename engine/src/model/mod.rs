//! A segmentation that lasts: the saved model, applied to next month's file, scored against prospects.
//!
//! A [`SegmentationModel`] is everything needed to put a new row in a saved segment and nothing more: the
//! columns used with their types and encoding (robust ranges, level values, one-hot levels, weights), the
//! segment centers, the share bounds, k, the seed, the persona names, and per segment a few distance
//! deciles of its members to its center. It never holds a data row. It is written as versioned JSON
//! ([`model_json`], checked by the published [`SCHEMA`]) and read back with [`read_model_json`].
//!
//! * [`apply`]: re-encode a file exactly as the training file was encoded and put every row in a saved
//!   segment, by nearest center or with the share bounds enforced exactly by the same assignment solver
//!   as the fit ([`crate::cluster::assign`]).
//! * [`movement`]: who moved between segments, from two labelled files that share an ID column.
//! * [`lookalike`]: score a prospect file by its similarity to one segment, in named bands.
//!
//! ```
//! use audience_engine::cluster::{KChoice, KMediansParams, ShareBounds};
//! use audience_engine::encode::{default_selection, encode};
//! use audience_engine::ingest::{read_table, IngestOptions};
//! use audience_engine::model::apply::{apply, BoundsMode};
//! use audience_engine::model::{model_json, read_model_json, SegmentationModel};
//!
//! let mut csv = String::from("age,plan\n");
//! for i in 0..40 {
//!     csv += &if i % 2 == 0 { format!("{},basic\n", 20 + i % 7) } else { format!("{},premium\n", 60 + i % 5) };
//! }
//! let table = read_table(csv.as_bytes(), &IngestOptions::default())?.table;
//! let matrix = encode(&table, &default_selection(&table, None))?;
//! let fit = KMediansParams::new()
//!     .with_k(KChoice::Fixed(2))
//!     .with_bounds(Some(ShareBounds { min: 0.4, max: 0.6 }))
//!     .fit(&matrix)?;
//! let model = SegmentationModel::from_fit(&table, &matrix, &fit, 3)?;
//! let saved = read_model_json(&model_json(&model)?)?;
//! let applied = apply(&saved, &table, BoundsMode::Exact, &IngestOptions::default())?;
//! assert_eq!(applied.labels, fit.labels); // the training file gets its own segments back
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod apply;
pub mod lookalike;
pub mod movement;

use serde::{Deserialize, Serialize};

use crate::cluster::{Segmentation, ShareBounds};
use crate::encode::{DimKind, EncodedMatrix};
use crate::table::{ColumnType, Table};

/// The `"schema"` value of every model document.
pub const SCHEMA_ID: &str = "audience-builder/segmentation-model";
/// The `"version"` this engine writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
/// The JSON Schema of version 1.
pub const SCHEMA: &str = include_str!("../../schema/model.v1.schema.json");

/// A saved segmentation: how to encode a row and where the segments are. Holds no data row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentationModel {
    /// Always [`SCHEMA_ID`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`] when written by this engine.
    pub version: u32,
    /// `"audience-engine <version>"`.
    pub generator: String,
    /// Number of segments.
    pub k: usize,
    /// The seed of the fit.
    pub seed: u64,
    /// Restarts of the fit (used again by stability refits).
    pub restarts: usize,
    /// The share bounds every segment satisfied in training; `None` when the fit had none.
    pub bounds: Option<ShareBounds>,
    /// Rows of the training file.
    pub training_rows: usize,
    /// The variables, in the order of their dimensions.
    pub variables: Vec<ModelVariable>,
    /// Census values by ZIP code that were added to the file before segmenting, to add again to a file
    /// the model is applied to (see [`with_retrieval`](Self::with_retrieval)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieval: Option<Retrieval>,
    /// The segments, numbered `1..=k`.
    pub segments: Vec<ModelSegment>,
}

/// Census variables retrieved by ZIP code before segmenting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retrieval {
    /// Catalog codes, one column each (named by the code).
    pub codes: Vec<String>,
    /// The ZIP code column named by the user; `None` when it was found by its name or values.
    pub zip_column: Option<String>,
}

/// One column the segmentation uses and how its cells become numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelVariable {
    /// Column name.
    pub name: String,
    /// The column's type in the training file.
    pub column_type: ColumnType,
    /// The variable weight (the most it adds to the distance between two rows).
    pub weight: f64,
    /// How a cell is encoded.
    pub encoding: Encoding,
}

/// How a variable's cells are encoded (the rules of [`crate::encode`], with the training file's figures).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Encoding {
    /// Numeric, date or ordinal: `value_weight · (clamp(x, low, high) − low) / (high − low)` (0 when
    /// `low == high`). Ordinal cells read as the number of their level in `levels`.
    Scaled {
        /// Lower end of the training file's robust range.
        low: f64,
        /// Upper end of the training file's robust range.
        high: f64,
        /// Factor after scaling to `[0, 1]`.
        value_weight: f32,
        /// Weight in the missing-value rescaling.
        rescale_weight: f32,
        /// Ordinal levels and the number each stands for (empty for numeric and date columns).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levels: Vec<LevelValue>,
    },
    /// Binary: `value_weight` for a level of value 1, 0 for a level of value 0.
    Binary {
        /// The training file's two levels (value 0 = the negative one).
        levels: Vec<LevelValue>,
        /// Factor of the positive value.
        value_weight: f32,
        /// Weight in the missing-value rescaling.
        rescale_weight: f32,
    },
    /// Categorical (or a forced identifier): one dimension per level, `value_weight` on the row's level.
    OneHot {
        /// Level labels (for a forced identifier: the cell texts), one dimension each.
        levels: Vec<String>,
        /// Value on the row's level (half the variable weight).
        value_weight: f32,
        /// Weight of each dimension in the missing-value rescaling.
        rescale_weight: f32,
    },
    /// A column forced into clustering although every cell was missing: always missing.
    AllMissing {
        /// Weight in the missing-value rescaling.
        rescale_weight: f32,
    },
}

/// A level and the number it encodes to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelValue {
    /// Level label as read from the training file.
    pub label: String,
    /// Ordinal position, or 0/1 for binary levels.
    pub value: f64,
}

/// One saved segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSegment {
    /// Segment number, `1..=k`, as written in the `segment` column.
    pub number: u32,
    /// Persona name, when one was given.
    pub name: Option<String>,
    /// Share of the training rows.
    pub share: f64,
    /// Center in encoded space; `null` where every member missed the dimension.
    #[serde(with = "nan_as_null")]
    pub center: Vec<f32>,
    /// The segment's dual price in the fit's last assignment step (distance units): with the centers and
    /// the seed, [`apply`](apply::apply) with exact bounds replays that step and gives the training file
    /// its labels back, ties included. `None` in documents saved before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_price: Option<f64>,
    /// Distance of the members to the center at 0 %, 10 %, …, 100 % (11 values, ascending; empty for an
    /// empty segment): what "close to this segment" means, used by [`lookalike`].
    pub member_distances: Vec<f32>,
}

/// Why a model cannot be built, written or read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The text is not a model document.
    #[error("this is not a saved segmentation (expected a {SCHEMA_ID:?} JSON file): {0}")]
    Json(String),
    /// A model of another kind or version.
    #[error(
        "this file is a {found:?} document version {version}; this version of Audience Builder reads \
         {SCHEMA_ID:?} version {SCHEMA_VERSION}: save the segmentation again with this version"
    )]
    WrongSchema {
        /// The `schema` found.
        found: String,
        /// The `version` found.
        version: u32,
    },
    /// The document's parts disagree (edited by hand or damaged).
    #[error("the saved segmentation is damaged: {0}; save it again")]
    Inconsistent(String),
}

impl SegmentationModel {
    /// The model of a fit: `matrix` is `encode(table, selection)` and `segmentation` its fit. Persona names
    /// start empty (see [`with_names`](Self::with_names)); `restarts` is recorded for stability refits.
    pub fn from_fit(
        table: &Table,
        matrix: &EncodedMatrix,
        segmentation: &Segmentation,
        restarts: usize,
    ) -> Result<Self, ModelError> {
        if segmentation.n_dims != matrix.n_dims || segmentation.labels.len() != matrix.n_rows {
            return Err(ModelError::Inconsistent(format!(
                "the fit has {} dimensions and {} rows, the matrix {} and {}",
                segmentation.n_dims,
                segmentation.labels.len(),
                matrix.n_dims,
                matrix.n_rows
            )));
        }
        let mut variables = Vec::new();
        let mut dim = 0;
        while dim < matrix.dims.len() {
            let first = &matrix.dims[dim];
            let end = dim
                + matrix.dims[dim..]
                    .iter()
                    .take_while(|d| d.column == first.column)
                    .count();
            let group = &matrix.dims[dim..end];
            let column = table.columns().get(first.column).ok_or_else(|| {
                ModelError::Inconsistent(format!(
                    "column index {} is not in the table",
                    first.column
                ))
            })?;
            let level_values = |binary: bool| -> Vec<LevelValue> {
                column
                    .levels()
                    .iter()
                    .enumerate()
                    .map(|(index, level)| {
                        let position = level
                            .position
                            .filter(|p| p.is_finite())
                            .unwrap_or(index as f64);
                        LevelValue {
                            label: level.label.clone(),
                            value: if binary {
                                f64::from(u8::from(position > 0.0))
                            } else {
                                position
                            },
                        }
                    })
                    .collect()
            };
            let (weight, encoding) = match first.kind {
                DimKind::Numeric | DimKind::Date | DimKind::Ordinal => (
                    f64::from(first.value_weight),
                    Encoding::Scaled {
                        low: first.low,
                        high: first.high,
                        value_weight: first.value_weight,
                        rescale_weight: first.rescale_weight,
                        levels: if first.kind == DimKind::Ordinal {
                            level_values(false)
                        } else {
                            Vec::new()
                        },
                    },
                ),
                DimKind::Binary => (
                    f64::from(first.value_weight),
                    Encoding::Binary {
                        levels: level_values(true),
                        value_weight: first.value_weight,
                        rescale_weight: first.rescale_weight,
                    },
                ),
                DimKind::OneHot => (
                    2.0 * f64::from(first.value_weight),
                    Encoding::OneHot {
                        levels: group
                            .iter()
                            .map(|d| d.level_label.clone().unwrap_or_default())
                            .collect(),
                        value_weight: first.value_weight,
                        rescale_weight: first.rescale_weight,
                    },
                ),
                DimKind::AllMissing => (
                    f64::from(first.rescale_weight),
                    Encoding::AllMissing {
                        rescale_weight: first.rescale_weight,
                    },
                ),
            };
            variables.push(ModelVariable {
                name: column.name.clone(),
                column_type: column.column_type(),
                weight,
                encoding,
            });
            dim = end;
        }
        let k = segmentation.k;
        // The centers the final labels were assigned to (the medians of those labels can differ, as the
        // fit stops when its cost stops falling): applying the model to its training file gives the labels
        // back. Older fits without them fall back to the final medians.
        let replay = segmentation.assign_centers.len() == segmentation.centers.len()
            && segmentation.assign_prices.len() == k;
        let center = |c: usize| -> &[f32] {
            if replay {
                &segmentation.assign_centers[c * segmentation.n_dims..(c + 1) * segmentation.n_dims]
            } else {
                segmentation.center(c)
            }
        };
        let mut distances: Vec<Vec<f32>> = vec![Vec::new(); k];
        for (row, &label) in segmentation.labels.iter().enumerate() {
            let c = label as usize;
            distances[c].push(matrix.distance(matrix.row(row), center(c)));
        }
        let n = segmentation.labels.len().max(1) as f64;
        let segments = distances
            .into_iter()
            .enumerate()
            .map(|(c, mut members)| ModelSegment {
                number: c as u32 + 1,
                name: None,
                share: members.len() as f64 / n,
                center: center(c).to_vec(),
                assignment_price: replay.then(|| segmentation.assign_prices[c]),
                member_distances: deciles(&mut members),
            })
            .collect();
        Ok(SegmentationModel {
            schema: SCHEMA_ID.to_string(),
            version: SCHEMA_VERSION,
            generator: format!("audience-engine {}", env!("CARGO_PKG_VERSION")),
            k,
            seed: segmentation.seed,
            restarts,
            bounds: segmentation.bounds,
            training_rows: segmentation.labels.len(),
            variables,
            retrieval: None,
            segments,
        })
    }

    /// Sets the persona names: `names[i]` names segment `i + 1` (extra names are ignored, missing ones
    /// leave the segment unnamed).
    pub fn with_names(mut self, names: &[Option<String>]) -> Self {
        for (segment, name) in self.segments.iter_mut().zip(names) {
            segment.name = name.clone();
        }
        self
    }

    /// Records the census variables retrieved by ZIP code before segmenting (no codes: none).
    pub fn with_retrieval(mut self, codes: &[String], zip_column: Option<&str>) -> Self {
        self.retrieval = (!codes.is_empty()).then(|| Retrieval {
            codes: codes.to_vec(),
            zip_column: zip_column.map(str::to_string),
        });
        self
    }

    /// Dimensions of the encoded space.
    pub fn n_dims(&self) -> usize {
        self.variables.iter().map(|v| v.encoding.n_dims()).sum()
    }

    /// "segment 3" or "segment 3 (Young urban savers)".
    pub fn segment_phrase(&self, index: usize) -> String {
        match self.segments.get(index).and_then(|s| s.name.as_deref()) {
            Some(name) => format!("segment {} ({name})", index + 1),
            None => format!("segment {}", index + 1),
        }
    }

    /// Checks that the parts agree: header, k segments numbered `1..=k`, centers of the right length.
    pub fn check(&self) -> Result<(), ModelError> {
        if self.schema != SCHEMA_ID || self.version != SCHEMA_VERSION {
            return Err(ModelError::WrongSchema {
                found: self.schema.clone(),
                version: self.version,
            });
        }
        let inconsistent = |what: String| Err(ModelError::Inconsistent(what));
        if self.k == 0 || self.segments.len() != self.k {
            return inconsistent(format!(
                "k is {} but {} segments are listed",
                self.k,
                self.segments.len()
            ));
        }
        if self.variables.is_empty() {
            return inconsistent("no column is listed".into());
        }
        let priced = self
            .segments
            .iter()
            .filter(|s| s.assignment_price.is_some())
            .count();
        if priced != 0 && priced != self.k {
            return inconsistent(format!(
                "{priced} of the {} segments have an assignment price",
                self.k
            ));
        }
        let n_dims = self.n_dims();
        for (index, segment) in self.segments.iter().enumerate() {
            if segment.number as usize != index + 1 {
                return inconsistent(format!(
                    "segment {} is listed in position {}",
                    segment.number,
                    index + 1
                ));
            }
            if segment.center.len() != n_dims {
                return inconsistent(format!(
                    "the center of segment {} has {} values, the columns need {n_dims}",
                    segment.number,
                    segment.center.len()
                ));
            }
        }
        Ok(())
    }
}

impl Encoding {
    /// Dimensions this variable takes in the encoded space.
    pub fn n_dims(&self) -> usize {
        match self {
            Encoding::OneHot { levels, .. } => levels.len(),
            _ => 1,
        }
    }
}

/// The 0 %, 10 %, …, 100 % values of `values` (nearest rank), or nothing when empty.
fn deciles(values: &mut [f32]) -> Vec<f32> {
    if values.is_empty() {
        return Vec::new();
    }
    values.sort_by(f32::total_cmp);
    let last = values.len() - 1;
    (0..=10)
        .map(|tenth| values[(tenth * last + 5) / 10])
        .collect()
}

/// The model as a pretty-printed JSON document.
pub fn model_json(model: &SegmentationModel) -> Result<String, ModelError> {
    serde_json::to_string_pretty(model).map_err(|e| ModelError::Json(e.to_string()))
}

/// Reads a model document back, checking its schema name, version and consistency.
pub fn read_model_json(text: &str) -> Result<SegmentationModel, ModelError> {
    #[derive(Deserialize)]
    struct Header {
        schema: Option<String>,
        version: Option<u32>,
    }
    let header: Header = serde_json::from_str(text).map_err(|e| ModelError::Json(e.to_string()))?;
    if header.schema.as_deref() != Some(SCHEMA_ID) || header.version != Some(SCHEMA_VERSION) {
        return Err(ModelError::WrongSchema {
            found: header.schema.unwrap_or_default(),
            version: header.version.unwrap_or(0),
        });
    }
    let model: SegmentationModel =
        serde_json::from_str(text).map_err(|e| ModelError::Json(e.to_string()))?;
    model.check()?;
    Ok(model)
}

/// Serializes NaN as `null` (and back), so JSON never carries NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(values: &[f32], serializer: S) -> Result<S::Ok, S::Error> {
        let options: Vec<Option<f32>> =
            values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect();
        options.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f32>, D::Error> {
        let options = Vec::<Option<f32>>::deserialize(deserializer)?;
        Ok(options.into_iter().map(|v| v.unwrap_or(f32::NAN)).collect())
    }
}

#[cfg(test)]
mod tests;
