//! Saved segmentations in the page: save the last results as a model document (no data row), apply a
//! saved model to the loaded file, see who moved since the previous segmentation, score a prospect file
//! against one segment (lookalike), and refit with other seeds to check the segments are stable.

use audience_engine::cluster::{Algorithm, AssignStats, KMediansParams, Segmentation, SizeLimits};
use audience_engine::encode::{encode, EncodedMatrix, SelectedVariable, Selection};
use audience_engine::export::{write_clustered_rows, ClusteredCsvOptions};
use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::model::apply::{apply, encode_for_model, ApplyError, BoundsMode};
use audience_engine::model::lookalike::{explain, ranking, score_rows, Band, LookalikeError};
use audience_engine::model::movement::{labelled_rows, movement, LeftOut, Movement};
use audience_engine::model::{model_json, read_model_json, ModelError, SegmentationModel};
use audience_engine::profile::{profile_segments, ProfileParams};
use audience_engine::projection::{project_for_plot, PlotParams};
use audience_engine::stability::{stability, Resample, StabilityReport};
use audience_engine::table::{ColumnType, Table};

use super::{now_ms, ServiceError, Session, INTERACTIVE_TOLERANCE, PLOT_POINTS};
use crate::protocol::{
    AppliedReport, ExportFile, LookalikeReport, ModelAnswer, ModelRequest, MovementReport,
    ProgressUpdate, ProspectPick, Response, SegmentResults, SegmentSettings, VariableChoice,
};

/// Most refits a stability check runs.
pub const MAX_REFITS: usize = 20;
/// Highest segment number read from a previous file (numbers above it count as "no segment").
const MAX_PREVIOUS_SEGMENTS: usize = 1_000;

/// What the session keeps for saved segmentations.
#[derive(Debug, Default)]
pub(super) struct ModelState {
    /// The model applied last (used while the results are its application).
    applied: Option<SegmentationModel>,
    /// The segmentation of the file loaded before the current one.
    previous: Option<Previous>,
}

/// A file and its segments, kept when the next file is loaded.
#[derive(Debug)]
struct Previous {
    file_name: String,
    table: Table,
    /// `0..k` per row.
    labels: Vec<u32>,
}

/// Why a request about a saved segmentation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelServiceError {
    /// The model document could not be read or made.
    #[error("{0}")]
    Model(#[from] ModelError),
    /// The file does not fit the saved segmentation.
    #[error("{0}")]
    Apply(#[from] ApplyError),
    /// Prospects cannot be scored against that segment.
    #[error("{0}")]
    Lookalike(#[from] LookalikeError),
    /// No previous segmentation to compare with.
    #[error(
        "To see who moved, load last month's clustered CSV (a file with an ID column and a \"segment\" \
         column), or segment a file, then load this month's file and segment or apply again."
    )]
    NoPrevious,
    /// The previous file has no `segment` column.
    #[error(
        "{file_name} has no \"segment\" column, so it does not say who was in which segment; choose \
         the clustered CSV downloaded last time. Its columns are: {}",
        columns.join(", ")
    )]
    NoSegmentColumn {
        /// The previous file.
        file_name: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// No ID column is shared by both files.
    #[error(
        "No ID column is in both files, so customers cannot be matched; {}",
        if shared.is_empty() {
            "the two files share no column name".to_string()
        } else {
            format!("mark one of the shared columns ({}) as the ID", shared.join(", "))
        }
    )]
    NoIdColumn {
        /// The columns both files have.
        shared: Vec<String>,
    },
    /// The chosen ID column is missing from one file.
    #[error("The column {column:?} is not in {file}; choose an ID column both files have.")]
    IdNotInBoth {
        /// The column.
        column: String,
        /// Which file lacks it.
        file: String,
    },
    /// A prospect pick of nobody.
    #[error("Choose how many prospects to download: a number from 1 up.")]
    NoProspectsAsked,
}

