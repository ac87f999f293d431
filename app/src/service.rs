//! What the engine worker does: plain Rust over `audience-engine`, with no browser types, so every request
//! can be tested natively.

use std::ops::ControlFlow;

use audience_engine::cluster::{degenerate, KChoice, KMediansParams, Phase, Progress, Stage};
use audience_engine::encode::{encode, SelectedVariable, Selection};
use audience_engine::enrich::{self, JoinKeys};
use audience_engine::export::customer_match::{
    customer_match_files, detect_identifier_columns, CustomerMatchOptions, IdentifierColumn,
    Platform,
};
use audience_engine::export::formula::InputCells;
use audience_engine::export::personas_json::personas_json;
use audience_engine::export::summary_csv::write_summary_csv;
use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
use audience_engine::ingest::{
    self, ColumnSummary, Encoding, HeaderMode, IngestOptions, IngestReport, Ingested,
};
use audience_engine::profile::{conversion, profile_segments, ProfileParams};
use audience_engine::projection::{project_for_plot, PlotParams};
use audience_engine::table::{Column, ColumnType, Table};
use audience_search::{
    group_by_type, search_columns, Catalog, ColumnDescription, DataKind, SearchAssets, SearchIndex,
    SearchOptions,
};

use crate::column_match::column_evidence;
use crate::protocol::{
    CatalogGroup, CatalogHit, ColumnPreview, ColumnStats, ColumnSuggestion, DatasetPreview,
    EnrichmentCoverage, EnrichmentPreview, ExportFile, ExportKind, Failure, ProgressUpdate,
    Request, Response, SegmentResults, SegmentSettings, Suggestions,
};

/// How many rows the preview shows.
pub const PREVIEW_ROWS: usize = 10;
/// How many catalog variables a suggestion lists.
pub const CATALOG_SUGGESTIONS: usize = 24;
/// Columns at least this relevant (relative to the best, after evidence) are pre-checked.
pub const SUGGESTED_RELEVANCE: f64 = 0.8;
/// At most this many points go to the scatter plot.
pub const PLOT_POINTS: usize = 4_000;
/// The page stops iterating once an iteration lowers the cost by less than 0.1 % (the engine's default is
/// 0.01 %): on the app benchmark's 100,000-row file the last three iterations of the run on all rows
/// gained 0.05 % together and took 60 % of its time. The size bounds hold exactly either way.
pub const INTERACTIVE_TOLERANCE: f64 = 1e-3;

/// A loaded file.
#[derive(Debug)]
struct Dataset {
    file_name: String,
    /// The customer file as read (with the user's type changes), without enrichment.
    base: Table,
    /// `base` plus the joined enrichment columns, if any: what suggestions, segmentation and exports use.
    table: Table,
    delimiter: u8,
    /// How the file was read, for the preview.
    format: String,
    /// Notes about rows and headers (column notes are recomputed from the current types).
    row_notes: Vec<String>,
    detected_target: Option<String>,
    enrichment: Option<EnrichmentCoverage>,
}

/// An enrichment file, read and waiting to be joined.
#[derive(Debug)]
struct EnrichmentFile {
    file_name: String,
    table: Table,
}

/// The worker's state: the file the user loaded last, the catalog, the last results.
#[derive(Debug, Default)]
pub struct Session {
    dataset: Option<Dataset>,
    enrichment: Option<EnrichmentFile>,
    catalog: Option<SearchIndex>,
    results: Option<SegmentResults>,
    /// Columns marked "ID" or "exclude" at the last suggestion: segmentation refuses them.
    withheld: Vec<String>,
}

impl Session {
    /// A session with no file and no catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Carries out one request. `attachment` holds the bytes of the file sent with it, if any; `progress`
    /// receives progress reports of long requests.
    pub fn handle(
        &mut self,
        request: Request,
        attachment: Option<&[u8]>,
        progress: &mut dyn FnMut(ProgressUpdate),
    ) -> Response {
        let outcome = match request {
            Request::LoadFile { file_name, header } => match attachment {
                None => Err(format!("No file came with the request to read {file_name:?}.")),
                Some(bytes) => self.load(&file_name, bytes, header).map(Response::Loaded),
            },
            Request::LoadCatalog { base_url } => Err(format!(
                "The catalog at {base_url:?} must be fetched by the worker before it can be installed."
            )),
            Request::Suggest {
                query,
                data_kind,
                withheld,
            } => {
                self.withheld = withheld;
                self.suggest(&query, data_kind)
                    .map(Response::Suggestions)
            }
            Request::Retype {
                column,
                column_type,
            } => self.retype(&column, column_type).map(Response::Updated),
            Request::LoadEnrichment { file_name } => match attachment {
                None => Err(format!("No file came with the request to read {file_name:?}.")),
                Some(bytes) => self
                    .load_enrichment(&file_name, bytes)
                    .map(Response::EnrichmentLoaded),
            },
            Request::Join {
                customer_key,
                enrichment_key,
            } => self
                .join(JoinKeys::new(customer_key, enrichment_key))
                .map(Response::Updated),
            Request::Segment(settings) => self
                .segment(settings, progress)
                .map(|results| Response::Segmented(Box::new(results))),
            Request::Export {
                kind,
                keep_formulas,
            } => self.export(kind, keep_formulas).map(Response::File),
            Request::CustomerMatch { segments, platform, default_country } => self
                .customer_match(&segments, platform, default_country)
                .map(|(files, notes)| Response::Files { files, notes }),
        };
        outcome.unwrap_or_else(|message| Response::Failed(Failure { message }))
    }

    /// Installs the catalog from its assets' bytes.
    pub fn install_catalog(&mut self, assets: &SearchAssets<'_>) -> Response {
        match SearchIndex::from_bytes(assets) {
            Ok(index) => {
                let variables = index.catalog().len();
                self.catalog = Some(index);
                Response::CatalogReady { variables }
            }
            Err(error) => Response::Failed(Failure {
                message: format!("The variable catalog could not be loaded: {error}"),
            }),
        }
    }

