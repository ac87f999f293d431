//! Messages between the page and the engine worker.
//!
//! Every request carries an id; the worker answers each with one final [`Response`] carrying the same id,
//! preceded by any number of [`Response::Progress`] messages for long requests. File contents never travel
//! inside these types: the page hands the worker the `File`/`Blob` object itself (structured clone, no copy
//! on the main thread) and the worker reads its bytes.

use audience_engine::audience::AudienceReport;
use audience_engine::cluster::{Segmentation, ShareBounds};
use audience_engine::enrich::JoinReport;
use audience_engine::export::customer_match::Platform;
use audience_engine::ingest::HeaderMode;
use audience_engine::model::apply::BoundsMode;
use audience_engine::model::lookalike::Band;
use audience_engine::model::movement::Movement;
use audience_engine::profile::{PersonaReport, TierChoice};
use audience_engine::projection::PlotData;
use audience_engine::rollup::{LogColumns, LogDetection, RollupReport};
use audience_engine::stability::StabilityReport;
use audience_engine::table::ColumnType;
use audience_search::{ColumnDescription, DataKind};
use serde::{Deserialize, Serialize};

pub mod activation;
pub use activation::{ActivationAnswer, ActivationRequest, FilterSettings, FilteredOut};

/// What the page asks the worker to do.
///
/// On the wire (`bridge`) externally tagged, `{"load_file": {…}}`: a decoder reads the variant's name first
/// and the body straight into its type. An internally tagged enum (`{"type": …, …}`) is first buffered
/// whole, field by field, to find its tag; for the demo's results that buffering was about half of the
/// 98 ms the page took to read them as JSON text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Read and type the file attached to the message.
    LoadFile {
        /// The file's name, for messages.
        file_name: String,
        /// Whether the first line holds the column names (detected by default).
        #[serde(default)]
        header: HeaderMode,
    },
    /// Fetch the variable catalog's assets (same origin) and build the search index.
    LoadCatalog {
        /// URL of the folder holding the catalog assets, relative to the page.
        base_url: String,
    },
    /// Rank the file's columns and the catalog's variables for an audience description.
    Suggest {
        /// The description, in plain English.
        query: String,
        /// Only catalog variables available in this kind of data are offered; `None` offers all.
        #[serde(default)]
        data_kind: Option<DataKind>,
        /// Columns marked "ID" or "exclude": never offered, never clustered.
        #[serde(default)]
        withheld: Vec<String>,
    },
    /// Between the engine's two workers: the catalog's part of a suggestion ([`CatalogAnswer`]) for the
    /// columns of the file the other worker holds.
    SearchCatalog {
        /// The description and the columns.
        to_search: ColumnsToSearch,
        /// Only catalog variables available in this kind of data are offered; `None` offers all.
        #[serde(default)]
        data_kind: Option<DataKind>,
    },
    /// Between the engine's two workers: readable names for catalog codes (an enrichment file's headers).
    CatalogLabels {
        /// Column names that may be catalog codes.
        codes: Vec<String>,
    },
    /// Re-read one column of the loaded file under another type.
    Retype {
        /// Column name.
        column: String,
        /// The type to read it as.
        column_type: ColumnType,
    },
    /// Read the enrichment file attached to the message (it is joined by [`Request::Join`]).
    LoadEnrichment {
        /// The file's name, for messages.
        file_name: String,
    },
    /// Join the enrichment file onto the loaded file (replacing any earlier join).
    Join {
        /// Key column in the customer file.
        customer_key: String,
        /// Key column in the enrichment file.
        enrichment_key: String,
    },
    /// Segment the loaded file and profile the segments.
    Segment(SegmentSettings),
    /// Produce a download from the last results.
    Export {
        /// Which file.
        kind: ExportKind,
        /// Clustered CSV: write input cells that a spreadsheet would run as formulas byte for byte, instead
        /// of with a leading `'` (the default).
        #[serde(default)]
        keep_formulas: bool,
        /// Clustered CSV: only the rows of the segments that match the described audience.
        #[serde(default)]
        matching_only: bool,
    },
    /// Give a segment of the last results the user's own name, used by every download made afterwards.
    Rename {
        /// The segment's number (1..=k, as on its card).
        segment: u32,
        /// The new name.
        name: String,
    },
    /// Assign the last results' conversion tiers again, by absolute rate or by lift over the file's rate
    /// (names the user gave are kept).
    Tiers {
        /// Which tiers.
        tiers: TierChoice,
    },
    /// Retrieve census values for the file's ZIP codes and append them as columns (replacing the columns
    /// an earlier retrieval added). The worker fetches the measure files it lacks from `base_url/census/`
    /// (same origin) first; an empty `codes` removes the retrieved columns.
    Retrieve {
        /// URL of the folder holding the catalog assets, relative to the page.
        base_url: String,
        /// Catalog codes, e.g. `B19013_001E`; each becomes a column named by its code.
        codes: Vec<String>,
    },
    /// Give a column of the loaded file a new name, used from then on in suggestions, traits, persona
    /// names and downloads.
    RenameColumn {
        /// The column's current name.
        column: String,
        /// Its new name.
        name: String,
    },
    /// Read the data dictionary attached to the message (CSV: column, description) and describe the
    /// file's columns with it; the next suggestions search those descriptions.
    LoadDictionary {
        /// The file's name, for messages.
        file_name: String,
    },
    /// Describe one column in the user's words (an empty description removes it); the next
    /// suggestions search it.
    DescribeColumn {
        /// Column name.
        column: String,
        /// What the column holds.
        description: String,
    },
    /// Produce customer-match files (normalised, SHA-256 hashed identifiers) for chosen segments.
    CustomerMatch {
        /// Segment ids (0-based, as in the results).
        segments: Vec<u32>,
        /// The ad platform whose format to follow.
        platform: Platform,
        /// ISO 3166-1 alpha-2 country for phone numbers written without one, e.g. `US`.
        default_country: Option<String>,
    },
    /// A saved segmentation: save, apply, movement, lookalike, stability (see [`ModelRequest`]).
    Model(ModelRequest),
    /// Roll the loaded order log (one row per purchase) up to one row per customer; the suggestions,
    /// segments and personas then work on the customer table. Sent again, it rolls the same log up again
    /// with the new settings.
    RollUp(RollupSettings),
    /// The rolled-up log's transaction rows, each with its customer's segment from the last results.
    ExportTransactions {
        /// Write input cells that a spreadsheet would run as formulas byte for byte, instead of with a
        /// leading `'` (the default).
        #[serde(default)]
        keep_formulas: bool,
    },
    /// Ready to activate: filter counts, holdout, match coverage, upload files, two segments compared
    /// (see [`ActivationRequest`]).
    Activation(ActivationRequest),
}

