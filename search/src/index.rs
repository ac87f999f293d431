//! [`SearchIndex`]: a catalog with its lexical index, item vectors and nearest-neighbour index.

use std::sync::Arc;

use serde::Serialize;

#[cfg(feature = "build")]
use super::ann::AnnParams;
use super::ann::{AnnIndex, QueryVector, VectorStore};
use super::concept::{group_concepts, ConceptHit, ConceptPrior, QueryTerms};
use super::embed::{Fingerprint, StaticEmbedder};
use super::hybrid::{
    diversify_keys, reciprocal_rank_fusion, score_fusion, Fusion, SearchHit, SearchMode,
    LEXICAL_PERCENT, RRF_K,
};
use super::lexical::{LexicalHit, LexicalIndex};
use super::pack;
use super::record::Catalog;
use super::synonyms::Lexicon;
use super::CatalogError;

/// How many candidates each ranking contributes before fusion.
pub const CANDIDATES: usize = 100;

/// Variables ranked before grouping them into concepts.
pub const CONCEPT_CANDIDATES: usize = 200;

/// At most this many tables whose concept the request names join the candidates.
pub const NAMED_TABLES: usize = 20;
/// Score of a named table's total before re-scoring, relative to the best candidate's.
pub const NAMED_TABLE_SCORE: f32 = 0.8;

/// At most this many variables whose whole label is one unit of the request join the
/// candidates, per unit.
pub const WHOLE_LABELS: usize = 10;
/// Score of such a variable before re-scoring, relative to the best candidate's (times the
/// unit's weight).
pub const WHOLE_LABEL_SCORE: f32 = 0.8;

/// At most this many of a concept's variables are pre-selected.
pub const PRESELECT: usize = 4;

/// How alike (cosine) two variables with the same label must be to share a point of the HNSW
/// graph (see [`SearchIndex::near_duplicate_groups`]).
pub const GROUP_MIN_COSINE: f32 = 0.95;

/// The artifacts a [`SearchIndex`] is loaded from, as bytes (fetched by the browser, embedded with
/// `include_bytes!` by the CLI).
#[derive(Clone, Copy, Debug)]
pub struct SearchAssets<'a> {
    /// The catalog: packed (`catalog/dist/catalog.bin`, see [`super::pack`]: loads without
    /// parsing or analysing text), JSON Lines or CSV.
    pub catalog: &'a [u8],
    /// The embedding vocabulary (`catalog/dist/embed/vocab.txt`).
    pub vocab: &'a [u8],
    /// The int8 embedding table (`catalog/dist/embed/table.i8`).
    pub table: &'a [u8],
    /// The serialized HNSW graph for this catalog (`catalog/dist/hnsw.bin`); `None` searches the
    /// vectors exactly (right for small catalogs, such as a user's own).
    pub graph: Option<&'a [u8]>,
}

/// Options of one search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SearchOptions {
    /// Number of results.
    pub top: usize,
    /// Which rankings to use.
    pub mode: SearchMode,
    /// At most this many results from one table family, or matching one synonym trigger, ahead of
    /// the other results (0 disables diversification).
    pub max_per_table: usize,
    /// Search the vectors exactly even when an HNSW graph is loaded.
    pub exact: bool,
    /// Reciprocal-rank-fusion constant k (see [`RRF_K`]).
    pub rrf_k: u32,
    /// How hybrid search combines the rankings (lexical-only and semantic-only searches always
    /// use reciprocal-rank fusion of their lists).
    pub fusion: Fusion,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            top: 10,
            mode: SearchMode::Hybrid,
            max_per_table: 2,
            exact: false,
            rrf_k: RRF_K,
            fusion: Fusion::Score {
                lexical_percent: LEXICAL_PERCENT,
            },
        }
    }
}

enum Semantic {
    Exact(Arc<VectorStore>),
    Graph(AnnIndex),
}

/// A searchable catalog.
pub struct SearchIndex {
    catalog: Arc<Catalog>,
    lexical: LexicalIndex,
    prior: ConceptPrior,
    embedder: Arc<StaticEmbedder>,
    semantic: Semantic,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("variables", &self.catalog.len())
            .field("dims", &self.embedder.dims())
            .field("graph", &matches!(self.semantic, Semantic::Graph(_)))
            .finish()
    }
}