    /// Reads a file, keeps its table, and describes it.
    fn load(
        &mut self,
        file_name: &str,
        bytes: &[u8],
        header: HeaderMode,
    ) -> Result<DatasetPreview, String> {
        let started = now_ms();
        let options = IngestOptions {
            header,
            ..IngestOptions::default()
        };
        let Ingested { table, report } =
            ingest::read_table(bytes, &options).map_err(|error| format!("{file_name}: {error}"))?;
        let detected_target =
            conversion::detect_target(&table).map(|index| table.columns()[index].name.clone());
        let dataset = Dataset {
            file_name: file_name.to_owned(),
            base: table.clone(),
            table,
            delimiter: u8::try_from(report.delimiter).unwrap_or(b','),
            format: describe_format(&report),
            row_notes: row_notes(&report, header),
            detected_target,
            enrichment: None,
        };
        let mut preview = preview(&dataset, &report.columns);
        preview.read_ms = Some(now_ms() - started);
        self.dataset = Some(dataset);
        self.results = None;
        Ok(preview)
    }

    /// Re-reads one column under another type, in the file and in its enriched table.
    fn retype(&mut self, name: &str, column_type: ColumnType) -> Result<DatasetPreview, String> {
        let dataset = self
            .dataset
            .as_mut()
            .ok_or_else(|| "Load a file first.".to_owned())?;
        let options = dataset.options();
        let index = dataset
            .table
            .column_index(name)
            .ok_or_else(|| format!("The file has no column {name:?}."))?;
        let column = ingest::retype(&dataset.table.columns()[index], column_type, &options)
            .map_err(|error| {
                format!(
                    "{name:?} cannot be read as {}: {error}",
                    type_name(column_type)
                )
            })?;
        if let Some(base_index) = dataset.base.column_index(name) {
            dataset
                .base
                .replace_column(base_index, column.clone())
                .map_err(|error| error.to_string())?;
        }
        dataset
            .table
            .replace_column(index, column)
            .map_err(|error| error.to_string())?;
        self.results = None;
        Ok(dataset.current_preview())
    }