/// How to roll an order log up to one row per customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollupSettings {
    /// The customer, date, amount and quantity columns.
    pub columns: LogColumns,
    /// Recency and tenure are counted to this date (`2024-03-31` or `20240331`); `None`: the log's last
    /// date (minus the repeat-purchase window, with one).
    #[serde(default)]
    pub as_of: Option<String>,
    /// Add the `repeat_purchase` column: bought again within this many days after the as-of date.
    #[serde(default)]
    pub repeat_within: Option<u32>,
}

/// The settings of one segmentation run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentSettings {
    /// The columns to segment on, with their weights.
    pub variables: Vec<VariableChoice>,
    /// Every segment's share of the records, both ends inclusive (e.g. 0.05 to 0.10); `None`: no size
    /// bounds (segments are only kept non-empty).
    pub bounds: Option<ShareBounds>,
    /// A fixed number of segments; `None` picks k automatically within the bounds.
    pub k: Option<usize>,
    /// Random seed: the same file, settings and seed give the same segments.
    pub seed: u64,
    /// The conversion column, if any (never used for clustering).
    pub target: Option<String>,
    /// The audience the user described: the segments are scored against it
    /// ([`SegmentResults::audience`]); empty scores nothing.
    #[serde(default)]
    pub description: String,
    /// Conversion tiers: by lift over the file's rate below a 20 % base rate (the default), or always
    /// absolute, or always by lift.
    #[serde(default)]
    pub tiers: TierChoice,
    /// The value of the conversion column that means converted; `None` lets the engine recognise it
    /// (yes/no, 1/0, true/false …).
    #[serde(default)]
    pub positive_value: Option<String>,
    /// Only the rows these rules keep are segmented (the share bounds apply to them); `None` or no
    /// rule segments every row.
    #[serde(default)]
    pub filter: Option<activation::FilterSettings>,
}