impl SearchIndex {
    /// Loads a catalog, the embedding table and (optionally) its HNSW graph from bytes, with the
    /// built-in synonym lexicon.
    pub fn from_bytes(assets: &SearchAssets<'_>) -> Result<Self, CatalogError> {
        let embedder = Arc::new(StaticEmbedder::from_bytes(assets.vocab, assets.table)?);
        if pack::is_packed(assets.catalog) {
            let (catalog, lexical) = pack::unpack(assets.catalog, Lexicon::default_lexicon())?;
            return Self::with_lexical(catalog, lexical, embedder, assets.graph);
        }
        let catalog = Catalog::from_bytes(assets.catalog)?;
        Self::new(catalog, embedder, Lexicon::default_lexicon(), assets.graph)
    }

    /// Indexes a catalog: lexical index, item vectors (computed by the first search, or beforehand
    /// by [`VectorStore::compute`]: see [`catalog_vectors_on_first_use`]), and the HNSW graph from
    /// `graph` (which must have been built for exactly these vectors) or exact search without one.
    pub fn new(
        catalog: Catalog,
        embedder: Arc<StaticEmbedder>,
        lexicon: Lexicon,
        graph: Option<&[u8]>,
    ) -> Result<Self, CatalogError> {
        let lexical = LexicalIndex::build(catalog.variables(), lexicon);
        Self::with_lexical(catalog, lexical, embedder, graph)
    }

    fn with_lexical(
        catalog: Catalog,
        lexical: LexicalIndex,
        embedder: Arc<StaticEmbedder>,
        graph: Option<&[u8]>,
    ) -> Result<Self, CatalogError> {
        let catalog = Arc::new(catalog);
        let store = Arc::new(catalog_vectors_on_first_use(&catalog, &embedder));
        let semantic = match graph {
            Some(bytes) => Semantic::Graph(AnnIndex::from_bytes(bytes, store)?),
            None => Semantic::Exact(store),
        };
        let prior = ConceptPrior::new(catalog.variables(), &lexical);
        Ok(Self {
            catalog,
            lexical,
            prior,
            embedder,
            semantic,
        })
    }

    /// Builds and serializes an HNSW graph over this catalog's vectors, one point per group of
    /// [`SearchIndex::near_duplicate_groups`] (the build tool's step; see
    /// [`AnnIndex::build_grouped`] for determinism). Needs the `build` feature.
    #[cfg(feature = "build")]
    pub fn build_graph(&self, params: AnnParams) -> Vec<u8> {
        AnnIndex::build_grouped(
            self.store().clone(),
            self.near_duplicate_groups(GROUP_MIN_COSINE),
            params,
        )
        .expect("near-duplicate groups partition the catalog")
        .to_bytes()
    }