    /// Reads an enrichment file and proposes key columns.
    fn load_enrichment(
        &mut self,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<EnrichmentPreview, String> {
        let dataset = self.dataset()?;
        let Ingested { table, .. } = ingest::read_table(bytes, &IngestOptions::default())
            .map_err(|error| format!("{file_name}: {error}"))?;
        let columns: Vec<String> = table.columns().iter().map(|c| c.name.clone()).collect();
        let (customer_key, enrichment_key) = propose_keys(&dataset.base, &table);
        let n_rows = table.n_rows();
        self.enrichment = Some(EnrichmentFile {
            file_name: file_name.to_owned(),
            table,
        });
        Ok(EnrichmentPreview {
            file_name: file_name.to_owned(),
            n_rows,
            columns,
            customer_key,
            enrichment_key,
        })
    }

    /// Joins the enrichment file onto the customer file, labelling its columns from the catalog.
    fn join(&mut self, keys: JoinKeys) -> Result<DatasetPreview, String> {
        let enrichment = self
            .enrichment
            .as_ref()
            .ok_or_else(|| "Choose an enrichment file first.".to_owned())?;
        let dataset = self
            .dataset
            .as_mut()
            .ok_or_else(|| "Load a file first.".to_owned())?;
        let options = dataset.options();
        let enriched = enrich::join(&dataset.base, &enrichment.table, &keys, &options)
            .map_err(|error| format!("{}: {error}", enrichment.file_name))?;
        let mut report = enriched.report;
        let mut columns = enriched.table.columns().to_vec();
        let mut labelled = 0;
        if let Some(catalog) = &self.catalog {
            let added = dataset.base.columns().len();
            for (column, name) in columns[added..].iter_mut().zip(&mut report.added_columns) {
                if let Some(label) = catalog_label(catalog.catalog(), &column.name) {
                    column.name = label;
                    name.clone_from(&column.name);
                    labelled += 1;
                }
            }
        }
        dataset.table = Table::new(columns).map_err(|error| error.to_string())?;
        dataset.enrichment = Some(EnrichmentCoverage {
            file_name: enrichment.file_name.clone(),
            customer_key: keys.customer,
            enrichment_key: keys.enrichment,
            report,
            labelled,
        });
        self.results = None;
        Ok(dataset.current_preview())
    }

    fn dataset(&self) -> Result<&Dataset, String> {
        self.dataset
            .as_ref()
            .ok_or_else(|| "Load a file first.".to_owned())
    }

    /// Ranks the file's columns and the catalog's variables for a description.
    fn suggest(&self, query: &str, data_kind: Option<DataKind>) -> Result<Suggestions, String> {
        let query = query.trim();
        if query.is_empty() {
            return Err(
                "Describe the audience first, e.g. \"senior tech buyers in California\".".into(),
            );
        }
        let table = &self.dataset()?.table;
        let candidates: Vec<usize> = (0..table.columns().len())
            .filter(|&index| {
                let column = &table.columns()[index];
                is_clusterable(column.column_type()) && !self.withheld.contains(&column.name)
            })
            .collect();
        let descriptions: Vec<ColumnDescription> = candidates
            .iter()
            .map(|&index| describe_column(table, index))
            .collect();
        // Search relevance (0 for every column when the catalog, and so the embedder, is not loaded).
        let mut columns: Vec<ColumnSuggestion> = candidates
            .iter()
            .map(|&index| suggestion(table, index))
            .collect();
        if let Some(catalog) = &self.catalog {
            let options = SearchOptions {
                top: descriptions.len().max(1),
                ..SearchOptions::default()
            };
            let hits = search_columns(query, &descriptions, catalog.embedder().clone(), &options)
                .map_err(|error| error.to_string())?;
            let best = hits
                .iter()
                .map(|hit| f64::from(hit.score))
                .fold(0.0, f64::max);
            for hit in hits.iter().filter(|_| best > 0.0) {
                if let Some(column) = columns.get_mut(hit.index) {
                    column.relevance = f64::from(hit.score) / best;
                    column.matched_terms = hit
                        .matched_terms
                        .iter()
                        .map(|term| format!("“{term}”"))
                        .collect();
                }
            }
            for (column, link) in columns
                .iter_mut()
                .zip(catalog.link_columns(&descriptions, 2))
            {
                column.linked_variables = link
                    .candidates
                    .iter()
                    .map(|hit| hit.label.clone())
                    .collect();
            }
        }
        // Direct evidence (the description names the column or its values) weighs as much as the search.
        for (column, &index) in columns.iter_mut().zip(&candidates) {
            let evidence = column_evidence(query, &table.columns()[index]);
            let evidence_score = if evidence.is_empty() { 0.0 } else { 1.0 };
            column.relevance = (column.relevance + evidence_score) / 2.0;
            column.suggested = !evidence.is_empty();
            column.matched_terms.splice(0..0, evidence);
        }
        let best = columns
            .iter()
            .map(|column| column.relevance)
            .fold(0.0, f64::max);
        for column in columns.iter_mut().filter(|_| best > 0.0) {
            column.relevance /= best;
            column.suggested |= column.relevance >= SUGGESTED_RELEVANCE;
        }
        columns.sort_by(|a, b| b.relevance.total_cmp(&a.relevance));
        if !columns.iter().any(|column| column.suggested) {
            // Nothing speaks for any column: offer them all, for the user to narrow down.
            columns
                .iter_mut()
                .for_each(|column| column.suggested = true);
        }
        let catalog = self
            .catalog
            .as_ref()
            .map(|catalog| catalog_groups(catalog, query, data_kind))
            .unwrap_or_default();
        Ok(Suggestions {
            query: query.to_owned(),
            columns,
            catalog_searched: self.catalog.is_some(),
            catalog,
        })
    }

    /// Segments the loaded file with the chosen columns, then profiles and projects the segments.
    fn segment(
        &mut self,
        settings: SegmentSettings,
        progress: &mut dyn FnMut(ProgressUpdate),
    ) -> Result<SegmentResults, String> {
        let started = now_ms();
        let dataset = self.dataset()?;
        let table = &dataset.table;
        if settings.variables.is_empty() {
            return Err("Choose at least one column to segment on.".into());
        }
        let mut variables = Vec::with_capacity(settings.variables.len());
        for choice in &settings.variables {
            let column = table
                .column_index(&choice.column)
                .ok_or_else(|| format!("The file has no column {:?}.", choice.column))?;
            if self.withheld.contains(&choice.column) {
                return Err(format!(
                    "{:?} is marked as an ID or excluded column; it cannot define the segments.",
                    choice.column
                ));
            }
            if settings.target.as_deref() == Some(choice.column.as_str()) {
                return Err(format!(
                    "{:?} is the conversion column; it describes the outcome and cannot also define the segments.",
                    choice.column
                ));
            }
            if !(choice.weight.is_finite() && choice.weight > 0.0) {
                return Err(format!(
                    "The weight of {:?} must be a positive number.",
                    choice.column
                ));
            }
            variables.push(SelectedVariable {
                column,
                weight: choice.weight,
                force: false,
            });
        }
        progress(ProgressUpdate {
            stage: "Encoding the chosen columns".into(),
            fraction: 0.02,
        });
        let matrix = encode(table, &Selection { variables }).map_err(|error| error.to_string())?;
        let k = settings.k.map_or(KChoice::Auto, KChoice::Fixed);
        let params = KMediansParams::new()
            .with_k(k)
            .with_bounds(settings.bounds)
            .with_tolerance(INTERACTIVE_TOLERANCE)
            .with_seed(settings.seed);
        let valid = params
            .validate(matrix.n_rows)
            .map_err(|error| error.to_string())?;
        // Said before the fit: rows the chosen columns cannot tell apart.
        let mut warnings: Vec<String> = degenerate::separability(&matrix, &valid)
            .warning()
            .into_iter()
            .collect();
        let segmentation = valid
            .fit_with_progress(&matrix, &mut |report: Progress| {
                progress(ProgressUpdate {
                    stage: stage_text(&report),
                    fraction: 0.05 + 0.85 * report.fraction(),
                });
                ControlFlow::Continue(())
            })
            .map_err(|error| error.to_string())?;
        progress(ProgressUpdate {
            stage: "Profiling the segments".into(),
            fraction: 0.92,
        });
        // Said after the fit: segments identical on every chosen column.
        let profile_ids = degenerate::profile_ids(&matrix);
        warnings.extend(
            degenerate::after_run(&profile_ids, &segmentation.labels, segmentation.k).warning(),
        );
        let names: Vec<String> = (1..=segmentation.k).map(|id| id.to_string()).collect();
        // Names and defining traits come only from the columns segmented on.
        let mut profile_params = ProfileParams::new()
            .segment_labels(names)
            .segmentation_columns(
                settings
                    .variables
                    .iter()
                    .map(|choice| choice.column.clone()),
            );
        profile_params.target = settings.target.clone();
        let report = profile_segments(table, &segmentation.labels, &profile_params)
            .map_err(|error| error.to_string())?;
        progress(ProgressUpdate {
            stage: "Projecting for the scatter plot".into(),
            fraction: 0.97,
        });
        let plot = project_for_plot(
            &matrix.data,
            matrix.n_rows,
            matrix.n_dims,
            &segmentation.labels,
            &PlotParams {
                max_points: PLOT_POINTS,
                seed: settings.seed,
            },
        )
        .map_err(|error| error.to_string())?;
        let mut results = SegmentResults {
            settings,
            segmentation,
            report,
            plot,
            elapsed_ms: now_ms() - started,
            warnings,
        };
        // The per-row labels stay here, where the exports are made: the page never reads them.
        let labels = std::mem::take(&mut results.segmentation.labels);
        let for_page = results.clone();
        results.segmentation.labels = labels;
        self.results = Some(results);
        Ok(for_page)
    }

    /// Produces one of the downloads from the last results.
    fn export(&self, kind: ExportKind, keep_formulas: bool) -> Result<ExportFile, String> {
        let dataset = self.dataset()?;
        let results = self
            .results
            .as_ref()
            .ok_or_else(|| "Segment the file first.".to_owned())?;
        let stem = dataset
            .file_name
            .rsplit_once('.')
            .map_or(dataset.file_name.as_str(), |(stem, _)| stem);
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        match kind {
            ExportKind::ClusteredCsv => {
                let labels = &results.segmentation.labels;
                let mut names = vec![String::new(); results.segmentation.k];
                for persona in &results.report.personas {
                    names[persona.segment as usize] = persona.name.clone();
                }
                let segment = |row: usize| (labels[row] + 1).to_string();
                let segment_name = |row: usize| names[labels[row] as usize].clone();
                let mut out = Vec::new();
                // Downloads are opened in spreadsheets: input cells that would run as formulas are escaped
                // unless the user asked to keep them.
                let options = ClusteredCsvOptions {
                    delimiter: dataset.delimiter,
                    input_cells: if keep_formulas {
                        InputCells::Unchanged
                    } else {
                        InputCells::EscapeFormulas
                    },
                    ..ClusteredCsvOptions::default()
                };
                // A file that already has `segment` columns (an earlier export) keeps them; ours get free names.
                let segment_column = free_column_name(&dataset.table, "segment");
                let name_column = free_column_name(&dataset.table, "segment_name");
                write_clustered_csv_with(
                    &dataset.table,
                    &options,
                    &[
                        (
                            segment_column.as_str(),
                            &segment as &dyn Fn(usize) -> String,
                        ),
                        (name_column.as_str(), &segment_name),
                    ],
                    &mut out,
                )
                .map_err(|error| error.to_string())?;
                text_file(format!("{stem}-segments.csv"), "text/csv", out)
            }
            ExportKind::PersonasJson => Ok(ExportFile {
                name: format!("{stem}-personas.json"),
                mime: "application/json".into(),
                content: personas_json(&results.report).map_err(|error| error.to_string())?,
            }),
            ExportKind::SummaryCsv => {
                let mut out = Vec::new();
                write_summary_csv(&results.report, &mut out).map_err(|error| error.to_string())?;
                text_file(format!("{stem}-summary.csv"), "text/csv", out)
            }
        }
    }
}

impl Session {
    /// Customer-match files for chosen segments: identifiers detected by name and content, normalised and
    /// SHA-256 hashed here, one file per segment; every skipped row is counted.
    fn customer_match(
        &self,
        segments: &[u32],
        platform: Platform,
        default_country: Option<String>,
    ) -> Result<(Vec<ExportFile>, Vec<String>), String> {
        let dataset = self.dataset()?;
        let results = self
            .results
            .as_ref()
            .ok_or_else(|| "Segment the file first.".to_owned())?;
        let detected = detect_identifier_columns(&dataset.table);
        if detected.is_empty() {
            return Err("Customer-match files need an e-mail or phone column, or first name, last name, ZIP and \
                        country columns; this file has none."
                .into());
        }
        let columns: Vec<IdentifierColumn> = detected.iter().map(IdentifierColumn::from).collect();
        let options = CustomerMatchOptions {
            platform,
            default_country: default_country.filter(|country| !country.trim().is_empty()),
            ..CustomerMatchOptions::default()
        };
        let files = customer_match_files(
            &dataset.table,
            &results.segmentation.labels,
            segments,
            &columns,
            &options,
        )
        .map_err(|error| error.to_string())?;
        let notes = files
            .iter()
            .map(|file| {
                let report = &file.report;
                format!(
                    "{}: {} of {} rows written, {} skipped ({} without identifiers, {} unusable).",
                    file.file_name,
                    report.rows_written,
                    report.rows_in_segment,
                    report.rows_skipped,
                    report.skipped_empty,
                    report.skipped_unusable
                )
            })
            .collect();
        let files = files
            .into_iter()
            .map(|file| ExportFile {
                name: file.file_name,
                mime: "text/csv".into(),
                content: file.csv,
            })
            .collect();
        Ok((files, notes))
    }
}

/// `name`, or `name_2`, `name_3`, … : the first that is not a column of `table`.
fn free_column_name(table: &Table, name: &str) -> String {
    std::iter::once(name.to_owned())
        .chain((2..).map(|n| format!("{name}_{n}")))
        .find(|candidate| table.column_index(candidate).is_none())
        .unwrap_or_else(|| name.to_owned())
}

fn text_file(name: String, mime: &str, bytes: Vec<u8>) -> Result<ExportFile, String> {
    let content =
        String::from_utf8(bytes).map_err(|error| format!("{name} is not valid UTF-8: {error}"))?;
    Ok(ExportFile {
        name,
        mime: mime.into(),
        content,
    })
}

/// Whether segmentation can use a column of this type by default.
pub fn is_clusterable(column_type: ColumnType) -> bool {
    matches!(
        column_type,
        ColumnType::Numeric | ColumnType::Binary | ColumnType::Ordinal | ColumnType::Categorical
    )
}

/// A column as the search sees it: its header and its most common values.
fn describe_column(table: &Table, index: usize) -> ColumnDescription {
    let column = &table.columns()[index];
    let sample_values = if column.column_type().has_levels() {
        column
            .levels()
            .iter()
            .take(8)
            .map(|level| level.label.clone())
            .collect()
    } else {
        Vec::new()
    };
    ColumnDescription {
        name: column.name.clone(),
        sample_values,
    }
}

fn suggestion(table: &Table, index: usize) -> ColumnSuggestion {
    let column = &table.columns()[index];
    ColumnSuggestion {
        column: column.name.clone(),
        column_type: column.column_type(),
        relevance: 0.0,
        suggested: false,
        matched_terms: Vec::new(),
        linked_variables: Vec::new(),
    }
}

/// The catalog's variables for a description, grouped by type; with a data kind, only the variables
/// available in that kind of data (searched deeper so the list stays full).
fn catalog_groups(
    catalog: &SearchIndex,
    query: &str,
    data_kind: Option<DataKind>,
) -> Vec<CatalogGroup> {
    let depth = if data_kind.is_some() { 8 } else { 1 };
    let mut hits = catalog.search(
        query,
        &SearchOptions {
            top: CATALOG_SUGGESTIONS * depth,
            ..SearchOptions::default()
        },
    );
    if let Some(kind) = data_kind {
        let records = catalog.catalog();
        hits.retain(|hit| {
            records
                .get(&hit.code)
                .is_some_and(|variable| variable.availability.contains(&kind))
        });
    }
    hits.truncate(CATALOG_SUGGESTIONS);
    group_by_type(&hits)
        .into_iter()
        .map(|group| CatalogGroup {
            kind: group.kind.to_owned(),
            hits: group
                .hits
                .into_iter()
                .map(|hit| CatalogHit {
                    code: hit.code.clone(),
                    label: hit.label.clone(),
                    table: hit.table.clone(),
                    score: f64::from(hit.score),
                    matched_terms: hit.matched_terms.clone(),
                })
                .collect(),
        })
        .collect()
}

fn stage_text(report: &Progress) -> String {
    let on = match report.phase {
        Phase::Full => String::new(),
        Phase::Screening { sample_rows } => format!(" on a sample of {sample_rows} rows"),
        Phase::Final => return stage_text_final(report),
    };
    match report.stage {
        Stage::Seeding => format!(
            "Trying {} segments{on}: seeding (run {} of {})",
            report.k,
            report.restart + 1,
            report.n_restarts
        ),
        Stage::Iterating => format!(
            "Trying {} segments{on}: iteration {} (run {} of {})",
            report.k,
            report.iteration,
            report.restart + 1,
            report.n_restarts
        ),
        // Screening counts the winner's extra restarts as a step, so only a full run numbers its sizes.
        Stage::Scoring if report.phase == Phase::Full => format!(
            "Scored {} segments ({} of {} sizes tried)",
            report.k,
            report.k_index + 1,
            report.k_count
        ),
        Stage::Scoring => format!("Scored {} segments{on}", report.k),
    }
}

/// The final run on all rows after screening on a sample.
fn stage_text_final(report: &Progress) -> String {
    match report.stage {
        Stage::Seeding | Stage::Scoring => {
            format!("Fitting {} segments on all rows", report.k)
        }
        Stage::Iterating => format!(
            "Fitting {} segments on all rows: iteration {}",
            report.k, report.iteration
        ),
    }
}

/// Milliseconds from an arbitrary origin (the browser's clock in wasm, the system clock natively).
fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |elapsed| elapsed.as_secs_f64() * 1000.0)
    }
}

