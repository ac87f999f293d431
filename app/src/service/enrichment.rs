//! Enrichment: an enrichment file read, its key columns proposed, and joined onto the customer file with
//! its columns labelled from the catalog.

use crate::protocol::{DatasetPreview, EnrichmentCoverage, EnrichmentPreview};
use audience_engine::enrich::{self, JoinKeys};
use audience_engine::ingest::{self, IngestOptions, Ingested};
use audience_engine::table::Table;
use audience_search::Catalog;

use super::{EnrichmentFile, ServiceError, Session};

impl Session {
    /// Reads an enrichment file and proposes key columns.
    #[inline(never)]
    pub(super) fn load_enrichment(
        &mut self,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<EnrichmentPreview, ServiceError> {
        let dataset = self.dataset()?;
        let Ingested { table, .. } =
            ingest::read_table(bytes, &IngestOptions::default()).map_err(|source| {
                ServiceError::Read {
                    file_name: file_name.to_owned(),
                    source,
                }
            })?;
        let columns: Vec<String> = table.columns().iter().map(|c| c.name.clone()).collect();
        let (customer_key, enrichment_key) = propose_keys(dataset.base(), &table);
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

    /// The headers of the enrichment file waiting to be joined (empty when there is none).
    pub fn enrichment_headers(&self) -> Vec<String> {
        self.enrichment
            .as_ref()
            .map_or_else(Vec::new, |enrichment| {
                enrichment
                    .table
                    .columns()
                    .iter()
                    .map(|column| column.name.trim().to_owned())
                    .collect()
            })
    }

    /// (code, readable name) for each of `codes` the installed catalog knows.
    #[inline(never)]
    pub(super) fn labels_of(&self, codes: &[String]) -> Vec<(String, String)> {
        let Some(catalog) = &self.catalog else {
            return Vec::new();
        };
        codes
            .iter()
            .filter_map(|code| {
                catalog_label(catalog.catalog(), code).map(|label| (code.trim().to_owned(), label))
            })
            .collect()
    }

    /// Readable names for catalog codes from a catalog another worker holds (its answer to
    /// [`Request::CatalogLabels`](crate::protocol::Request::CatalogLabels)): an enrichment file joined
    /// while this session has no catalog of its own names its columns with them.
    pub fn add_catalog_labels(&mut self, labels: Vec<(String, String)>) {
        self.catalog_labels.extend(labels);
    }

    /// Joins the enrichment file onto the customer file, labelling its columns from the catalog.
    #[inline(never)]
    pub(super) fn join(&mut self, keys: JoinKeys) -> Result<DatasetPreview, ServiceError> {
        let enrichment = self
            .enrichment
            .as_ref()
            .ok_or(ServiceError::NoEnrichmentFile)?;
        let dataset = self.dataset.as_mut().ok_or(ServiceError::NoFile)?;
        let options = dataset.options();
        let enriched =
            enrich::join(dataset.base(), &enrichment.table, &keys, &options).map_err(|source| {
                ServiceError::Join {
                    file_name: enrichment.file_name.clone(),
                    source,
                }
            })?;
        let mut report = enriched.report;
        let mut columns = enriched.table.columns().to_vec();
        let mut labelled = 0;
        let added = dataset.base().columns().len();
        for (column, name) in columns[added..].iter_mut().zip(&mut report.added_columns) {
            let label = match &self.catalog {
                Some(catalog) => catalog_label(catalog.catalog(), &column.name),
                None => self.catalog_labels.get(column.name.trim()).cloned(),
            };
            if let Some(label) = label {
                column.name = label;
                name.clone_from(&column.name);
                labelled += 1;
            }
        }
        dataset.extend(Table::new(columns)?);
        // The join starts again from the file as read: retrieved census columns are retrieved again.
        dataset.retrieval = None;
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
}

/// The key columns to propose: a column name both files share (ignoring case), else a ZIP/postcode-like
/// customer column and the enrichment file's first column.
pub(super) fn propose_keys(
    customer: &Table,
    enrichment: &Table,
) -> (Option<String>, Option<String>) {
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