    /// Groups of near-duplicate variables, which share one point of the HNSW graph: variables with
    /// the same label whose vectors are at least `min_cosine` alike (the race iterations
    /// `B19037A`…`B19037I` of one table, Puerto Rico copies, an occupation listed in several
    /// tables with near-identical concepts). Each variable, in catalog order, joins the first
    /// group of its label whose first member is that close, or starts a new one. Groups are lists
    /// of catalog positions, ascending. On the default catalog: 47,049 variables, 32,824 groups.
    pub fn near_duplicate_groups(&self, min_cosine: f32) -> Vec<Vec<u32>> {
        let store = self.store();
        let mut groups: Vec<Vec<u32>> = Vec::new();
        let mut by_key: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
        for (i, v) in self.catalog.variables().iter().enumerate() {
            let candidates = by_key.entry(v.label.as_str()).or_default();
            match candidates
                .iter()
                .find(|&&g| store.item_cosine(groups[g][0] as usize, i) >= min_cosine)
            {
                Some(&g) => groups[g].push(i as u32),
                None => {
                    candidates.push(groups.len());
                    groups.push(vec![i as u32]);
                }
            }
        }
        groups
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The embedder (shared with column search).
    pub fn embedder(&self) -> &Arc<StaticEmbedder> {
        &self.embedder
    }

    /// The item vectors.
    pub fn store(&self) -> &Arc<VectorStore> {
        match &self.semantic {
            Semantic::Exact(store) => store,
            Semantic::Graph(ann) => ann.store(),
        }
    }

    /// Sets the HNSW search's candidate list size (in groups; default [`super::ann::EF_SEARCH`]):
    /// larger finds the exact neighbours more often and takes longer. No effect without a graph.
    pub fn set_ef_search(&mut self, ef: usize) {
        if let Semantic::Graph(ann) = &mut self.semantic {
            ann.set_ef_search(ef);
        }
    }

    /// Whether an HNSW graph is loaded.
    pub fn has_graph(&self) -> bool {
        matches!(self.semantic, Semantic::Graph(_))
    }

    /// The query's embedding, quantised like the items (`None` when no word is known).
    #[inline(never)]
    pub fn query_vector(&self, query: &str) -> Option<QueryVector> {
        self.embedder.embed(query).map(|v| QueryVector::new(&v))
    }

    /// The `k` nearest items by the graph (or exactly, if `exact` or no graph is loaded).
    #[inline(never)]
    pub fn nearest(&self, query: &QueryVector, k: usize, exact: bool) -> Vec<(usize, f32)> {
        match &self.semantic {
            Semantic::Graph(ann) if !exact => ann.search(query, k),
            _ => self.store().exact_top(query, k),
        }
    }

    /// Ranks the catalog's tables (concepts) for a plain-language request: at most
    /// `options.top` results, each a different table, with the table's matching variables best
    /// first and the best ones pre-selected (see [`crate::concept`]).
    ///
    /// `options.max_per_table` is ignored: every result is its own table already.
    pub fn search_concepts(&self, query: &str, options: &SearchOptions) -> Vec<ConceptHit> {
        let mut candidates = CONCEPT_CANDIDATES.max(options.top);
        loop {
            let hits = self.search(
                query,
                &SearchOptions {
                    top: candidates,
                    max_per_table: 0,
                    ..*options
                },
            );
            let exhausted = hits.len() < candidates;
            let concepts = group_concepts(
                hits,
                &self.prior,
                self.catalog.variables(),
                options.top,
                PRESELECT,
            );
            // Few tables among many matching variables (one occupation in nine sibling tables):
            // look deeper once.
            if concepts.len() >= options.top || exhausted || candidates > CONCEPT_CANDIDATES {
                return concepts;
            }
            candidates *= 4;
        }
    }

    /// The per-table knowledge the ranking uses.
    pub fn concept_prior(&self) -> &ConceptPrior {
        &self.prior
    }

    /// Ranks the catalog's variables for a plain-language request. A query with no searchable
    /// word returns no hits.
    ///
    /// Its steps (the query's analysis, the lexical ranking, the nearest neighbours, the fusion and
    /// the concept prior's rescoring) are functions of their own, never inlined here
    /// (`#[inline(never)]`): in the browser a wasm function is optimised whole once part of it has
    /// run a while, and inlined they made this a 41 KB function whose optimising compile took
    /// 0.18–0.53 s of CPU on a 2-core machine while the user's file was read.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Vec<SearchHit> {
        let pool = CANDIDATES.max(options.top);
        let units = self.lexical.analyze(query);
        // Each unit's matching documents, found once and shared by the rankings, the
        // diversification and the explanations (which every mode shows).
        let matches = self.lexical.match_units(&units);
        let lexical = match options.mode {
            SearchMode::Semantic => Vec::new(),
            _ => self.lexical.rank(&units, &matches, |_| true, pool),
        };
        let query_vector = self.query_vector(query);
        let semantic = match (&query_vector, options.mode) {
            (Some(q), SearchMode::Semantic | SearchMode::Hybrid) => {
                self.nearest(q, pool, options.exact)
            }
            _ => Vec::new(),
        };
        let lexical_ids: Vec<usize> = lexical.iter().map(|h| h.index).collect();
        let semantic_ids: Vec<usize> = semantic.iter().map(|h| h.0).collect();
        // A request with several facets ("eco-minded millennials in cities": three synonym
        // triggers) also ranks each facet on its own, so every facet's best variables reach the
        // top instead of the facet with the most matching tables.
        let mut triggers: Vec<&str> = units.iter().filter_map(|u| u.trigger.as_deref()).collect();
        triggers.sort_unstable();
        triggers.dedup();
        let facets: Vec<Vec<LexicalHit>> = if triggers.len() >= 2
            && options.mode != SearchMode::Semantic
        {
            triggers
                .iter()
                .map(|t| {
                    self.lexical
                        .rank(&units, &matches, |u| u.trigger.as_deref() == Some(*t), pool)
                })
                .collect()
        } else {
            Vec::new()
        };
        let fused = match (options.mode, options.fusion, &query_vector) {
            (SearchMode::Hybrid, Fusion::Score { lexical_percent }, Some(q)) => {
                // Lexical evidence in [0, 1]: the BM25 score over the best one, averaged with each
                // facet's own normalised score in a many-faceted request.
                let mut lexical_score: rustc_hash::FxHashMap<usize, f32> = Default::default();
                let lists: Vec<&[LexicalHit]> = std::iter::once(lexical.as_slice())
                    .chain(facets.iter().map(Vec::as_slice))
                    .collect();
                for list in &lists {
                    let best = list.first().map_or(1.0, |h| h.score);
                    for h in list.iter() {
                        *lexical_score.entry(h.index).or_insert(0.0) +=
                            h.score / best / lists.len() as f32;
                    }
                }
                for &(index, _) in &semantic {
                    lexical_score.entry(index).or_insert(0.0);
                }
                let mut candidates: Vec<(usize, f32, f32)> = lexical_score
                    .into_iter()
                    .map(|(index, l)| (index, l, self.store().cosine(index, q)))
                    .collect();
                candidates.sort_unstable_by_key(|c| c.0);
                let best = semantic.first().map_or(0.0, |s| s.1);
                let floor = semantic.last().map_or(0.0, |s| s.1);
                score_fusion(
                    &candidates,
                    floor,
                    best,
                    lexical_percent.min(100) as f32 / 100.0,
                )
            }
            _ => {
                let facet_ids: Vec<Vec<usize>> = facets
                    .iter()
                    .map(|f| f.iter().map(|h| h.index).collect())
                    .collect();
                let mut lists: Vec<&[usize]> = vec![&lexical_ids, &semantic_ids];
                lists.extend(facet_ids.iter().map(Vec::as_slice));
                reciprocal_rank_fusion(&lists, options.rrf_k)
            }
        };
        // Tables whose concept the request names join the candidates through their total, then
        // whole-concept and whole-label matches go first and copies after the table they copy.
        let query_terms = QueryTerms::new(&units, &self.lexical);
        let mut fused = fused;
        let top_score = fused.first().map_or(1.0, |f| f.1);
        for (index, cover) in self.prior.named_tables(&query_terms, NAMED_TABLES) {
            if !fused.iter().any(|f| f.0 == index) {
                fused.push((index, top_score * cover * NAMED_TABLE_SCORE));
            }
        }
        for (index, weight) in
            self.prior
                .whole_labels(&units, &matches, &self.lexical, WHOLE_LABELS)
        {
            if !fused.iter().any(|f| f.0 == index) {
                fused.push((index, top_score * weight * WHOLE_LABEL_SCORE));
            }
        }
        let fused = self.prior.rescore(fused, &query_terms, &self.lexical);
        let multi_facet = triggers.len() >= 2;
        let variables = self.catalog.variables();
        // At most `max_per_table` per table family and, in a many-faceted request, per synonym
        // trigger (so that one facet, such as "urban", cannot fill the top 10 from many tables).
        // A variable matching every facet answers the whole request ("married couples with
        // children": a married-couple family with own children): it counts against its table
        // only, or the best answers would be the ones deferred.
        let pool_size = fused.len().min(4 * pool);
        let fused = diversify_keys(
            fused.into_iter().take(pool_size).collect(),
            |f| {
                let mut keys = vec![format!("table {}", variables[f.0].table_family())];
                if multi_facet {
                    let mut matched: Vec<&str> = LexicalIndex::matched_in(&units, &matches, f.0)
                        .filter_map(|u| u.trigger.as_deref())
                        .collect();
                    matched.sort_unstable();
                    matched.dedup();
                    if matched.len() < triggers.len() {
                        keys.extend(matched.into_iter().map(|t| format!("trigger {t}")));
                    }
                }
                keys
            },
            options.max_per_table,
            options.top,
        );
        fused
            .into_iter()
            .take(options.top)
            .map(|(index, score)| {
                let v = &variables[index];
                let lexical_rank = lexical_ids.iter().position(|&i| i == index);
                SearchHit {
                    index,
                    code: v.code.clone(),
                    label: v.label.clone(),
                    kind: v.kind.clone(),
                    table: v.table.clone(),
                    score,
                    lexical_rank: lexical_rank.map(|r| r + 1),
                    lexical_score: lexical_rank.map(|r| lexical[r].score),
                    semantic_rank: semantic_ids.iter().position(|&i| i == index).map(|r| r + 1),
                    cosine: query_vector
                        .as_ref()
                        .map_or(0.0, |q| self.store().cosine(index, q)),
                    matched_terms: LexicalIndex::matched_in(&units, &matches, index)
                        .map(|u| u.display.clone())
                        .collect(),
                }
            })
            .collect()
    }
}