/// "UTF-8, `;`-separated, with a header row".
fn describe_format(report: &IngestReport) -> String {
    let encoding = match report.encoding {
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf8Bom => "UTF-8 with BOM",
        Encoding::Utf16Le => "UTF-16 LE",
        Encoding::Utf16Be => "UTF-16 BE",
        Encoding::Windows1252 => "Windows-1252 / Latin-1",
    };
    let delimiter = match report.delimiter {
        '\t' => "tab".to_owned(),
        other => format!("\"{other}\""),
    };
    let header = if report.has_header {
        "with a header row"
    } else {
        "no header row"
    };
    format!("{encoding}, {delimiter}-separated, {header}")
}

impl Dataset {
    /// Ingest options matching how the file was read (its delimiter decides decimal commas).
    fn options(&self) -> IngestOptions {
        IngestOptions {
            delimiter: Some(self.delimiter),
            ..IngestOptions::default()
        }
    }

    /// The preview of the table as it stands.
    fn current_preview(&self) -> DatasetPreview {
        let options = self.options();
        let summaries: Vec<ColumnSummary> = self
            .table
            .columns()
            .iter()
            .map(|column| ingest::column_summary(column, &options))
            .collect();
        preview(self, &summaries)
    }
}

/// What the page shows about a dataset, given each column's summary.
fn preview(dataset: &Dataset, summaries: &[ColumnSummary]) -> DatasetPreview {
    let table = &dataset.table;
    let columns = table
        .columns()
        .iter()
        .zip(summaries)
        .map(|(column, summary)| column_preview(column, summary))
        .collect();
    let rows = (0..table.n_rows().min(PREVIEW_ROWS))
        .map(|row| {
            table
                .columns()
                .iter()
                .map(|column| column.text(row).to_owned())
                .collect()
        })
        .collect();
    let mut notes = dataset.row_notes.clone();
    notes.extend(column_notes(summaries));
    DatasetPreview {
        file_name: dataset.file_name.clone(),
        n_rows: table.n_rows(),
        n_columns: table.columns().len(),
        columns,
        rows,
        format: dataset.format.clone(),
        notes,
        detected_target: dataset.detected_target.clone(),
        enrichment: dataset.enrichment.clone(),
        read_ms: None,
    }
}