#[cfg(test)]
impl SegmentSettings {
    /// Tests' settings: `columns` at weight 1, no size bounds, `k` segments, `seed`; no conversion column,
    /// description or chosen converted value, the default tiers.
    pub(crate) fn on_columns(columns: &[&str], k: usize, seed: u64) -> Self {
        SegmentSettings {
            variables: columns
                .iter()
                .map(|column| VariableChoice {
                    column: (*column).into(),
                    weight: 1.0,
                })
                .collect(),
            bounds: None,
            k: Some(k),
            seed,
            target: None,
            description: String::new(),
            tiers: Default::default(),
            positive_value: None,
            filter: None,
        }
    }
}

/// One column chosen for segmentation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableChoice {
    /// Column name.
    pub column: String,
    /// Relative weight (1 = normal).
    pub weight: f64,
}

/// The downloads the results offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// Every input row unchanged plus segment id and name.
    ClusteredCsv,
    /// The versioned personas document.
    PersonasJson,
    /// One row per segment.
    SummaryCsv,
}

/// Checks that `response` reaches the page as it left the worker: the bridge sends it as JSON text, which
/// has no NaN or infinity (serde_json writes `null`, which does not read back as a number). Called on
/// every response of the service in test builds, so each scenario of the tests checks the wire.
#[cfg(test)]
pub(crate) fn assert_survives_json(response: &Response) {
    let text = serde_json::to_string(response).expect("a response serializes to JSON");
    let back: Response = serde_json::from_str(&text).unwrap_or_else(|error| {
        panic!("a response does not read back from JSON ({error}): {text}")
    });
    // Compared as text: a missing value kept as NaN (written `null` on purpose) is not equal to itself.
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
}

/// What the worker answers; externally tagged on the wire, like [`Request`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// The worker has started and accepts requests (sent once, unsolicited, with id 0).
    Ready,
    /// The file was read.
    Loaded(DatasetPreview),
    /// The loaded file changed (a column re-typed, an enrichment joined): same file, new preview.
    Updated(DatasetPreview),
    /// The enrichment file was read; its columns can be chosen as the join key.
    EnrichmentLoaded(EnrichmentPreview),
    /// Census values were retrieved (or removed): same file, new preview with its `retrieval` coverage.
    Retrieved(DatasetPreview),
    /// The order log was rolled up: the preview of the customer table, whose `log` says how.
    RolledUp(DatasetPreview),
    /// The catalog is searchable.
    CatalogReady {
        /// Number of catalog variables.
        variables: usize,
    },
    /// Ranked columns and catalog variables for a description.
    Suggestions(Suggestions),
    /// The catalog's part of a suggestion (answers [`Request::SearchCatalog`]).
    CatalogAnswer(CatalogAnswer),
    /// (code, readable name) for each code the catalog knows (answers [`Request::CatalogLabels`]).
    CatalogLabels(Vec<(String, String)>),
    /// A long request is under way.
    Progress(ProgressUpdate),
    /// Segments and personas.
    Segmented(Box<SegmentResults>),
    /// The last results' personas changed (a segment renamed, the tiers switched): the new ones.
    Personas(Box<PersonaReport>),
    /// A download, produced in the worker.
    File(ExportFile),
    /// The answer to a [`Request::Model`] (applying a model answers [`Response::Segmented`] instead).
    Model(Box<ModelAnswer>),
    /// Several downloads, with a line about each.
    Files {
        /// The files.
        files: Vec<ExportFile>,
        /// What each contains and what was skipped, for people.
        notes: Vec<String>,
    },
    /// The file's columns were described (a data dictionary read, a description typed).
    Described(DictionaryReport),
    /// The answer to a [`Request::Activation`] that is not a download.
    Activation(Box<activation::ActivationAnswer>),
    /// The request failed; the message is meant for the user.
    Failed(Failure),
}

