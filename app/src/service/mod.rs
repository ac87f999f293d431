//! What the engine worker does: plain Rust over `audience-engine`, with no browser types, so every request
//! can be tested natively.
//!
//! One file per use case: `reading` (read and retype the file), `enrichment` (read and join an
//! enrichment file), `retrieval` (census values by ZIP code), `rollup` (an order log to one row per
//! customer), `suggestions` (the catalog and the ranked variables), `segmentation` (segments,
//! personas, plot), `exports` (the downloads) and `model` (saved segmentations: save, apply, movement,
//! lookalike, stability). This file holds the session and routes requests.

mod activation;
mod columns;
mod enrichment;
mod error;
mod exports;
mod model;
mod reading;
mod rehearsal;
mod retrieval;
mod rollup;
mod segmentation;
mod suggestions;
#[cfg(test)]
mod tests;

pub use activation::ActivationError;
pub use error::ServiceError;
pub use reading::customer_file_options;
pub use rehearsal::{rehearse, rehearse_search, REHEARSAL_ROWS, WARM_UP_ROWS};

use crate::protocol::{
    EnrichmentCoverage, ProgressUpdate, Request, Response, RetrievalCoverage, SegmentResults,
};
use audience_engine::enrich::JoinKeys;
use audience_engine::retrieve::CensusData;
use audience_engine::table::{Column, ColumnType, Table, TableError};
use audience_search::SearchIndex;

/// How many rows the preview shows.
pub const PREVIEW_ROWS: usize = 10;
/// How many catalog variables a suggestion lists.
pub const CATALOG_SUGGESTIONS: usize = 10;
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
    /// The customer file as read (with the user's type changes and renames), kept apart once columns are
    /// added to `table`; `None` while `table` is still the file as read (one copy of the rows, not two:
    /// [`Dataset::base`]).
    base: Option<Table>,
    /// The file as read plus the joined enrichment and retrieved census columns, if any: what suggestions,
    /// segmentation and exports use.
    table: Table,
    delimiter: u8,
    /// How the file was read, for the preview.
    format: String,
    /// Notes about rows and headers (column notes are recomputed from the current types).
    row_notes: Vec<String>,
    detected_target: Option<String>,
    enrichment: Option<EnrichmentCoverage>,
    /// The census values retrieved for the file's ZIP codes (columns at the end of `table`), if any.
    retrieval: Option<RetrievalCoverage>,
    /// The file is an order log: what was detected, and the log itself once rolled up to customers.
    log: Option<rollup::LogState>,
}

/// Takes the file as read out of a dataset's `base` and `table` (an order log about to be replaced by its
/// customers); fields rather than the dataset, so its other fields can stay borrowed.
fn take_base(base: &mut Option<Table>, table: &mut Table) -> Table {
    base.take().unwrap_or_else(|| std::mem::take(table))
}

impl Dataset {
    /// The customer file as read, without added columns.
    fn base(&self) -> &Table {
        self.base.as_ref().unwrap_or(&self.table)
    }

    /// Makes `table` (the file as read plus added columns) the one the steps use, keeping the file as read
    /// apart the first time columns are added.
    fn extend(&mut self, table: Table) {
        let previous = std::mem::replace(&mut self.table, table);
        if self.base.is_none() {
            self.base = Some(previous);
        }
    }

    /// Replaces column `name` of the file as read (when it is kept apart) with `column`.
    fn replace_base_column(&mut self, name: &str, column: &Column) -> Result<(), TableError> {
        if let Some(base) = self.base.as_mut() {
            if let Some(index) = base.column_index(name) {
                base.replace_column(index, column.clone())?;
            }
        }
        Ok(())
    }
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
    /// The census manifest, ZIP index and the measures loaded so far (installed by the worker).
    census: Option<CensusData>,
    /// Ids of the census measures added to `census`.
    loaded_measures: Vec<String>,
    results: Option<SegmentResults>,
    /// The saved segmentation applied last, and the segmentation of the file loaded before this one.
    models: model::ModelState,
    /// Columns marked "ID" or "exclude" at the last suggestion: segmentation refuses them.
    withheld: Vec<String>,
    /// Descriptions of the loaded file's columns (a data dictionary, typed descriptions).
    dictionary: audience_search::ColumnDictionary,
    /// Readable names of catalog codes, from a catalog held by another worker (see
    /// [`Session::add_catalog_labels`]).
    catalog_labels: std::collections::HashMap<String, String>,
    /// The last run's filter and the holdout drawn on its segments.
    activation: activation::ActivationState,
}