fn column_preview(column: &Column, summary: &ColumnSummary) -> ColumnPreview {
    ColumnPreview {
        name: column.name.clone(),
        column_type: column.column_type(),
        missing: summary.missing,
        distinct: summary.distinct,
        clusterable: is_clusterable(column.column_type()),
        stats: ColumnStats::of(column),
    }
}

/// The type's name in messages.
fn type_name(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Numeric => "numeric",
        ColumnType::Binary => "binary",
        ColumnType::Ordinal => "ordinal",
        ColumnType::Categorical => "categorical",
        ColumnType::Identifier => "identifier",
        ColumnType::Date => "date",
        ColumnType::Empty => "empty",
    }
}

/// The key columns to propose: a column name both files share (ignoring case), else a ZIP/postcode-like
/// customer column and the enrichment file's first column.
fn propose_keys(customer: &Table, enrichment: &Table) -> (Option<String>, Option<String>) {
    for column in enrichment.columns() {
        if let Some(same) = customer
            .columns()
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(&column.name))
        {
            return (Some(same.name.clone()), Some(column.name.clone()));
        }
    }
    let postal = customer.columns().iter().find(|c| {
        let name = c.name.to_ascii_lowercase();
        ["zip", "postal", "postcode", "zcta"]
            .iter()
            .any(|word| name.contains(word))
    });
    (
        postal.map(|c| c.name.clone()),
        enrichment.columns().first().map(|c| c.name.clone()),
    )
}

/// A readable column name for a catalog code: `"Median household income … (B19013_001E)"`. Generic labels
/// such as `Total` are qualified by the variable's concept. `None` when the catalog has no such code.
pub fn catalog_label(catalog: &Catalog, code: &str) -> Option<String> {
    let variable = catalog.get(code.trim())?;
    let label = variable.label.trim();
    let concept = variable.concept.trim();
    let text = if concept.is_empty() || label == concept {
        label.to_owned()
    } else if label.trim_end_matches(':').eq_ignore_ascii_case("total") {
        concept.to_owned()
    } else {
        format!("{concept}: {label}")
    };
    Some(format!("{text} ({})", variable.code))
}

/// What the user should know about how the file's rows and headers were read.
fn row_notes(report: &IngestReport, header: HeaderMode) -> Vec<String> {
    let remedy = match header {
        HeaderMode::Auto => "choose \"No header row\" under Header row above",
        HeaderMode::Present | HeaderMode::Absent => "choose another Header row setting above",
    };
    let mut notes = ingest::read_notes(report, remedy);
    for rename in &report.renamed_columns {
        notes.push(format!(
            "Column {} was renamed from {:?} to {:?}.",
            rename.index + 1,
            rename.from,
            rename.to
        ));
    }
    notes
}