/// What a data dictionary or a typed description changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DictionaryReport {
    /// The dictionary file's name (`None` for a typed description).
    pub file_name: Option<String>,
    /// The file's columns that now have a description.
    pub described: Vec<String>,
    /// Columns the dictionary names that are not in the file.
    pub not_in_file: Vec<String>,
}

/// A request that could not be carried out: what kind of thing failed (for the page to branch on) and a
/// message for people (only for display).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// What failed.
    pub kind: FailureKind,
    /// A specific, user-readable explanation.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` with `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

/// What kind of thing failed. The page decides what to do from this, never from a message's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// The variable catalog could not be fetched or read; the file's own columns still work.
    Catalog,
    /// The customer file or the enrichment file could not be read.
    File,
    /// A step the request needs has not happened yet (no file, no enrichment file, no results).
    NotReady,
    /// The request's settings cannot work (columns, weights, share bounds, k, description).
    Settings,
    /// A column could not be read under the type asked for.
    Retype,
    /// The enrichment file could not be joined on the chosen keys.
    Join,
    /// The census values could not be fetched or read.
    Retrieval,
    /// The engine could not segment, profile or project the file.
    Segmentation,
    /// A download could not be made.
    Export,
    /// The browser refused something (reading the chosen file, starting or messaging the worker).
    Browser,
    /// A message between page and worker could not be read (a bug, not the user's doing).
    Protocol,
    /// The worker stopped with an error.
    Crashed,
    /// The user pressed Cancel: the worker was stopped and restarted before it answered.
    Cancelled,
    /// A saved segmentation could not be read, applied, compared or scored against.
    Model,
}

/// What the page shows about a freshly read file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetPreview {
    /// The file's name.
    pub file_name: String,
    /// Data rows kept.
    pub n_rows: usize,
    /// Number of columns.
    pub n_columns: usize,
    /// Each column's name, inferred type and missing count.
    pub columns: Vec<ColumnPreview>,
    /// The first rows, cell texts as in the file.
    pub rows: Vec<Vec<String>>,
    /// How the file was read: encoding, delimiter, header.
    pub format: String,
    /// Rows that could not be read as-is, and other things the user should know.
    pub notes: Vec<String>,
    /// The conversion column the engine detected, if any.
    pub detected_target: Option<String>,
    /// The enrichment joined onto the file, if any.
    #[serde(default)]
    pub enrichment: Option<EnrichmentCoverage>,
    /// The census values retrieved for the file's ZIP codes, if any.
    #[serde(default)]
    pub retrieval: Option<RetrievalCoverage>,
    /// Milliseconds the worker took to read, type and describe the file (`None` in the previews that
    /// follow a retype or a join).
    #[serde(default)]
    pub read_ms: Option<f64>,
    /// The file is an order log (one row per purchase): its detected columns, and how it was rolled up to
    /// one row per customer once it was.
    #[serde(default)]
    pub log: Option<LogOffer>,
}

/// An order log recognised in the loaded file, offered as one row per customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogOffer {
    /// The customer, date, amount and quantity columns found, with why.
    pub detection: LogDetection,
    /// The log's columns (names and types), to choose from.
    pub columns: Vec<LogColumn>,
    /// Rows of the log (transactions).
    pub transactions: usize,
    /// The detected date column's first and last dates, `YYYY-MM-DD`.
    pub first_date: Option<String>,
    /// See `first_date`: the default as-of date.
    pub last_date: Option<String>,
    /// How the log was rolled up, once it was (the preview is then the customer table's).
    pub rolled_up: Option<RolledUp>,
}

/// One column of an order log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogColumn {
    /// Its name.
    pub name: String,
    /// Its type as read.
    pub column_type: ColumnType,
}

/// How an order log became the customer table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RolledUp {
    /// The settings used.
    pub settings: RollupSettings,
    /// Customers, rows used and left out (with their lines), refunds, missing amounts, …
    pub report: RollupReport,
    /// The report in a marketer's words, one sentence each.
    pub notes: Vec<String>,
}

