//! Suggestions: the catalog installed, and the file's columns and the catalog's variables ranked for a
//! description.

use crate::column_match::column_evidence;
use crate::protocol::{
    CatalogAnswer, CatalogGroup, CatalogHit, ColumnSearch, ColumnSuggestion, ColumnsToSearch,
    ConceptVariable, Response, Suggestions,
};
use audience_engine::table::Table;
use audience_search::columns::MEANING_UNKNOWN;
use audience_search::{
    group_by_type, search_columns, ColumnDescription, DataKind, SearchAssets, SearchIndex,
    SearchOptions,
};

use super::{is_clusterable, ServiceError, Session, CATALOG_SUGGESTIONS, SUGGESTED_RELEVANCE};

impl Session {
    /// Installs the catalog from its assets' bytes.
    pub fn install_catalog(&mut self, assets: &SearchAssets<'_>) -> Response {
        match SearchIndex::from_bytes(assets) {
            Ok(index) => {
                let variables = index.catalog().len();
                self.catalog = Some(index);
                Response::CatalogReady { variables }
            }
            Err(error) => Response::Failed(ServiceError::Catalog(error).into()),
        }
    }

    /// Computes the installed catalog's item vectors up to `from + count`, in one pass
    /// ([`audience_search::VectorStore::compute`]), and returns where the next slice starts, or `None`
    /// at the catalog's end (or when no catalog is installed). The first search computes all that are
    /// left anyway; the worker calls this a slice at a time while it is idle after loading the catalog,
    /// so that the user's first search finds them computed, and answers any request between slices.
    pub fn compute_catalog_vectors(&self, from: usize, count: usize) -> Option<usize> {
        let store = self.catalog.as_ref()?.store();
        let end = from.saturating_add(count).min(store.len());
        if from >= end {
            return None;
        }
        store.compute(end);
        (end < store.len()).then_some(end)
    }

    /// Ranks the file's columns and the catalog's variables for a description: [`Self::columns_to_search`],
    /// the catalog's [`catalog_answer`] (when the catalog is installed here), then
    /// [`Self::suggestions_from`]. The worker asks the catalog another worker holds for the middle step.
    #[inline(never)]
    pub(super) fn suggest(
        &self,
        query: &str,
        data_kind: Option<DataKind>,
    ) -> Result<Suggestions, ServiceError> {
        let to_search = self.columns_to_search(query)?;
        let answer = self
            .catalog
            .as_ref()
            .map(|catalog| catalog_answer(catalog, &to_search, data_kind))
            .transpose()?;
        self.suggestions_from(to_search, answer)
    }

    /// [`Self::columns_to_search`] after taking `withheld` as the columns marked "ID" or "exclude" (as
    /// [`Request::Suggest`](crate::protocol::Request::Suggest) does).
    pub fn columns_to_search_without(
        &mut self,
        query: &str,
        withheld: Vec<String>,
    ) -> Result<ColumnsToSearch, ServiceError> {
        self.withheld = withheld;
        self.columns_to_search(query)
    }

    /// The description (trimmed, not empty) and the loaded file's clusterable columns the user has not
    /// withheld, as the search sees them.
    pub fn columns_to_search(&self, query: &str) -> Result<ColumnsToSearch, ServiceError> {
        let query = query.trim();
        if query.is_empty() {
            return Err(ServiceError::NoDescription);
        }
        let table = &self.dataset()?.table;
        let candidates: Vec<usize> = (0..table.columns().len())
            .filter(|&index| {
                let column = &table.columns()[index];
                is_clusterable(column.column_type()) && !self.withheld.contains(&column.name)
            })
            .collect();
        let mut descriptions: Vec<ColumnDescription> = candidates
            .iter()
            .map(|&index| describe_column(table, index))
            .collect();
        // The user's descriptions (a data dictionary, typed) are searched with the header.
        for description in &mut descriptions {
            description.description = self.column_description(&description.name);
        }
        Ok(ColumnsToSearch {
            query: query.to_owned(),
            candidates,
            descriptions,
        })
    }

    /// The suggestions for `to_search` (made by [`Self::columns_to_search`] on the file still loaded), given
    /// the catalog's answer for them (`None`: no catalog, every column's search relevance is 0).
    pub fn suggestions_from(
        &self,
        to_search: ColumnsToSearch,
        answer: Option<CatalogAnswer>,
    ) -> Result<Suggestions, ServiceError> {
        let table = &self.dataset()?.table;
        let ColumnsToSearch {
            query,
            candidates,
            descriptions,
        } = to_search;
        let query = query.as_str();
        let unchanged = candidates
            .iter()
            .zip(&descriptions)
            .all(|(&index, description)| {
                table
                    .columns()
                    .get(index)
                    .is_some_and(|column| column.name == description.name)
            });
        if !unchanged
            || answer
                .as_ref()
                .is_some_and(|a| a.columns.len() != candidates.len())
        {
            return Err(ServiceError::FileChangedDuringSearch);
        }
        let mut columns: Vec<ColumnSuggestion> = candidates
            .iter()
            .map(|&index| suggestion(table, index))
            .collect();
        let catalog_searched = answer.is_some();
        let (searched, mut catalog) = answer
            .map(|answer| (answer.columns, answer.catalog))
            .unwrap_or_default();
        for (column, searched) in columns.iter_mut().zip(searched) {
            column.relevance = searched.relevance;
            column.matched_terms = searched.matched_terms;
            column.meaning_unknown = searched.meaning_unknown;
            column.linked_variables = searched.linked_variables;
        }
        // Direct evidence (the description names the column or its values) weighs as much as the search.
        for (column, description) in columns.iter_mut().zip(&descriptions) {
            column.description.clone_from(&description.description);
        }
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
        // "Available for your file": the census measures, when the file has a ZIP column.
        if let (Some(manifest), Some(_)) = (self.census_manifest(), self.zip_column()) {
            for group in &mut catalog {
                for hit in &mut group.hits {
                    hit.retrievable = manifest.is_retrievable(&hit.code);
                    for variable in &mut hit.variables {
                        variable.retrievable = manifest.is_retrievable(&variable.code);
                    }
                }
                super::retrieval::retrievable_first(&mut group.hits);
            }
        }
        Ok(Suggestions {
            query: query.to_owned(),
            columns,
            catalog_searched,
            catalog,
        })
    }
}