/// The catalog's item vectors as [`embed_catalog`] computes them (in one pass, bit for bit the
/// same), computed by [`VectorStore::compute`] or, all that are left, by the first read: what a
/// loaded [`SearchIndex`] searches. Loading embeds none.
pub fn catalog_vectors_on_first_use(
    catalog: &Arc<Catalog>,
    embedder: &Arc<StaticEmbedder>,
) -> VectorStore {
    let source = catalog_source_fingerprint(catalog, embedder);
    let (catalog, embedder) = (catalog.clone(), embedder.clone());
    VectorStore::on_first_use(
        embedder.dims(),
        catalog.len(),
        source,
        move |range, each| {
            let variables = &catalog.variables()[range];
            embedder.embed_parts_each(variables.iter().map(search_text_parts), each);
        },
    )
}

/// A fingerprint of what the catalog's item vectors are computed from: the embedder's
/// ([`StaticEmbedder::fingerprint`]) and every variable's [`search_text_parts`]. A graph file
/// stores it, and a loaded index is checked against it without computing a vector.
pub fn catalog_source_fingerprint(catalog: &Catalog, embedder: &StaticEmbedder) -> u64 {
    let mut hash = Fingerprint::new();
    hash.write_u64(embedder.fingerprint());
    hash.write_u64(catalog.len() as u64);
    for v in catalog.variables() {
        let parts = search_text_parts(v);
        hash.write_u64(parts.len() as u64);
        for part in parts {
            hash.write_str(part);
        }
    }
    hash.finish()
}