impl Session {
    /// A session with no file and no catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Carries out one request. `attachment` holds the bytes of the file sent with it, if any; `progress`
    /// receives progress reports of long requests.
    ///
    /// Each kind of request is carried out by a method of its own that is never inlined here
    /// (`#[inline(never)]`): Chromium optimises a wasm function whole once part of it has run a while, and
    /// with every kind inlined this was a 70 KB function whose optimising compile took 0.22–0.31 s of CPU
    /// beside the user's first segmentation; now it is 10 KB and only the segmentation's method (14 KB,
    /// about 0.1 s) is compiled so.
    pub fn handle(
        &mut self,
        request: Request,
        attachment: Option<&[u8]>,
        progress: &mut dyn FnMut(ProgressUpdate),
    ) -> Response {
        let outcome = match request {
            Request::LoadFile { file_name, header } => match attachment {
                None => Err(ServiceError::NoAttachment { file_name }),
                Some(bytes) => {
                    self.keep_previous();
                    self.dictionary = Default::default();
                    self.load(&file_name, bytes, header).map(Response::Loaded)
                }
            },
            Request::LoadCatalog { base_url } => Err(ServiceError::CatalogNotFetched { base_url }),
            Request::Suggest {
                query,
                data_kind,
                withheld,
            } => {
                self.withheld = withheld;
                self.suggest(&query, data_kind).map(Response::Suggestions)
            }
            Request::SearchCatalog {
                to_search,
                data_kind,
            } => match &self.catalog {
                Some(catalog) => suggestions::catalog_answer(catalog, &to_search, data_kind)
                    .map(Response::CatalogAnswer),
                None => Err(ServiceError::NoCatalog),
            },
            Request::CatalogLabels { codes } => Ok(Response::CatalogLabels(self.labels_of(&codes))),
            Request::Retype {
                column,
                column_type,
            } => self.retype(&column, column_type).map(Response::Updated),
            Request::LoadEnrichment { file_name } => match attachment {
                None => Err(ServiceError::NoAttachment { file_name }),
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
                matching_only,
            } => self
                .export(kind, keep_formulas, matching_only)
                .map(Response::File),
            Request::Rename { segment, name } => self
                .rename(segment, &name)
                .map(|report| Response::Personas(Box::new(report))),
            Request::Tiers { tiers } => self
                .retier(tiers)
                .map(|report| Response::Personas(Box::new(report))),
            Request::Retrieve { codes, .. } => self.retrieve_codes(codes).map(Response::Retrieved),
            Request::RenameColumn { column, name } => {
                self.rename_column(&column, &name).map(Response::Updated)
            }
            Request::LoadDictionary { file_name } => match attachment {
                None => Err(ServiceError::NoAttachment { file_name }),
                Some(bytes) => self
                    .load_dictionary(&file_name, bytes)
                    .map(Response::Described),
            },
            Request::DescribeColumn {
                column,
                description,
            } => self
                .describe_column(&column, &description)
                .map(Response::Described),
            Request::CustomerMatch {
                segments,
                platform,
                default_country,
            } => self
                .customer_match(&segments, platform, default_country)
                .map(|(files, notes)| Response::Files { files, notes }),
            Request::Model(request) => self.model_request(request, attachment, progress),
            Request::RollUp(settings) => self.roll_up(settings).map(Response::RolledUp),
            Request::ExportTransactions { keep_formulas } => self
                .export_transactions(keep_formulas)
                .map(|(files, notes)| Response::Files { files, notes }),
            Request::Activation(request) => self.activation_request(request),
        };
        let response = outcome.unwrap_or_else(|error| Response::Failed(error.into()));
        #[cfg(test)]
        crate::protocol::assert_survives_json(&response);
        response
    }

    fn dataset(&self) -> Result<&Dataset, ServiceError> {
        self.dataset.as_ref().ok_or(ServiceError::NoFile)
    }
}

/// Whether segmentation can use a column of this type by default.
pub fn is_clusterable(column_type: ColumnType) -> bool {
    matches!(
        column_type,
        ColumnType::Numeric | ColumnType::Binary | ColumnType::Ordinal | ColumnType::Categorical
    )
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