/// Columns with values their type cannot read.
fn column_notes(summaries: &[ColumnSummary]) -> Vec<String> {
    let mut notes = Vec::new();
    for column in summaries.iter().filter(|column| column.unparsable > 0) {
        notes.push(format!(
            "{}: {} value(s) did not read as {:?} and count as missing (e.g. {:?}).",
            column.name,
            column.unparsable,
            column.column_type,
            column
                .unparsable_examples
                .first()
                .map_or("", String::as_str)
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use audience_engine::cluster::ShareBounds;
    use audience_engine::table::ColumnType;

    fn load(session: &mut Session, name: &str, bytes: &[u8]) -> Response {
        session.handle(
            Request::LoadFile {
                file_name: name.into(),
                header: HeaderMode::Auto,
            },
            Some(bytes),
            &mut |_| {},
        )
    }

    #[test]
    fn loading_a_file_previews_counts_types_and_first_rows() {
        let csv = "id;city;spend\n1;Köln;10,5\n2;Malmö;7\n3;Köln;\n";
        let Response::Loaded(preview) = load(&mut Session::new(), "shop.csv", csv.as_bytes())
        else {
            panic!("expected a preview");
        };
        assert_eq!((preview.n_rows, preview.n_columns), (3, 3));
        assert_eq!(preview.columns[2].column_type, ColumnType::Numeric);
        assert_eq!(preview.columns[2].missing, 1);
        assert_eq!(preview.rows[1], vec!["2", "Malmö", "7"]);
        assert_eq!(preview.format, "UTF-8, \";\"-separated, with a header row");
        assert!(preview.notes.is_empty(), "{:?}", preview.notes);
    }

    #[test]
    fn the_preview_shows_at_most_ten_rows() {
        let csv: String = std::iter::once("n\n".to_owned())
            .chain((0..25).map(|i| format!("{i}\n")))
            .collect();
        let Response::Loaded(preview) = load(&mut Session::new(), "n.csv", csv.as_bytes()) else {
            panic!("expected a preview");
        };
        assert_eq!(preview.n_rows, 25);
        assert_eq!(preview.rows.len(), PREVIEW_ROWS);
    }

    #[test]
    fn set_aside_rows_are_named_by_line_in_the_notes() {
        let csv = "a,b\n1,2\n3\n4,5\n6,7,8\n";
        let Response::Loaded(preview) = load(&mut Session::new(), "ragged.csv", csv.as_bytes())
        else {
            panic!("expected a preview");
        };
        assert_eq!(preview.n_rows, 2);
        assert_eq!(
            preview.notes[0],
            "2 of 4 rows could not be read as-is and were set aside (lines 3, 5)"
        );
    }

    fn demo_session() -> Session {
        let demo = audience_engine::demo::generate(&audience_engine::demo::DemoParams {
            rows: 400,
            seed: 7,
        })
        .unwrap();
        let mut session = Session::new();
        assert!(matches!(
            load(&mut session, "leads.csv", demo.to_csv().as_bytes()),
            Response::Loaded(_)
        ));
        session
    }

    #[test]
    fn a_description_checks_the_columns_it_names_even_without_the_catalog() {
        let mut session = demo_session();
        let request = Request::Suggest {
            query: "senior tech decision makers in California".into(),
            data_kind: None,
            withheld: Vec::new(),
        };
        let Response::Suggestions(suggestions) = session.handle(request, None, &mut |_| {}) else {
            panic!("expected suggestions");
        };
        assert!(!suggestions.catalog_searched);
        let mut suggested: Vec<&str> = suggestions
            .columns
            .iter()
            .filter(|c| c.suggested)
            .map(|c| c.column.as_str())
            .collect();
        suggested.sort_unstable();
        assert_eq!(suggested, ["Industry", "Job Title", "State"]);
        assert_eq!(suggestions.columns[0].relevance, 1.0);
        let state = suggestions
            .columns
            .iter()
            .find(|c| c.column == "State")
            .unwrap();
        assert_eq!(state.matched_terms, ["“california” → CA"]);
    }

    #[test]
    fn segmenting_the_demo_keeps_every_segment_within_the_bounds_and_exports_every_row() {
        let mut session = demo_session();
        let settings = SegmentSettings {
            variables: ["Industry", "Job Title", "State", "Lead Source"]
                .iter()
                .map(|column| crate::protocol::VariableChoice {
                    column: (*column).into(),
                    weight: 1.0,
                })
                .collect(),
            bounds: Some(ShareBounds {
                min: 0.05,
                max: 0.10,
            }),
            k: Some(12),
            seed: 3,
            target: Some("is_sale".into()),
        };
        let mut updates = 0;
        let Response::Segmented(results) =
            session.handle(Request::Segment(settings), None, &mut |_| updates += 1)
        else {
            panic!("expected results");
        };
        assert!(updates > 0, "progress is reported");
        assert_eq!(results.segmentation.k, 12);
        for size in &results.segmentation.sizes {
            assert!((20..=40).contains(size), "size {size} of 400 within 5–10%");
        }
        assert!(results.report.target.is_some());
        let Response::File(file) = session.handle(
            Request::Export {
                kind: ExportKind::ClusteredCsv,
                keep_formulas: false,
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected a file");
        };
        assert_eq!(file.name, "leads-segments.csv");
        assert_eq!(file.content.lines().count(), 401);
        assert!(file.content.starts_with("State,Industry,Job Title,Education Level,Age_range,Years of Experience,Gender,Lead Source,is_sale,segment,segment_name\n"));
    }

    #[test]
    fn the_conversion_column_cannot_also_define_the_segments() {
        let mut session = demo_session();
        let settings = SegmentSettings {
            variables: vec![crate::protocol::VariableChoice {
                column: "is_sale".into(),
                weight: 1.0,
            }],
            bounds: None,
            k: Some(3),
            seed: 1,
            target: Some("is_sale".into()),
        };
        let Response::Failed(failure) =
            session.handle(Request::Segment(settings), None, &mut |_| {})
        else {
            panic!("expected a failure");
        };
        assert!(
            failure.message.contains("conversion column"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn an_empty_file_fails_with_a_message_naming_it() {
        let Response::Failed(failure) = load(&mut Session::new(), "empty.csv", b"") else {
            panic!("expected a failure");
        };
        assert!(
            failure.message.starts_with("empty.csv: "),
            "{}",
            failure.message
        );
    }

    #[test]
    fn a_request_without_its_file_fails() {
        let response = Session::new().handle(
            Request::LoadFile {
                file_name: "x.csv".into(),
                header: HeaderMode::Auto,
            },
            None,
            &mut |_| {},
        );
        assert!(matches!(response, Response::Failed(failure) if failure.message.contains("x.csv")));
    }

    /// A three-variable catalog with the availability of each, searchable lexically.
    fn small_catalog() -> SearchIndex {
        use audience_search::{Catalog, Lexicon, StaticEmbedder};
        use std::sync::Arc;
        let mut table = b"ABEMB001".to_vec();
        table.extend(2u32.to_le_bytes());
        table.extend(1u32.to_le_bytes());
        table.extend(1.0f32.to_le_bytes());
        table.extend([0u8, 0]);
        let embedder = Arc::new(StaticEmbedder::from_bytes(b"[PAD]\n[UNK]\n", &table).unwrap());
        let jsonl = concat!(
            r#"{"code":"B19013_001E","label":"Median household income in the past 12 months","concept":"Median household income in the past 12 months","table":"B19013","type":"financial","data_type":"numeric","availability":["third_party"]}"#,
            "\n",
            r#"{"code":"B01003_001E","label":"Total","concept":"Total population","table":"B01003","type":"demographic","data_type":"numeric","availability":["third_party"]}"#,
            "\n",
            r#"{"code":"AB_INC_001","label":"Household income band reported by the customer","concept":"Income","table":"AB_INC","type":"financial","data_type":"ordinal","availability":["first_party","clean_room"]}"#,
            "\n",
        );
        let catalog = Catalog::from_bytes(jsonl.as_bytes()).unwrap();
        SearchIndex::new(catalog, embedder, Lexicon::default_lexicon(), None).unwrap()
    }

    fn codes(suggestions: &Suggestions) -> Vec<String> {
        let mut codes: Vec<String> = suggestions
            .catalog
            .iter()
            .flat_map(|group| group.hits.iter().map(|hit| hit.code.clone()))
            .collect();
        codes.sort();
        codes
    }

    fn suggest(
        session: &mut Session,
        data_kind: Option<DataKind>,
        withheld: &[&str],
    ) -> Suggestions {
        let request = Request::Suggest {
            query: "household income".into(),
            data_kind,
            withheld: withheld.iter().map(|c| (*c).to_owned()).collect(),
        };
        match session.handle(request, None, &mut |_| {}) {
            Response::Suggestions(suggestions) => suggestions,
            other => panic!("expected suggestions, got {other:?}"),
        }
    }

    const CUSTOMERS: &str = "id,zip,plan,spend\nc1,02139,gold,10\nc2,2139,silver,20\nc3,10001,gold,30\nc4,94105,silver,40\nc5,,gold,50\n";
    const CENSUS: &str =
        "ZCTA,B19013_001E,B01003_001E,XYZ_1\n02139,85000,36000,a\n10001,92000,21000,b\n10001,1,1,c\n";

    #[test]
    fn the_data_kind_filters_catalog_variables_by_availability() {
        let mut session = Session::new();
        load(&mut session, "c.csv", CUSTOMERS.as_bytes());
        session.catalog = Some(small_catalog());
        let all = suggest(&mut session, None, &[]);
        assert_eq!(codes(&all), ["AB_INC_001", "B19013_001E"]);
        let third = suggest(&mut session, Some(DataKind::ThirdParty), &[]);
        assert_eq!(codes(&third), ["B19013_001E"]);
        let first = suggest(&mut session, Some(DataKind::FirstParty), &[]);
        assert_eq!(codes(&first), ["AB_INC_001"]);
        let clean = suggest(&mut session, Some(DataKind::CleanRoom), &[]);
        assert_eq!(codes(&clean), ["AB_INC_001"]);
    }

    #[test]
    fn withheld_columns_are_neither_offered_nor_clustered() {
        let mut session = Session::new();
        load(&mut session, "c.csv", CUSTOMERS.as_bytes());
        let offered: Vec<String> = suggest(&mut session, None, &["plan"])
            .columns
            .into_iter()
            .map(|c| c.column)
            .collect();
        assert!(!offered.contains(&"plan".to_owned()), "{offered:?}");
        assert!(offered.contains(&"spend".to_owned()), "{offered:?}");
        let settings = SegmentSettings {
            variables: vec![crate::protocol::VariableChoice {
                column: "plan".into(),
                weight: 1.0,
            }],
            bounds: None,
            k: Some(2),
            seed: 1,
            target: None,
        };
        let Response::Failed(failure) =
            session.handle(Request::Segment(settings), None, &mut |_| {})
        else {
            panic!("expected a failure");
        };
        assert_eq!(
            failure.message,
            "\"plan\" is marked as an ID or excluded column; it cannot define the segments."
        );
    }

    fn retype(session: &mut Session, column: &str, column_type: ColumnType) -> Response {
        session.handle(
            Request::Retype {
                column: column.into(),
                column_type,
            },
            None,
            &mut |_| {},
        )
    }

    #[test]
    fn retyping_a_column_updates_the_preview_and_the_table() {
        let mut session = Session::new();
        load(&mut session, "c.csv", CUSTOMERS.as_bytes());
        let Response::Updated(preview) = retype(&mut session, "spend", ColumnType::Categorical)
        else {
            panic!("expected an updated preview");
        };
        assert_eq!(preview.columns[3].column_type, ColumnType::Categorical);
        assert_eq!(preview.columns[3].distinct, 5);
        assert_eq!(preview.file_name, "c.csv");
        let table = &session.dataset.as_ref().unwrap().table;
        assert_eq!(table.columns()[3].column_type(), ColumnType::Categorical);
    }

    #[test]
    fn a_type_that_cannot_read_the_values_fails_and_leaves_the_column() {
        let mut session = Session::new();
        load(&mut session, "c.csv", CUSTOMERS.as_bytes());
        let Response::Failed(failure) = retype(&mut session, "plan", ColumnType::Numeric) else {
            panic!("expected a failure");
        };
        assert!(
            failure
                .message
                .starts_with("\"plan\" cannot be read as numeric: "),
            "{}",
            failure.message
        );
        let table = &session.dataset.as_ref().unwrap().table;
        assert!(table.columns()[2].column_type().has_levels());
        let Response::Failed(failure) = retype(&mut session, "nope", ColumnType::Numeric) else {
            panic!("expected a failure");
        };
        assert_eq!(failure.message, "The file has no column \"nope\".");
    }

    #[test]
    fn an_enrichment_join_reports_coverage_and_labels_columns_from_the_catalog() {
        let mut session = Session::new();
        load(&mut session, "c.csv", CUSTOMERS.as_bytes());
        session.catalog = Some(small_catalog());
        let Response::EnrichmentLoaded(enrichment) = session.handle(
            Request::LoadEnrichment {
                file_name: "census.csv".into(),
            },
            Some(CENSUS.as_bytes()),
            &mut |_| {},
        ) else {
            panic!("expected the enrichment preview");
        };
        assert_eq!(enrichment.n_rows, 3);
        assert_eq!(enrichment.customer_key.as_deref(), Some("zip"));
        assert_eq!(enrichment.enrichment_key.as_deref(), Some("ZCTA"));
        let Response::Updated(preview) = session.handle(
            Request::Join {
                customer_key: "zip".into(),
                enrichment_key: "ZCTA".into(),
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected an updated preview");
        };
        let coverage = preview.enrichment.as_ref().unwrap();
        // c1, c2 (2139 = 02139) and c3 match; c4 has no census row; c5 has no ZIP.
        assert_eq!((coverage.report.matched, coverage.report.unmatched), (3, 2));
        assert_eq!(coverage.report.missing_key, 1);
        assert_eq!(coverage.report.duplicate_keys, 1);
        assert_eq!(coverage.labelled, 2);
        let added = [
            "Median household income in the past 12 months (B19013_001E)",
            "Total population (B01003_001E)",
            "XYZ_1",
        ];
        assert_eq!(coverage.report.added_columns, added);
        let names: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names[4..], added);
        assert_eq!(preview.columns[4].missing, 2);
        // The enrichment columns are offered as variables.
        let offered: Vec<String> = suggest(&mut session, None, &[])
            .columns
            .into_iter()
            .map(|c| c.column)
            .collect();
        for name in added {
            assert!(offered.contains(&name.to_owned()), "{name} in {offered:?}");
        }
        // Joining again on other keys starts from the customer file, not the enriched one.
        let Response::Updated(again) = session.handle(
            Request::Join {
                customer_key: "id".into(),
                enrichment_key: "ZCTA".into(),
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected an updated preview");
        };
        assert_eq!(again.n_columns, 7);
        assert_eq!(again.enrichment.unwrap().report.matched, 0);
    }

    #[test]
    fn the_clustered_csv_includes_the_enrichment_columns() {
        let mut session = Session::new();
        load(&mut session, "c.csv", CUSTOMERS.as_bytes());
        session.handle(
            Request::LoadEnrichment {
                file_name: "census.csv".into(),
            },
            Some(CENSUS.as_bytes()),
            &mut |_| {},
        );
        session.handle(
            Request::Join {
                customer_key: "zip".into(),
                enrichment_key: "ZCTA".into(),
            },
            None,
            &mut |_| {},
        );
        let settings = SegmentSettings {
            variables: vec![crate::protocol::VariableChoice {
                column: "B19013_001E".into(),
                weight: 1.0,
            }],
            bounds: None,
            k: Some(2),
            seed: 1,
            target: None,
        };
        assert!(matches!(
            session.handle(Request::Segment(settings), None, &mut |_| {}),
            Response::Segmented(_)
        ));
        let Response::File(file) = session.handle(
            Request::Export {
                kind: ExportKind::ClusteredCsv,
                keep_formulas: false,
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected a file");
        };
        let mut lines = file.content.lines();
        assert_eq!(
            lines.next(),
            Some("id,zip,plan,spend,B19013_001E,B01003_001E,XYZ_1,segment,segment_name")
        );
        assert_eq!(lines.count(), 5);
    }

    #[test]
    fn the_clustered_csv_download_escapes_cells_that_would_run_as_formulas() {
        let content = clustered_download(
            "name,spend\n=HYPERLINK(\"http://x\"),1\nAnn,-2.5\n@SUM(A1),30\nBob,40\n",
            false,
        );
        let firsts: Vec<&str> = content
            .lines()
            .skip(1)
            .map(|line| line.split(',').next().unwrap())
            .collect();
        // Formulas get a leading '; a negative number stays a number.
        assert_eq!(
            firsts,
            [
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
                "Ann",
                "'@SUM(A1)",
                "Bob"
            ]
        );
        assert!(content.contains("Ann,-2.5,"), "{content}");
    }

    /// Segments `csv` on `spend` into 2 segments and downloads the clustered CSV.
    fn clustered_download(csv: &str, keep_formulas: bool) -> String {
        let mut session = Session::new();
        load(&mut session, "f.csv", csv.as_bytes());
        let settings = SegmentSettings {
            variables: vec![crate::protocol::VariableChoice {
                column: "spend".into(),
                weight: 1.0,
            }],
            bounds: None,
            k: Some(2),
            seed: 1,
            target: None,
        };
        assert!(matches!(
            session.handle(Request::Segment(settings), None, &mut |_| {}),
            Response::Segmented(_)
        ));
        let request = Request::Export {
            kind: ExportKind::ClusteredCsv,
            keep_formulas,
        };
        let Response::File(file) = session.handle(request, None, &mut |_| {}) else {
            panic!("expected a file");
        };
        file.content
    }

    #[test]
    fn keeping_formulas_writes_the_input_cells_byte_for_byte() {
        let content = clustered_download("name,spend\n@SUM(A1),1\nAnn,2\n=1+1,30\nBob,40\n", true);
        let firsts: Vec<&str> = content
            .lines()
            .skip(1)
            .map(|line| line.split(',').next().unwrap())
            .collect();
        assert_eq!(firsts, ["@SUM(A1)", "Ann", "=1+1", "Bob"]);
    }

    #[test]
    fn a_file_with_segment_columns_keeps_them_and_gets_the_new_ones_under_free_names() {
        let content = clustered_download(
            "name,segment,segment_name,spend\nAnn,9,Old,1\nBob,9,Old,2\nCy,8,Old,30\nDee,8,Old,40\n",
            false,
        );
        let header = content.lines().next().unwrap();
        assert_eq!(
            header,
            "name,segment,segment_name,spend,segment_2,segment_name_2"
        );
        assert!(content.contains("\nAnn,9,Old,1,"), "{content}");
    }

    #[test]
    fn joining_without_an_enrichment_file_fails() {
        let mut session = Session::new();
        load(&mut session, "c.csv", CUSTOMERS.as_bytes());
        let response = session.handle(
            Request::Join {
                customer_key: "zip".into(),
                enrichment_key: "ZCTA".into(),
            },
            None,
            &mut |_| {},
        );
        assert!(
            matches!(response, Response::Failed(ref f) if f.message == "Choose an enrichment file first."),
            "{response:?}"
        );
    }
}