/// The catalog's part of the suggestions for `to_search`: each column's search relevance (relative to the
/// best), matched terms, whether nothing says what it holds and the catalog variables it may stand for;
/// and the catalog's variables for the description, grouped by type.
pub fn catalog_answer(
    catalog: &SearchIndex,
    to_search: &ColumnsToSearch,
    data_kind: Option<DataKind>,
) -> Result<CatalogAnswer, ServiceError> {
    let (query, descriptions) = (to_search.query.as_str(), &to_search.descriptions);
    let mut columns = vec![ColumnSearch::default(); descriptions.len()];
    let options = SearchOptions {
        top: descriptions.len().max(1),
        ..SearchOptions::default()
    };
    let hits = search_columns(query, descriptions, catalog.embedder().clone(), &options)
        .map_err(ServiceError::Search)?;
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
    for (column, description) in columns.iter_mut().zip(descriptions) {
        if description.meaning_unknown(catalog.embedder()) {
            column.meaning_unknown = true;
            column.matched_terms.push(MEANING_UNKNOWN.to_owned());
        }
    }
    for (column, link) in columns
        .iter_mut()
        .zip(catalog.link_columns(descriptions, 2))
    {
        column.linked_variables = link
            .candidates
            .iter()
            .map(|hit| hit.label.clone())
            .collect();
    }
    Ok(CatalogAnswer {
        columns,
        catalog: catalog_groups(catalog, query, data_kind),
    })
}

/// A column as the search sees it: its header and its most common values.
pub(super) fn describe_column(table: &Table, index: usize) -> ColumnDescription {
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
    ColumnDescription::new(column.name.clone(), sample_values)
}

pub(super) fn suggestion(table: &Table, index: usize) -> ColumnSuggestion {
    let column = &table.columns()[index];
    ColumnSuggestion {
        column: column.name.clone(),
        column_type: column.column_type(),
        relevance: 0.0,
        suggested: false,
        matched_terms: Vec::new(),
        linked_variables: Vec::new(),
        meaning_unknown: false,
        description: None,
    }
}

/// Concepts searched before the first [`CATALOG_SUGGESTIONS`] are kept: more of each concept's
/// variables are scored, which ranks the concepts better ("affluent households with high income"
/// finds the median household income table, B19013, among its first ten this way).
const CONCEPTS_SEARCHED: usize = 40;

/// The catalog's variables for a description, grouped by type; with a data kind, only the variables
/// available in that kind of data (searched deeper so the list stays full).
pub(super) fn catalog_groups(
    catalog: &SearchIndex,
    query: &str,
    data_kind: Option<DataKind>,
) -> Vec<CatalogGroup> {
    let depth = if data_kind.is_some() { 8 } else { 1 };
    // One result per concept (table), standing for its matching variables available in that kind of
    // data; the concept's best one is the hit.
    let records = catalog.catalog();
    let available = |hit: &audience_search::SearchHit| {
        data_kind.is_none_or(|kind| {
            records
                .get(&hit.code)
                .is_some_and(|variable| variable.availability.contains(&kind))
        })
    };
    let concepts: Vec<(
        audience_search::SearchHit,
        String,
        Vec<ConceptVariable>,
        usize,
    )> = catalog
        .search_concepts(
            query,
            &SearchOptions {
                top: CONCEPTS_SEARCHED * depth,
                ..SearchOptions::default()
            },
        )
        .into_iter()
        .filter_map(|concept| {
            let selected = concept
                .selected_variables()
                .iter()
                .filter(|hit| available(hit))
                .count()
                .max(1);
            let variables: Vec<&audience_search::SearchHit> = concept
                .variables
                .iter()
                .filter(|hit| available(hit))
                .collect();
            let best = (*variables.first()?).clone();
            let listed = variables
                .iter()
                .map(|hit| ConceptVariable {
                    code: hit.code.clone(),
                    label: hit.label.clone(),
                    retrievable: false,
                })
                .collect();
            Some((best, concept.title.clone(), listed, selected))
        })
        .take(CATALOG_SUGGESTIONS)
        .collect();
    let hits: Vec<audience_search::SearchHit> =
        concepts.iter().map(|(hit, ..)| hit.clone()).collect();
    group_by_type(&hits)
        .into_iter()
        .map(|group| CatalogGroup {
            kind: group.kind.to_owned(),
            hits: group
                .hits
                .into_iter()
                .map(|hit| {
                    let (title, variables, selected) = concepts
                        .iter()
                        .find(|(best, ..)| best.code == hit.code)
                        .map(|(_, title, variables, selected)| {
                            (title.clone(), variables.clone(), *selected)
                        })
                        .unwrap_or_default();
                    CatalogHit {
                        code: hit.code.clone(),
                        label: hit.label.clone(),
                        table: hit.table.clone(),
                        score: f64::from(hit.score),
                        matched_terms: hit.matched_terms.clone(),
                        retrievable: false,
                        concept: title,
                        selected: selected.min(variables.len()),
                        variables,
                    }
                })
                .collect(),
        })
        .collect()
}
