//! The audience-variable catalog and hybrid variable search.
//!
//! A request in plain words ("empty nesters", "high-income homeowners") is ranked against the
//! catalog two ways, and the rankings are fused:
//!
//! * **lexical** ([`lexical`]): BM25 over label, description, concept and table, with light
//!   stemming ([`analyze`]) and a marketing synonym lexicon kept as data ([`synonyms`]) that turns
//!   "millennials" into the age bands and "affluent" into the income brackets that express them;
//! * **semantic** ([`embed`], [`ann`]): the query is embedded with a static int8 token table
//!   distilled from all-MiniLM-L6-v2 (mean of WordPiece token rows, no network at query time) and
//!   matched by cosine against every variable's embedding, through an `instant-distance` HNSW
//!   graph built offline with a fixed seed;
//! * **hybrid** ([`hybrid`]): reciprocal-rank fusion, then at most two results per table family
//!   ahead of other tables, each hit with its score and the matched terms that explain it, and
//!   [`group_by_type`] for display;
//! * **concepts** ([`concept`]): whole-label and whole-concept matches re-scored up, copies of a
//!   table (profile, subject, race iterations) after it, and [`SearchIndex::search_concepts`]: one
//!   result per table, as a marketer thinks ("Tenure (B25003) · 3 variables").
//!
//! Everything loads from bytes ([`SearchAssets`]), so the browser fetches the artifacts and the CLI
//! embeds them. The user's own columns go through the same search ([`search_columns`]) and are
//! linked to catalog variables ([`SearchIndex::link_columns`]).
//!
//! # Features
//!
//! * `build`: builds HNSW graphs (`AnnIndex::build`, `AnnIndex::build_grouped`,
//!   `SearchIndex::build_graph`) with `instant-distance`, which brings rayon, rand 0.8 and getrandom
//!   0.2. Loading and searching a graph need none of it, so the app's worker leaves it off; the
//!   graph-building example (`catalog_index`) and the tests get it through the crate's
//!   dev-dependencies.
//!
//! ```
//! use std::sync::Arc;
//! use audience_search::{Catalog, Lexicon, SearchIndex, SearchOptions, StaticEmbedder};
//!
//! // A two-row embedding table ([PAD], [UNK]) and no words: only the lexical ranking has signal.
//! let mut table = b"ABEMB001".to_vec();
//! table.extend(2u32.to_le_bytes());
//! table.extend(1u32.to_le_bytes());
//! table.extend(1.0f32.to_le_bytes());
//! table.extend([0u8, 0]);
//! let embedder = Arc::new(StaticEmbedder::from_bytes(b"[PAD]\n[UNK]\n", &table)?);
//!
//! let catalog = Catalog::from_csv(
//!     "code,label,concept,type,data_type\n\
//!      B08301_003E,Car truck or van / Drove alone,Means of transportation to work,transportation,numeric\n\
//!      B25003_002E,Owner occupied,Tenure,housing,numeric\n",
//! )?;
//! let index = SearchIndex::new(catalog, embedder, Lexicon::default_lexicon(), None)?;
//! let hits = index.search("people who drive alone to work", &SearchOptions::default());
//! assert_eq!(hits[0].code, "B08301_003E");
//! assert!(hits[0].matched_terms.contains(&"drive alone → drove alone".to_string()));
//!
//! // Concepts: one result per table, its matching variables best first, the best pre-selected.
//! let concepts = index.search_concepts("homeowners", &SearchOptions::default());
//! // (this catalog has no table column: each variable is its own concept)
//! assert_eq!(concepts[0].title, "Tenure (B25003_002E) · 1 variable");
//! assert_eq!(concepts[0].selected_variables()[0].code, "B25003_002E");
//! # Ok::<(), audience_search::CatalogError>(())
//! ```

pub mod analyze;
pub mod ann;
pub mod columns;
pub mod concept;
pub mod embed;
mod error;
mod graph;
pub mod hybrid;
pub mod index;
pub mod lexical;
pub mod pack;
pub mod record;
pub mod synonyms;
pub mod wordpiece;

pub use ann::{AnnIndex, AnnParams, QueryVector, VectorStore};
pub use columns::{
    column_evidence, column_index, search_columns, ColumnDescription, ColumnDictionary, ColumnLink,
    DictionaryError,
};
pub use concept::{group_concepts, ConceptHit, ConceptPrior, TableKind};
pub use embed::StaticEmbedder;
pub use error::CatalogError;
pub use hybrid::{group_by_type, Fusion, SearchHit, SearchMode, TypeGroup};
pub use index::{
    catalog_source_fingerprint, catalog_vectors_on_first_use, embed_catalog, SearchAssets,
    SearchIndex, SearchOptions,
};
pub use record::{Catalog, DataKind, DataType, Variable};
pub use synonyms::Lexicon;