/// A freshly read enrichment file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrichmentPreview {
    /// The file's name.
    pub file_name: String,
    /// Data rows.
    pub n_rows: usize,
    /// Its column names.
    pub columns: Vec<String>,
    /// The key column proposed in the customer file.
    pub customer_key: Option<String>,
    /// The key column proposed in the enrichment file.
    pub enrichment_key: Option<String>,
}

/// How an enrichment join went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrichmentCoverage {
    /// The enrichment file's name.
    pub file_name: String,
    /// Key column in the customer file.
    pub customer_key: String,
    /// Key column in the enrichment file.
    pub enrichment_key: String,
    /// Counts, duplicate keys and the columns added (with their final, labelled names).
    pub report: JoinReport,
    /// How many added columns were labelled from the catalog.
    pub labelled: usize,
}

/// How a retrieval of census values went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetrievalCoverage {
    /// The customer file's ZIP column.
    pub zip_column: String,
    /// The columns added, one per code, with what they hold.
    pub columns: Vec<RetrievedColumn>,
    /// How the rows matched (each row in exactly one case) and the values each column got.
    pub coverage: audience_engine::retrieve::Coverage,
    /// Population under which a ZIP area's own estimates are withheld.
    pub small_area_population: u32,
    /// Where the values come from and their licences, to show with them.
    pub attribution: String,
}

/// One retrieved column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetrievedColumn {
    /// The column's name: the catalog code asked for.
    pub code: String,
    /// What it holds, e.g. `Median household income`.
    pub label: String,
    /// The estimates' vintage.
    pub vintage: String,
    /// The data source.
    pub source: String,
}

/// One column in the preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnPreview {
    /// Header text.
    pub name: String,
    /// The inferred type.
    pub column_type: ColumnType,
    /// Number of missing cells.
    pub missing: usize,
    /// Number of distinct non-missing values.
    pub distinct: usize,
    /// Whether segmentation can use it (identifiers, dates and empty columns cannot).
    pub clusterable: bool,
    /// Whole-file aggregates (level counts, mean and spread), computed in the worker. They hold file
    /// values: only `assistant::privacy` decides what of them may leave the page.
    #[serde(default)]
    pub stats: ColumnStats,
}

/// Most frequent levels kept in [`ColumnStats::levels`].
pub const STATS_TOP_LEVELS: usize = 25;

/// One column's whole-file aggregates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    /// Binary, ordinal and categorical columns: the most frequent levels with their record counts,
    /// most frequent first (at most [`STATS_TOP_LEVELS`]).
    pub levels: Vec<LevelCount>,
    /// Levels present in the file but not listed in `levels` (each held by no more records than the
    /// last listed one).
    pub other_levels: usize,
    /// Numeric and date columns: present values, their mean and sample standard deviation.
    pub numeric: Option<NumericSummary>,
}

/// A level and the number of records holding it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelCount {
    /// The level's label (a file value).
    pub label: String,
    /// Records holding it.
    pub count: usize,
}

/// Count, mean and spread of a numeric column.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    /// Present values.
    pub count: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation (0 for a single value).
    pub std: f64,
}

impl ColumnStats {
    /// Aggregates `column` in one pass over its codes (then one over its distinct texts).
    pub fn of(column: &audience_engine::table::Column) -> Self {
        use audience_engine::table::Cell;
        let per_entry = column.codes().counts(column.dictionary().len());
        let column_type = column.column_type();
        if column_type.has_levels() {
            let mut per_level = vec![0usize; column.levels().len()];
            for (entry, cell) in column.cells().iter().enumerate() {
                if let Cell::Level(level) = cell {
                    per_level[level as usize] += per_entry[entry];
                }
            }
            let mut ranked: Vec<(usize, usize)> = per_level
                .into_iter()
                .enumerate()
                .filter(|&(_, count)| count > 0)
                .collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let other_levels = ranked.len().saturating_sub(STATS_TOP_LEVELS);
            let levels = ranked
                .into_iter()
                .take(STATS_TOP_LEVELS)
                .map(|(level, count)| LevelCount {
                    label: column.levels()[level].label.clone(),
                    count,
                })
                .collect();
            return Self {
                levels,
                other_levels,
                numeric: None,
            };
        }
        if !column_type.is_numeric_like() {
            return Self::default();
        }
        let numbers = || {
            column
                .cells()
                .iter()
                .zip(&per_entry)
                .filter_map(|(cell, &n)| match cell {
                    Cell::Number(v) if n > 0 => Some((v, n)),
                    _ => None,
                })
        };
        let count: usize = numbers().map(|(_, n)| n).sum();
        if count == 0 {
            return Self::default();
        }
        let mean = numbers().map(|(v, n)| v * n as f64).sum::<f64>() / count as f64;
        let squares: f64 = numbers().map(|(v, n)| (v - mean).powi(2) * n as f64).sum();
        let std = if count > 1 {
            (squares / (count - 1) as f64).sqrt()
        } else {
            0.0
        };
        Self {
            levels: Vec::new(),
            other_levels: 0,
            numeric: Some(NumericSummary { count, mean, std }),
        }
    }
}