/// Embeds every variable's [`search_text`](super::Variable::search_text) and quantises it.
///
/// The texts go to the embedder in parts ([`search_text_parts`]), so the label segments and
/// concepts that many variables share are tokenized and summed once: the vectors are exactly those
/// of embedding each `search_text`, several times faster.
pub fn embed_catalog(catalog: &Catalog, embedder: &StaticEmbedder) -> VectorStore {
    let mut store = VectorStore::with_capacity(embedder.dims(), catalog.len());
    embedder.embed_parts_each(catalog.variables().iter().map(search_text_parts), |v| {
        store.push(v)
    });
    store.with_source(catalog_source_fingerprint(catalog, embedder))
}

/// A variable's [`search_text`](super::Variable::search_text) as parts whose space-joined text
/// tokenizes the same (see [`StaticEmbedder::embed_parts_many`]): the label split at ` / ` into
/// its segments and the `/` between them, then `.` and the concept, then `.` and the description.
pub fn search_text_parts(v: &super::Variable) -> Vec<&str> {
    let mut parts = Vec::with_capacity(8);
    for (i, segment) in v.label.split(" / ").enumerate() {
        if i > 0 {
            parts.push("/");
        }
        parts.push(segment);
    }
    if !v.concept.is_empty() {
        parts.extend([".", v.concept.as_str()]);
    }
    if let Some(description) = &v.description {
        parts.extend([".", description.as_str()]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Variable;

    #[test]
    fn catalog_vectors_equal_embedding_each_search_text() {
        let vocab = "[PAD]\n[UNK]\n.\n/\nmale\n25\nto\n29\nyears\nsex\nby\nage\nu\ns\n##s\ncar\n";
        let rows = vocab.lines().count();
        let mut table = b"ABEMB001".to_vec();
        table.extend((rows as u32).to_le_bytes());
        table.extend(3u32.to_le_bytes());
        table.extend(1.0f32.to_le_bytes());
        // Distinct rows, so any token lost or added changes the vector.
        table.extend((0..rows * 3).map(|i| ((i * 37 % 251) as i32 - 125) as i8 as u8));
        let embedder = StaticEmbedder::from_bytes(vocab.as_bytes(), &table).unwrap();
        let variable = |label: &str, concept: &str, description: Option<&str>| Variable {
            code: format!("X{}", label.len() * 100 + concept.len()),
            label: label.into(),
            concept: concept.into(),
            description: description.map(String::from),
            table: "X".into(),
            kind: "demographic".into(),
            data_type: crate::DataType::Numeric,
            values: vec![],
            range: None,
            unit: None,
            source: String::new(),
            availability: vec![],
        };
        let catalog = Catalog::new(vec![
            variable("Male / 25 to 29 years", "Sex by age", None),
            variable("Male / 25 to 29 years / U.S.", "", Some("cars / age")),
            variable("Male/25 to 29 years ", "Sex by age.", Some("[UNK] car")),
            variable("zzz / ", "qqq", None),
        ])
        .unwrap();
        let store = embed_catalog(&catalog, &embedder);
        let direct: Vec<Option<Vec<f32>>> = catalog
            .variables()
            .iter()
            .map(|v| embedder.embed(&v.search_text()))
            .collect();
        assert_eq!(store, VectorStore::quantize(3, &direct));
        // Computed on first use, they are the same vectors from the same source.
        let on_first_use =
            catalog_vectors_on_first_use(&Arc::new(catalog.clone()), &Arc::new(embedder.clone()));
        assert_eq!(on_first_use, store);
        assert_eq!(on_first_use.source(), store.source());
        // A slice at a time, as the app fills the store, they are the same vectors too.
        let in_slices =
            catalog_vectors_on_first_use(&Arc::new(catalog.clone()), &Arc::new(embedder.clone()));
        in_slices.compute(1);
        in_slices.compute(3);
        assert_eq!(in_slices.computed(), 3);
        in_slices.compute(4);
        assert_eq!(in_slices.computed(), 4);
        assert_eq!(in_slices, store);
        assert_eq!(
            store.source(),
            Some(catalog_source_fingerprint(&catalog, &embedder))
        );
        // The source fingerprint changes with any variable's text and with the table.
        let mut edited = catalog.variables().to_vec();
        edited[3].concept = "qqr".into();
        let edited = Catalog::new(edited).unwrap();
        assert_ne!(
            catalog_source_fingerprint(&edited, &embedder),
            catalog_source_fingerprint(&catalog, &embedder)
        );
        let mut other_table = table.clone();
        *other_table.last_mut().unwrap() ^= 1;
        let other = StaticEmbedder::from_bytes(vocab.as_bytes(), &other_table).unwrap();
        assert_ne!(
            catalog_source_fingerprint(&catalog, &other),
            catalog_source_fingerprint(&catalog, &embedder)
        );
        assert_eq!(
            search_text_parts(&catalog.variables()[1]),
            vec![
                "Male",
                "/",
                "25 to 29 years",
                "/",
                "U.S.",
                ".",
                "cars / age"
            ]
        );
    }
}
