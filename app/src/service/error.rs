//! Why a request failed, with the engine's own error kept until the bridge turns it into a
//! [`Failure`] for the wire.

use audience_engine::cluster::ClusterError;
use audience_engine::encode::EncodeError;
use audience_engine::enrich::EnrichError;
use audience_engine::export::ExportError;
use audience_engine::ingest::IngestError;
use audience_engine::profile::{ProfileError, RenameError};
use audience_engine::projection::ProjectionError;
use audience_engine::retrieve::RetrieveError;
use audience_engine::rollup::RollupError;
use audience_engine::table::TableError;
use audience_search::CatalogError;

use crate::protocol::{Failure, FailureKind};

/// A request the session could not carry out. Each message names what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// A file-reading request came without its file.
    #[error("No file came with the request to read {file_name:?}.")]
    NoAttachment {
        /// The file the request names.
        file_name: String,
    },
    /// `LoadCatalog` reached the session instead of the worker's fetch loop.
    #[error(
        "The catalog at {base_url:?} must be fetched by the worker before it can be installed."
    )]
    CatalogNotFetched {
        /// Where the catalog is.
        base_url: String,
    },
    /// The catalog was asked for before it was installed.
    #[error("The variable catalog is still loading. Try again in a moment.")]
    NoCatalog,
    /// The catalog's assets could not be read.
    #[error("The variable catalog could not be loaded: {0}")]
    Catalog(#[source] CatalogError),
    /// The column search failed.
    #[error("{0}")]
    Search(#[source] CatalogError),
    /// The customer or enrichment file could not be read.
    #[error("{file_name}: {source}")]
    Read {
        /// The file.
        file_name: String,
        /// Why.
        source: IngestError,
    },
    /// No file is loaded.
    #[error("Load a file first.")]
    NoFile,
    /// The file changed (another one read, a column re-typed or renamed) while the catalog was searched
    /// for its columns.
    #[error("The file changed while the variables were being found. Click Find variables again.")]
    FileChangedDuringSearch,
    /// No enrichment file is waiting to be joined.
    #[error("Choose an enrichment file first.")]
    NoEnrichmentFile,
    /// No segmentation has been run.
    #[error("Segment the file first.")]
    NoResults,
    /// The description is empty.
    #[error("Describe the audience first, e.g. \"senior tech buyers in California\".")]
    NoDescription,
    /// A column named in the request is not in the file.
    #[error("The file has no column {0:?}.")]
    NoColumn(String),
    /// A column could not be read under the type asked for.
    #[error("{column:?} cannot be read as {type_name}: {source}")]
    Retype {
        /// The column.
        column: String,
        /// The type's name in messages.
        type_name: &'static str,
        /// Why.
        source: IngestError,
    },
    /// The re-read column or the joined columns do not fit the table.
    #[error("{0}")]
    Table(#[from] TableError),
    /// The enrichment join failed.
    #[error("{file_name}: {source}")]
    Join {
        /// The enrichment file.
        file_name: String,
        /// Why.
        source: EnrichError,
    },
    /// No column was chosen.
    #[error("Choose at least one column to segment on.")]
    NoVariables,
    /// A chosen column is marked ID or exclude.
    #[error("{0:?} is marked as an ID or excluded column; it cannot define the segments.")]
    Withheld(String),
    /// The conversion column was chosen as a variable.
    #[error("{0:?} is the conversion column; it describes the outcome and cannot also define the segments.")]
    TargetChosen(String),
    /// A weight is not a positive number.
    #[error("The weight of {0:?} must be a positive number.")]
    BadWeight(String),
    /// The chosen columns could not be encoded.
    #[error("{0}")]
    Encode(#[from] EncodeError),
    /// The segmentation settings or the fit failed.
    #[error("{0}")]
    Cluster(#[from] ClusterError),
    /// The segments could not be profiled.
    #[error("{0}")]
    Profile(#[from] ProfileError),
    /// The scatter plot could not be projected.
    #[error("{0}")]
    Projection(#[from] ProjectionError),
    /// A download could not be written.
    #[error("{0}")]
    Export(#[from] ExportError),
    /// A download is not text.
    #[error("{name} is not valid UTF-8: {source}")]
    NotText {
        /// The download's name.
        name: String,
        /// Why.
        source: std::string::FromUtf8Error,
    },
    /// Customer-match files need identifier columns.
    #[error(
        "Customer-match files need an e-mail or phone column, or first name, last name, ZIP and \
         country columns; this file has none."
    )]
    NoIdentifiers,
    /// A segment could not be renamed.
    #[error("Not renamed: {0}.")]
    Rename(#[from] RenameError),
    /// "Only the matching segments" was asked without a description.
    #[error(
        "To download only the segments that match your audience, describe the audience in step 2 \
         (e.g. \"senior decision makers in tech\") and segment again."
    )]
    NoAudience,
    /// No segment matches the description.
    #[error(
        "None of the {segments} segments matches \"{description}\", so there is nothing to download \
         with \"only matching segments\" ticked: untick it to download every row, or describe the \
         audience differently and segment again."
    )]
    NoMatchingSegments {
        /// How many segments there are.
        segments: usize,
        /// The description.
        description: String,
    },
    /// The census files have not been fetched (the worker installs them with the catalog).
    #[error(
        "The census values are not loaded yet; wait for the variable catalog to finish loading, then \
         check the variable again."
    )]
    NoCensus,
    /// Census values could not be retrieved for the file.
    #[error("Census values could not be added: {0}.")]
    Retrieve(#[source] RetrieveError),
    /// A saved segmentation could not be read, applied, compared or scored against.
    #[error("{0}")]
    Model(#[from] super::model::ModelServiceError),
    /// "One row per customer" was asked of a file that is not an order log.
    #[error(
        "This file was not recognised as an order log (one row per purchase, with a customer, a date and \
         an amount column), so it cannot be rolled up to one row per customer; segment its rows as they are."
    )]
    NotALog,
    /// The transactions download was asked before the log was rolled up.
    #[error("Roll the order log up to one row per customer and segment it first.")]
    NotRolledUp,
    /// The as-of date does not read as a date.
    #[error("The as-of date {0:?} is not a date; write it as 2024-03-31 or 20240331, or leave it empty for the log's last date.")]
    AsOf(String),
    /// The log could not be rolled up with the chosen columns.
    #[error("Not rolled up: {0}.")]
    Rollup(#[from] RollupError),
    /// A column's new name is empty or too long.
    #[error("{column:?} was not renamed: a column name needs 1 to {max} characters (this one has {length}).", max = super::columns::MAX_COLUMN_NAME)]
    ColumnName {
        /// The column.
        column: String,
        /// Characters in the name asked for.
        length: usize,
    },
    /// Another column already has the new name.
    #[error("{column:?} was not renamed: the file already has a column called {name:?}; choose another name.")]
    ColumnNameTaken {
        /// The column.
        column: String,
        /// The name asked for.
        name: String,
    },
    /// A data dictionary could not be read.
    #[error("{file_name}: {source}")]
    Dictionary {
        /// The dictionary file.
        file_name: String,
        /// Why.
        source: audience_search::columns::DictionaryError,
    },
    /// A filter, holdout, coverage, upload or comparison request could not be carried out.
    #[error("{0}")]
    Activation(#[from] super::activation::ActivationError),
}

impl ServiceError {
    /// What kind of thing failed, for the page to branch on.
    pub fn kind(&self) -> FailureKind {
        match self {
            ServiceError::NoAttachment { .. } | ServiceError::CatalogNotFetched { .. } => {
                FailureKind::Protocol
            }
            ServiceError::Catalog(_) | ServiceError::NoCatalog => FailureKind::Catalog,
            ServiceError::Read { .. } => FailureKind::File,
            ServiceError::NoFile
            | ServiceError::NoEnrichmentFile
            | ServiceError::NoResults
            | ServiceError::FileChangedDuringSearch => FailureKind::NotReady,
            ServiceError::NoDescription
            | ServiceError::NoColumn(_)
            | ServiceError::NoVariables
            | ServiceError::Withheld(_)
            | ServiceError::TargetChosen(_)
            | ServiceError::BadWeight(_)
            | ServiceError::Rename(_)
            | ServiceError::ColumnName { .. }
            | ServiceError::ColumnNameTaken { .. } => FailureKind::Settings,
            ServiceError::Dictionary { .. } => FailureKind::File,
            // Impossible bounds or k are the user's settings; a fit that fails is the engine's.
            ServiceError::Cluster(error) if is_settings_error(error) => FailureKind::Settings,
            ServiceError::Retype { .. } => FailureKind::Retype,
            ServiceError::Join { .. } | ServiceError::Table(_) => FailureKind::Join,
            ServiceError::Search(_)
            | ServiceError::Encode(_)
            | ServiceError::Cluster(_)
            | ServiceError::Profile(_)
            | ServiceError::Projection(_) => FailureKind::Segmentation,
            ServiceError::Export(_)
            | ServiceError::NotText { .. }
            | ServiceError::NoIdentifiers
            | ServiceError::NoAudience
            | ServiceError::NoMatchingSegments { .. } => FailureKind::Export,
            ServiceError::NoCensus => FailureKind::NotReady,
            ServiceError::Retrieve(error) if super::retrieval::is_settings_error(error) => {
                FailureKind::Settings
            }
            ServiceError::Retrieve(_) => FailureKind::Retrieval,
            ServiceError::Model(_) => FailureKind::Model,
            ServiceError::NotRolledUp => FailureKind::NotReady,
            ServiceError::NotALog | ServiceError::AsOf(_) => FailureKind::Settings,
            // The columns or the as-of date chosen cannot work; anything else is the engine's.
            ServiceError::Rollup(
                RollupError::UnknownColumn { .. }
                | RollupError::SameColumn { .. }
                | RollupError::WrongKind { .. }
                | RollupError::NoCustomers { .. },
            ) => FailureKind::Settings,
            ServiceError::Rollup(_) => FailureKind::File,
            ServiceError::Activation(error) if error.is_settings() => FailureKind::Settings,
            ServiceError::Activation(_) => FailureKind::NotReady,
        }
    }
}

/// Whether the engine refused the settings before any work (bounds, k, row count).
fn is_settings_error(error: &ClusterError) -> bool {
    matches!(
        error,
        ClusterError::BoundsOutOfRange { .. }
            | ClusterError::MinAboveMax { .. }
            | ClusterError::NoFeasibleK { .. }
            | ClusterError::NoIntegerSizes { .. }
            | ClusterError::TooFewRowsForBounds { .. }
            | ClusterError::TooManySegmentCounts { .. }
            | ClusterError::AutoKNeedsBounds
            | ClusterError::KZero
            | ClusterError::TooFewRows { .. }
            | ClusterError::InvalidParameter { .. }
    )
}

impl From<ServiceError> for Failure {
    fn from(error: ServiceError) -> Self {
        Failure::new(error.kind(), error.to_string())
    }
}