/// Suggestions for a description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    /// The description they answer.
    pub query: String,
    /// The file's clusterable columns, most relevant first.
    pub columns: Vec<ColumnSuggestion>,
    /// Catalog variables, grouped by type (empty until the catalog has loaded).
    pub catalog: Vec<CatalogGroup>,
    /// Whether the catalog was searched.
    pub catalog_searched: bool,
}

/// A description and the loaded file's columns to search for it (the worker holding the file sends them to
/// the one holding the catalog).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnsToSearch {
    /// The description, trimmed.
    pub query: String,
    /// The columns' positions in the file.
    pub candidates: Vec<usize>,
    /// The columns as the search sees them, in the same order.
    pub descriptions: Vec<ColumnDescription>,
}

/// The catalog's part of [`Suggestions`]: what the search says of each column searched (in the order
/// given) and the catalog's variables for the description.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogAnswer {
    /// One per column searched.
    pub columns: Vec<ColumnSearch>,
    /// Catalog variables, grouped by type.
    pub catalog: Vec<CatalogGroup>,
}

/// What the catalog's search says of one of the file's columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnSearch {
    /// Search relevance relative to the best column (0 when nothing matched).
    pub relevance: f64,
    /// The description's terms it matched, quoted.
    pub matched_terms: Vec<String>,
    /// Whether nothing says what the column holds.
    pub meaning_unknown: bool,
    /// Catalog variables it may stand for.
    pub linked_variables: Vec<String>,
}

/// One of the file's columns, scored against the description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnSuggestion {
    /// Column name.
    pub column: String,
    /// The column's type.
    pub column_type: ColumnType,
    /// Relevance in 0..=1 (relative to the best match).
    pub relevance: f64,
    /// Whether it is suggested (pre-checked).
    pub suggested: bool,
    /// Query words that matched the column name or values.
    pub matched_terms: Vec<String>,
    /// The closest catalog variables (labels), when the catalog is loaded.
    pub linked_variables: Vec<String>,
    /// Nothing says what the column holds (an opaque code such as `MOSTYPE` without a description):
    /// it gets no search relevance until it is described.
    #[serde(default)]
    pub meaning_unknown: bool,
    /// The column's description (from a data dictionary or typed), if any.
    #[serde(default)]
    pub description: Option<String>,
}

/// Catalog variables of one type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogGroup {
    /// The type (demographic, financial, …).
    pub kind: String,
    /// Its variables, best first.
    pub hits: Vec<CatalogHit>,
}

/// One catalog variable found for a description.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogHit {
    /// Variable code, e.g. `B19013_001E`.
    pub code: String,
    /// Readable label.
    pub label: String,
    /// Table or group.
    pub table: String,
    /// Fused relevance score (higher is better).
    pub score: f64,
    /// Query terms that explain the match.
    pub matched_terms: Vec<String>,
    /// Whether the app can retrieve this variable's census values for the loaded file (it has a ZIP
    /// column and the variable is a shipped measure): "available for your file".
    #[serde(default)]
    pub retrievable: bool,
    /// The concept (table) this hit stands for: "Household income in the past 12 months (B19001) ·
    /// 17 variables"; empty for a hit that is a single variable.
    #[serde(default)]
    pub concept: String,
    /// The concept's matching variables, best first (the hit's own variable first); the first
    /// [`CatalogHit::selected`] are pre-selected.
    #[serde(default)]
    pub variables: Vec<ConceptVariable>,
    /// How many of `variables` are pre-selected.
    #[serde(default)]
    pub selected: usize,
}