impl Session {
    /// Carries out a [`ModelRequest`].
    pub(super) fn model_request(
        &mut self,
        request: ModelRequest,
        attachment: Option<&[u8]>,
        progress: &mut dyn FnMut(ProgressUpdate),
    ) -> Result<Response, ServiceError> {
        match request {
            ModelRequest::Save => {
                let (file, label) = self.save_model()?;
                Ok(Response::Model(Box::new(ModelAnswer::Saved {
                    file,
                    label,
                })))
            }
            ModelRequest::Apply {
                model_json,
                mode,
                target,
            } => {
                let text = match (model_json, attachment) {
                    (Some(text), _) => text,
                    (None, Some(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
                    (None, None) => {
                        return Err(ServiceError::NoAttachment {
                            file_name: "the saved segmentation".into(),
                        })
                    }
                };
                self.apply_model(&text, mode, target)
                    .map(|results| Response::Segmented(Box::new(results)))
            }
            ModelRequest::Movement {
                file_name,
                id_column,
            } => {
                let report = self.movement(file_name, id_column.as_deref(), attachment)?;
                Ok(Response::Model(Box::new(ModelAnswer::Movement(report))))
            }
            ModelRequest::Lookalike {
                file_name,
                segment,
                pick,
            } => {
                let bytes = attachment.ok_or(ServiceError::NoAttachment {
                    file_name: file_name.clone(),
                })?;
                let report = self.lookalike(&file_name, bytes, segment, pick)?;
                Ok(Response::Model(Box::new(ModelAnswer::Lookalike(report))))
            }
            ModelRequest::Stability { refits } => {
                progress(ProgressUpdate {
                    stage: format!(
                        "Refitting {} times with other seeds",
                        refits.clamp(1, MAX_REFITS)
                    ),
                    fraction: 0.05,
                });
                let report = self.stability(refits)?;
                Ok(Response::Model(Box::new(ModelAnswer::Stability(report))))
            }
        }
    }

    /// Keeps the current file and its segments as the previous segmentation (before a new file is read).
    pub(super) fn keep_previous(&mut self) {
        if let (Some(dataset), Some(results)) = (&self.dataset, &self.results) {
            let Ok(table) = self.table_for(&results.segmentation.labels) else {
                return;
            };
            self.models.previous = Some(Previous {
                file_name: dataset.file_name.clone(),
                table: table.clone(),
                labels: results.segmentation.labels.clone(),
            });
        }
    }

    /// The model of the last results, with their segment names.
    fn current_model(&self) -> Result<SegmentationModel, ServiceError> {
        let dataset = self.dataset()?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let mut names = vec![None; results.segmentation.k];
        for persona in &results.report.personas {
            if let Some(slot) = names.get_mut((persona.number as usize).wrapping_sub(1)) {
                *slot = Some(persona.name.clone());
            }
        }
        if results.applied.is_some() {
            if let Some(model) = &self.models.applied {
                return Ok(model.clone().with_names(&names));
            }
        }
        // With a filter, the segments are of the rows it kept.
        let table = self.table_for(&results.segmentation.labels)?;
        let matrix = encode_settings(table, &results.settings)?;
        let codes: Vec<String> = dataset
            .retrieval
            .iter()
            .flat_map(|r| r.columns.iter().map(|c| c.code.clone()))
            .collect();
        let zip = dataset.retrieval.as_ref().map(|r| r.zip_column.as_str());
        let model = SegmentationModel::from_fit(
            table,
            &matrix,
            &results.segmentation,
            KMediansParams::new().n_restarts,
        )
        .map_err(ModelServiceError::from)?
        .with_names(&names)
        .with_retrieval(&codes, zip);
        Ok(model)
    }

    /// The last results as a model document, and a label for the saved list.
    fn save_model(&self) -> Result<(ExportFile, String), ServiceError> {
        let model = self.current_model()?;
        let dataset = self.dataset()?;
        let content = model_json(&model).map_err(ModelServiceError::from)?;
        let stem = file_stem(&dataset.file_name);
        let label = format!("{} segments from {}", model.k, dataset.file_name);
        Ok((
            ExportFile {
                name: format!("{stem}-segmentation.json"),
                mime: "application/json".into(),
                content,
            },
            label,
        ))
    }

    /// Puts every row of the loaded file in the segments of a saved model; the results become those
    /// segments (the model's numbers and names), ready for the usual downloads.
    fn apply_model(
        &mut self,
        text: &str,
        mode: BoundsMode,
        target: Option<String>,
    ) -> Result<SegmentResults, ServiceError> {
        let started = now_ms();
        let model = read_model_json(text).map_err(ModelServiceError::from)?;
        let dataset = self.dataset()?;
        let table = &dataset.table;
        let options = IngestOptions::default();
        let applied = apply(&model, table, mode, &options).map_err(ModelServiceError::from)?;
        let (matrix, _) =
            encode_for_model(&model, table, &options).map_err(ModelServiceError::from)?;
        let n = table.n_rows();
        let segmentation = applied_segmentation(&model, &matrix, applied.labels.clone());
        let settings = SegmentSettings {
            variables: model
                .variables
                .iter()
                .map(|v| VariableChoice {
                    column: v.name.clone(),
                    weight: 1.0,
                })
                .collect(),
            bounds: model.bounds,
            k: Some(model.k),
            seed: model.seed,
            target: target.filter(|t| table.column_index(t).is_some()),
            description: String::new(),
            tiers: Default::default(),
            positive_value: None,
            filter: None,
        };
        let mut params = ProfileParams::new()
            .segment_labels((1..=model.k).map(|id| id.to_string()).collect())
            .segmentation_columns(model.variables.iter().map(|v| v.name.clone()));
        params.target = settings.target.clone();
        let mut report = profile_segments(table, &segmentation.labels, &params)?;
        for segment in &model.segments {
            if let Some(name) = &segment.name {
                // A name that cannot be given (two segments named alike) keeps the generated one.
                let _ = report.rename(segment.number, name);
            }
        }
        let plot = project_for_plot(
            &matrix.data,
            matrix.n_rows,
            matrix.n_dims,
            &segmentation.labels,
            &PlotParams {
                max_points: PLOT_POINTS,
                seed: model.seed,
            },
        )?;
        let applied_report = AppliedReport {
            model_label: format!("the saved segmentation of {} segments", model.k),
            mode,
            bounded: model.bounds.is_some(),
            rows: n,
            at_nearest: applied.at_nearest,
            columns: model.variables.iter().map(|v| v.name.clone()).collect(),
            notes: applied.notes.iter().map(|note| note.message()).collect(),
        };
        let trait_lifts = super::segmentation::traits_across(
            table,
            &segmentation.labels,
            segmentation.k,
            &report,
        );
        let mut results = SegmentResults {
            settings,
            segmentation,
            report,
            plot,
            elapsed_ms: now_ms() - started,
            warnings: Vec::new(),
            audience: None,
            applied: Some(applied_report),
            trait_lifts,
        };
        let labels = std::mem::take(&mut results.segmentation.labels);
        let for_page = results.clone();
        results.segmentation.labels = labels;
        self.results = Some(results);
        self.activation = Default::default();
        self.models.applied = Some(model);
        Ok(for_page)
    }

    /// The transition table from the previous segmentation to the last results.
    fn movement(
        &self,
        file_name: Option<String>,
        id_column: Option<&str>,
        attachment: Option<&[u8]>,
    ) -> Result<MovementReport, ServiceError> {
        let dataset = self.dataset()?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let current = self.table_for(&results.segmentation.labels)?;
        let read;
        let (previous_name, previous_table, previous_labels) = match attachment {
            Some(bytes) => {
                let name = file_name.unwrap_or_else(|| "the previous file".into());
                read = read_table(bytes, &IngestOptions::default())
                    .map_err(|source| ServiceError::Read {
                        file_name: name.clone(),
                        source,
                    })?
                    .table;
                (name, &read, None)
            }
            None => {
                let previous = self
                    .models
                    .previous
                    .as_ref()
                    .ok_or(ModelServiceError::NoPrevious)?;
                (
                    format!("{} (loaded before)", previous.file_name),
                    &previous.table,
                    Some(previous.labels.as_slice()),
                )
            }
        };
        let id = choose_id_column(current, previous_table, id_column, &previous_name)?;
        let k = results.segmentation.k;
        let old: Vec<(&str, Option<u32>)> = match previous_labels {
            Some(labels) => {
                let ids = previous_table
                    .column(&id)
                    .expect("checked by choose_id_column");
                labels
                    .iter()
                    .enumerate()
                    .map(|(row, &label)| (ids.text(row), Some(label + 1)))
                    .collect()
            }
            None => {
                let segment_column = previous_table
                    .columns()
                    .iter()
                    .find(|c| c.name.trim().eq_ignore_ascii_case("segment"))
                    .map(|c| c.name.clone())
                    .ok_or_else(|| ModelServiceError::NoSegmentColumn {
                        file_name: previous_name.clone(),
                        columns: previous_table
                            .columns()
                            .iter()
                            .map(|c| c.name.clone())
                            .collect(),
                    })?;
                labelled_rows(previous_table, &id, &segment_column).map_err(|e| {
                    ModelServiceError::IdNotInBoth {
                        column: e.column,
                        file: previous_name.clone(),
                    }
                })?
            }
        };
        let old_k = old
            .iter()
            .filter_map(|&(_, s)| s)
            .max()
            .map_or(0, |s| (s as usize).min(MAX_PREVIOUS_SEGMENTS));
        let ids = current.column(&id).expect("checked by choose_id_column");
        let labels = &results.segmentation.labels;
        let new = labels
            .iter()
            .enumerate()
            .map(|(row, &label)| (ids.text(row), Some(label + 1)));
        let table = movement(old, new, k.max(old_k));
        let mut notes = Vec::new();
        notes.extend(left_out_note(&previous_name, &table.old_left_out));
        notes.extend(left_out_note(&dataset.file_name, &table.new_left_out));
        let file = ExportFile {
            name: format!("{}-movement.csv", file_stem(&dataset.file_name)),
            mime: "text/csv".into(),
            content: movement_csv(&table),
        };
        Ok(MovementReport {
            previous: previous_name,
            id_column: id,
            movement: table,
            names: results.report.names_by_index(),
            notes,
            file,
        })
    }

    /// Scores a prospect file against one segment of the last results.
    fn lookalike(
        &self,
        file_name: &str,
        bytes: &[u8],
        segment: u32,
        pick: ProspectPick,
    ) -> Result<LookalikeReport, ServiceError> {
        let model = self.current_model()?;
        let read =
            read_table(bytes, &IngestOptions::default()).map_err(|source| ServiceError::Read {
                file_name: file_name.to_owned(),
                source,
            })?;
        let prospects = read.table;
        let delimiter = u8::try_from(read.report.delimiter).unwrap_or(b',');
        let (matrix, notes) = encode_for_model(&model, &prospects, &IngestOptions::default())
            .map_err(ModelServiceError::from)?;
        let scores = score_rows(&model, &matrix, segment).map_err(ModelServiceError::from)?;
        let mut rows = ranking(&scores);
        match pick {
            ProspectPick::Top { n: 0 } => return Err(ModelServiceError::NoProspectsAsked.into()),
            ProspectPick::Top { n } => rows.truncate(n),
            ProspectPick::Band { band } => rows.retain(|&r| scores[r].band <= band),
        }
        let score = |row: usize| format!("{:.1}", scores[row].score);
        let band = |row: usize| scores[row].band.name().to_string();
        let reason = |row: usize| explain(&model, segment, &scores[row]);
        let extra: [(&str, &dyn Fn(usize) -> String); 3] = [
            ("lookalike_score", &score),
            ("lookalike_band", &band),
            ("lookalike_reason", &reason),
        ];
        let options = ClusteredCsvOptions {
            delimiter,
            ..ClusteredCsvOptions::default()
        };
        let mut out = Vec::new();
        write_clustered_rows(&prospects, &options, &rows, &extra, &mut out)?;
        let content = String::from_utf8(out).map_err(|source| ServiceError::NotText {
            name: file_name.to_owned(),
            source,
        })?;
        let bands = [Band::Strong, Band::Good, Band::Weak, Band::NotAMatch]
            .map(|b| (b, scores.iter().filter(|s| s.band == b).count()))
            .to_vec();
        let examples = ranking(&scores)
            .into_iter()
            .take(3)
            .map(|r| explain(&model, segment, &scores[r]))
            .collect();
        Ok(LookalikeReport {
            segment,
            segment_phrase: model.segment_phrase(segment as usize - 1),
            prospects: prospects.n_rows(),
            bands,
            examples,
            notes: notes.iter().map(|note| note.message()).collect(),
            written: rows.len(),
            file: ExportFile {
                name: format!("{}-lookalike-segment-{segment}.csv", file_stem(file_name)),
                mime: "text/csv".into(),
                content,
            },
        })
    }

    /// Refits the last results `refits` times with other seeds and compares.
    fn stability(&self, refits: usize) -> Result<StabilityReport, ServiceError> {
        let dataset = self.dataset()?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let applied = results.applied.as_ref().and(self.models.applied.as_ref());
        let (matrix, bounds, seed) = match applied {
            Some(model) => {
                let (matrix, _) =
                    encode_for_model(model, &dataset.table, &IngestOptions::default())
                        .map_err(ModelServiceError::from)?;
                (matrix, model.bounds, model.seed)
            }
            None => (
                encode_settings(
                    self.table_for(&results.segmentation.labels)?,
                    &results.settings,
                )?,
                results.settings.bounds,
                results.settings.seed,
            ),
        };
        let params = KMediansParams::new()
            .with_bounds(bounds)
            .with_tolerance(INTERACTIVE_TOLERANCE)
            .with_seed(seed);
        Ok(stability(
            &matrix,
            &params,
            &results.segmentation.labels,
            results.segmentation.k,
            refits.clamp(1, MAX_REFITS),
            Resample::Seeds,
        )?)
    }
}

/// The chosen columns of `settings` encoded as the segmentation encoded them.
fn encode_settings(
    table: &Table,
    settings: &SegmentSettings,
) -> Result<EncodedMatrix, ServiceError> {
    let variables = settings
        .variables
        .iter()
        .map(|choice| {
            table
                .column_index(&choice.column)
                .map(|column| SelectedVariable {
                    column,
                    weight: choice.weight,
                    force: false,
                })
                .ok_or_else(|| ServiceError::NoColumn(choice.column.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(encode(table, &Selection { variables })?)
}

/// The segmentation record of an application: the model's centers, sizes and cost of `labels`.
fn applied_segmentation(
    model: &SegmentationModel,
    matrix: &EncodedMatrix,
    labels: Vec<u32>,
) -> Segmentation {
    let n = labels.len();
    let mut sizes = vec![0usize; model.k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    let cost = labels
        .iter()
        .enumerate()
        .map(|(row, &l)| {
            f64::from(matrix.distance(matrix.row(row), &model.segments[l as usize].center))
        })
        .sum();
    let centers: Vec<f32> = model
        .segments
        .iter()
        .flat_map(|s| s.center.clone())
        .collect();
    Segmentation {
        algorithm: Algorithm::KMedians,
        k: model.k,
        labels,
        sizes,
        limits: model
            .bounds
            .map(|b| b.limits(n))
            .unwrap_or(SizeLimits { lower: 1, upper: n }),
        bounds: model.bounds,
        n_dims: matrix.n_dims,
        assign_centers: centers.clone(),
        centers,
        assign_prices: model
            .segments
            .iter()
            .filter_map(|s| s.assignment_price)
            .collect(),
        cost,
        iterations: 0,
        converged: true,
        certified: false,
        restarts: model.restarts,
        best_restart: 0,
        restart_costs: Vec::new(),
        k_scores: Vec::new(),
        seed: model.seed,
        assign_stats: AssignStats::default(),
        sample_rows: None,
    }
}

/// The ID column to match customers on: the one asked for (in both files), else a column both files
/// have that the current file reads as identifiers, else one named like an ID.
fn choose_id_column(
    current: &Table,
    previous: &Table,
    asked: Option<&str>,
    previous_name: &str,
) -> Result<String, ModelServiceError> {
    if let Some(column) = asked.map(str::trim).filter(|c| !c.is_empty()) {
        for (table, file) in [(current, "this file"), (previous, previous_name)] {
            if table.column(column).is_none() {
                return Err(ModelServiceError::IdNotInBoth {
                    column: column.to_owned(),
                    file: file.to_owned(),
                });
            }
        }
        return Ok(column.to_owned());
    }
    let shared: Vec<&str> = current
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| previous.column(name).is_some() && !name.eq_ignore_ascii_case("segment"))
        .collect();
    let identifier = shared.iter().find(|name| {
        current
            .column(name)
            .is_some_and(|c| c.column_type() == ColumnType::Identifier)
    });
    let named = || {
        shared.iter().find(|name| {
            let lower = name.to_ascii_lowercase();
            lower.ends_with("id")
        })
    };
    identifier
        .or_else(named)
        .map(|name| name.to_string())
        .ok_or_else(|| ModelServiceError::NoIdColumn {
            shared: shared.iter().map(|s| s.to_string()).collect(),
        })
}

/// `from,to,customers`: every cell of the table, `new` as the source of new customers and `gone` as
/// the destination of customers no longer in the file (the CLI's `movement --out` format).
fn movement_csv(table: &Movement) -> String {
    let mut text = String::from("from,to,customers\n");
    for from in (1..=table.k).chain([0]) {
        for to in (1..=table.k).chain([0]) {
            if from == 0 && to == 0 {
                continue;
            }
            let from_name = if from == 0 {
                "new".into()
            } else {
                from.to_string()
            };
            let to_name = if to == 0 {
                "gone".into()
            } else {
                to.to_string()
            };
            text += &format!("{from_name},{to_name},{}\n", table.counts[from][to]);
        }
    }
    text
}

/// Rows of `file` left out of the table, in words.
fn left_out_note(file: &str, left: &LeftOut) -> Option<String> {
    let mut parts = Vec::new();
    if left.blank_id > 0 {
        parts.push(format!("{} without an ID", left.blank_id));
    }
    if left.repeated_id > 0 {
        parts.push(format!("{} repeating an earlier ID", left.repeated_id));
    }
    if left.no_segment > 0 {
        parts.push(format!("{} without a segment number", left.no_segment));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "{} rows of {file} are not in the table ({}); fix them in the file to count them.",
            left.total(),
            parts.join(", ")
        )
    })
}

/// A file name without its extension, safe for a download name.
fn file_stem(file_name: &str) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    stem.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