/// One variable of a concept in the catalog results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConceptVariable {
    /// Variable code, e.g. `B19001_017E`.
    pub code: String,
    /// Readable label.
    pub label: String,
    /// Whether its census values can be retrieved for the loaded file.
    #[serde(default)]
    pub retrievable: bool,
}

/// Where a long request has got to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressUpdate {
    /// What is happening, for people.
    pub stage: String,
    /// Overall progress in 0..=1.
    pub fraction: f64,
}

/// Lets at most one progress report through per interval, so a run that reports after every iteration
/// (the demo's 5,000 rows: about 90 reports in half a second) does not keep the page busy redrawing the
/// progress bar while the worker computes. The first report always goes through; the final answer
/// replaces whatever report was last shown.
#[derive(Clone, Debug)]
pub struct ProgressThrottle {
    interval_ms: f64,
    last_sent_ms: Option<f64>,
}

impl ProgressThrottle {
    /// The page's interval: ten reports a second keep the bar moving.
    pub const INTERVAL_MS: f64 = 100.0;

    /// A throttle letting one report through per `interval_ms` milliseconds.
    pub fn new(interval_ms: f64) -> Self {
        ProgressThrottle {
            interval_ms,
            last_sent_ms: None,
        }
    }

    /// Whether a report made at `now_ms` goes through (and, if so, counts as the last sent).
    pub fn due(&mut self, now_ms: f64) -> bool {
        match self.last_sent_ms {
            Some(last) if now_ms - last < self.interval_ms => false,
            _ => {
                self.last_sent_ms = Some(now_ms);
                true
            }
        }
    }
}

/// Everything the results step shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentResults {
    /// The settings that produced them.
    pub settings: SegmentSettings,
    /// The segmentation itself (k, sizes, cost, k scores, …). Its per-row `labels` stay in the worker,
    /// which makes the exports: they are empty in the copy sent to the page.
    pub segmentation: Segmentation,
    /// Profiles and personas, ranked.
    pub report: PersonaReport,
    /// The 2-D projection for the scatter plot.
    pub plot: PlotData,
    /// Milliseconds the run took in the worker.
    pub elapsed_ms: f64,
    /// What the user must know about the run: the chosen columns cannot tell the customers apart (said
    /// before the fit, from the encoded rows) or segments came out identical (said after it).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// How every segment matches the description in [`SegmentSettings::description`], best first;
    /// `None` when no description was given.
    #[serde(default)]
    pub audience: Option<AudienceReport>,
    /// Set when the segments come from a saved segmentation applied to this file, not from a fit.
    #[serde(default)]
    pub applied: Option<AppliedReport>,
    /// Every segment's defining traits measured in every segment (the trait heatmap's cells), in the
    /// order the personas list them.
    #[serde(default)]
    pub trait_lifts: Vec<TraitAcross>,
}

/// One defining trait measured in every segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraitAcross {
    /// The trait's column.
    pub column: String,
    /// The trait's value, as the persona states it (e.g. `"≥ 108 (top quartile)"`).
    pub value: String,
    /// Its lift in each segment, by segment index (0-based); `None` where it cannot be measured.
    pub lifts: Vec<Option<f64>>,
}

/// A file for the user to download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFile {
    /// Suggested file name.
    pub name: String,
    /// MIME type.
    pub mime: String,
    /// The file's text.
    pub content: String,
}

/// What to do with a saved segmentation (the request's `"action"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ModelRequest {
    /// The last results as a model document (no data row): answers [`ModelAnswer::Saved`].
    Save,
    /// Put the loaded file in the segments of a saved model: answers [`Response::Segmented`] with
    /// [`SegmentResults::applied`] set.
    Apply {
        /// The model document (JSON text); `None`: the file attached to the message.
        #[serde(default)]
        model_json: Option<String>,
        /// Nearest center, or the saved share bounds enforced exactly again.
        mode: BoundsMode,
        /// The conversion column, if any (profiled, never used to place rows).
        #[serde(default)]
        target: Option<String>,
    },
    /// Who moved between the previous segmentation and the last results. The previous one is the
    /// labelled file attached to the message (an ID column and a `segment` column, e.g. last month's
    /// clustered CSV), or without an attachment the segmentation of the file loaded before this one.
    Movement {
        /// The attached file's name, for messages.
        #[serde(default)]
        file_name: Option<String>,
        /// The ID column both files share; `None` finds it.
        #[serde(default)]
        id_column: Option<String>,
    },
    /// Score the prospect file attached to the message against one segment of the last results.
    Lookalike {
        /// The prospect file's name, for messages and the download's name.
        file_name: String,
        /// The segment number (`1..=k`).
        segment: u32,
        /// Which prospects the download holds.
        pick: ProspectPick,
    },
    /// Refit with other seeds and compare with the last results.
    Stability {
        /// How many refits.
        refits: usize,
    },
}

/// Which prospects a lookalike download holds, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ProspectPick {
    /// The `n` best.
    Top {
        /// How many.
        n: usize,
    },
    /// Every prospect in this band or a better one.
    Band {
        /// The weakest band kept.
        band: Band,
    },
}

/// The answers to [`ModelRequest`]s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum ModelAnswer {
    /// The model document, to download and keep.
    Saved {
        /// The document.
        file: ExportFile,
        /// A short label for the saved list: "5 segments from customers.csv".
        label: String,
    },
    /// The transition table.
    Movement(MovementReport),
    /// Prospects scored.
    Lookalike(LookalikeReport),
    /// Refits compared.
    Stability(StabilityReport),
}

/// How a saved segmentation matched the file it was applied to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppliedReport {
    /// The model's file name or label, for messages.
    pub model_label: String,
    /// How rows were placed.
    pub mode: BoundsMode,
    /// Whether the model has share bounds (exact mode enforces them).
    pub bounded: bool,
    /// Rows placed (every row of the file).
    pub rows: usize,
    /// Rows in the segment of their nearest center.
    pub at_nearest: usize,
    /// The columns the model uses, all found in the file.
    pub columns: Vec<String>,
    /// What was matched with care (new levels, unreadable cells, interchangeable customers), in words.
    pub notes: Vec<String>,
}

/// Who moved between two segmentations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementReport {
    /// Where the previous segments came from: a file name or "the file loaded before".
    pub previous: String,
    /// The ID column matched on.
    pub id_column: String,
    /// The table (`counts[from][to]`, index 0: new / gone).
    pub movement: Movement,
    /// The name of each segment `1..=k` of the last results (empty beyond them).
    pub names: Vec<String>,
    /// Rows left out of either file, in words.
    pub notes: Vec<String>,
    /// The table as CSV (`from,to,customers`), for download.
    pub file: ExportFile,
}

/// Prospects scored against one segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LookalikeReport {
    /// The segment number.
    pub segment: u32,
    /// "segment 3 (Young urban savers)".
    pub segment_phrase: String,
    /// Prospects scored.
    pub prospects: usize,
    /// Prospects per band, strongest first, with the band's name.
    pub bands: Vec<(Band, usize)>,
    /// The best prospects' explanations, best first (at most 3).
    pub examples: Vec<String>,
    /// How the prospect file matched the model, in words.
    pub notes: Vec<String>,
    /// The chosen prospects, best first, with their score, band and reason.
    pub file: ExportFile,
    /// Prospects in the download.
    pub written: usize,
}

#[cfg(test)]
mod tests {
    use super::ProgressThrottle;

    #[test]
    fn the_throttle_lets_the_first_report_through_then_one_per_interval() {
        let mut throttle = ProgressThrottle::new(100.0);
        // Reports every 7 ms for 0.5 s: the first, then one each time 100 ms have passed since the last.
        let sent: Vec<u32> = (0..72u32)
            .filter(|&i| throttle.due(1_000.0 + 7.0 * i as f64))
            .map(|i| 7 * i)
            .collect();
        assert_eq!(sent, [0, 105, 210, 315, 420]);
        // A report after a long quiet spell goes through at once.
        assert!(throttle.due(5_000.0));
        assert!(!throttle.due(5_099.9));
    }
}
