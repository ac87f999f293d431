//! Tables as concepts: what a marketer thinks in ("Household income (B19001) · 16 brackets").
//!
//! [`ConceptPrior`] knows every table of the catalog: its concept's terms, its size, its total
//! variable, and whether it is a copy of another table (a race iteration `B19013A`, a Puerto Rico
//! table `…PR`, a data-profile `DP…` or subject `S…` table that repeats detailed-table figures).
//! The search uses it twice:
//!
//! * to re-score variables ([`ConceptPrior::rescore`]): a variable whose whole label the request
//!   covers, in a table whose whole concept the request names, outranks a partial match inside a
//!   long label; copies rank after the table they copy; when the request names a table's concept,
//!   its total or median (`…_001E`) comes first;
//! * to group results into concepts ([`SearchIndex::search_concepts`](crate::SearchIndex::search_concepts)):
//!   one result per table, its matching variables (best first) to expand, the best ones
//!   pre-selected, and sibling tables whose best variable is the same collapsed into it.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::analyze::for_each_term;
use crate::hybrid::SearchHit;
use crate::lexical::{LexicalIndex, QueryUnit};
use crate::record::Variable;

/// How a table relates to the detailed table it may copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A detailed table (`B`, `C`) or an authored one: the concept itself.
    Base,
    /// A race or ethnicity iteration (`B19013A` … `B19013I`) or a Puerto Rico table (`…PR`).
    Iteration,
    /// A data-profile (`DP02`…) or subject (`S1901`…) table, which repeats detailed figures.
    Profile,
}

impl TableKind {
    /// The kind of the table named `table` (`family`: the table without its iteration suffix).
    pub fn of(table: &str, family: &str) -> Self {
        let b = table.as_bytes();
        if table.starts_with("DP")
            || (b.len() >= 5 && b[0] == b'S' && b[1..5].iter().all(u8::is_ascii_digit))
        {
            TableKind::Profile
        } else if table != family {
            TableKind::Iteration
        } else {
            TableKind::Base
        }
    }

    /// The factor a copy's scores are multiplied by, so it ranks after the table it copies.
    fn factor(self) -> f32 {
        match self {
            TableKind::Base => 1.0,
            TableKind::Iteration => ITERATION_FACTOR,
            TableKind::Profile => PROFILE_FACTOR,
        }
    }
}

/// Score factor of race iterations and Puerto Rico tables.
pub const ITERATION_FACTOR: f32 = 0.5;
/// Score factor of data-profile and subject tables.
pub const PROFILE_FACTOR: f32 = 0.3;
/// Weight of a variable's label coverage (the share of its label the request covers).
pub const LABEL_WEIGHT: f32 = 0.5;
/// Weight of a table's concept coverage (the share of its concept the request names).
pub const CONCEPT_WEIGHT: f32 = 1.0;
/// A request names a table's concept when it covers at least this share of the concept.
pub const NAMES_CONCEPT: f32 = 0.6;

/// A concept's variables scoring at least this share of its best one are pre-selected.
pub const PRESELECT_SHARE: f32 = 0.85;

/// One table of the catalog.
#[derive(Clone, Debug)]
struct Table {
    name: String,
    kind: TableKind,
    /// Catalog index of the table's first variable (its total or median for census tables).
    first: usize,
    count: usize,
    /// Distinct concept term ids.
    concept_terms: Vec<u32>,
}

/// Per-table knowledge for concept-level ranking (see the module docs).
#[derive(Clone, Debug)]
pub struct ConceptPrior {
    tables: Vec<Table>,
    /// Table of each variable.
    table_of: Vec<u32>,
    /// Inverse table frequency of concept terms (over tables), for weighting.
    concept_idf: FxHashMap<u32, f32>,
    /// Inverse document frequency of terms (over variables), for label weighting.
    n_docs: f32,
    /// Number of terms in each variable's label (saturating).
    label_len: Vec<u8>,
}

/// The request's words and expansions as term ids, for coverage.
pub(crate) struct QueryTerms {
    words: FxHashSet<u32>,
    all: FxHashSet<u32>,
    /// Number of the user's own (distinct, known) words.
    n_words: usize,
}

impl QueryTerms {
    pub(crate) fn new(units: &[QueryUnit], lexical: &LexicalIndex) -> Self {
        let mut words = FxHashSet::default();
        let mut all = FxHashSet::default();
        let mut n_words = 0;
        for u in units {
            let ids: Vec<u32> = u.terms.iter().filter_map(|t| lexical.term_id(t)).collect();
            if u.trigger.is_none() {
                n_words += 1;
                words.extend(ids.iter().copied());
            }
            all.extend(ids);
        }
        Self {
            words,
            all,
            n_words,
        }
    }
}

impl ConceptPrior {
    /// Learns the tables of `variables` (indexed by `lexical`).
    pub fn new(variables: &[Variable], lexical: &LexicalIndex) -> Self {
        let mut tables: Vec<Table> = Vec::new();
        let mut by_name: FxHashMap<&str, u32> = FxHashMap::default();
        let mut table_of = Vec::with_capacity(variables.len());
        for (i, v) in variables.iter().enumerate() {
            let t = *by_name.entry(table_key(v)).or_insert_with(|| {
                let mut concept_terms: Vec<u32> = Vec::new();
                for_each_term(&concept_head(&v.concept), |t| {
                    concept_terms.extend(lexical.term_id(&t));
                });
                concept_terms.sort_unstable();
                concept_terms.dedup();
                tables.push(Table {
                    name: table_key(v).to_string(),
                    kind: TableKind::of(&v.table, v.table_family()),
                    first: i,
                    count: 0,
                    concept_terms,
                });
                (tables.len() - 1) as u32
            });
            tables[t as usize].count += 1;
            table_of.push(t);
        }
        let mut df: FxHashMap<u32, usize> = FxHashMap::default();
        for t in &tables {
            for &c in &t.concept_terms {
                *df.entry(c).or_insert(0) += 1;
            }
        }
        let n = tables.len() as f32;
        let concept_idf = df
            .into_iter()
            .map(|(t, d)| (t, (1.0 + n / d as f32).ln()))
            .collect();
        let label_len = (0..variables.len())
            .map(|i| lexical.field_terms(i, 0).count().min(255) as u8)
            .collect();
        Self {
            tables,
            table_of,
            concept_idf,
            n_docs: variables.len().max(1) as f32,
            label_len,
        }
    }

    /// Whether the tables of variables `a` and `b` are siblings: the same size, and concepts
    /// sharing at least half their terms (the male, female and full-time copies of an occupation
    /// table).
    pub fn siblings(&self, a: usize, b: usize) -> bool {
        let (ta, tb) = (
            &self.tables[self.table_of[a] as usize],
            &self.tables[self.table_of[b] as usize],
        );
        if ta.count != tb.count {
            return false;
        }
        let shared = ta
            .concept_terms
            .iter()
            .filter(|t| tb.concept_terms.contains(t))
            .count();
        let union = ta.concept_terms.len() + tb.concept_terms.len() - shared;
        union > 0 && 2 * shared >= union
    }

    /// The table name of variable `index`.
    pub fn table_name(&self, index: usize) -> &str {
        &self.tables[self.table_of[index] as usize].name
    }

    /// Number of variables in variable `index`'s table.
    pub fn table_size(&self, index: usize) -> usize {
        self.tables[self.table_of[index] as usize].count
    }

    /// The kind of variable `index`'s table.
    pub fn table_kind(&self, index: usize) -> TableKind {
        self.tables[self.table_of[index] as usize].kind
    }

    /// Catalog index of the first variable (the total) of variable `index`'s table.
    pub fn table_first(&self, index: usize) -> usize {
        self.tables[self.table_of[index] as usize].first
    }

    /// Share of the table's concept (weighted by rarity across tables) that the request's own
    /// words name, and the share of the request's words found in the concept.
    pub(crate) fn concept_cover(&self, index: usize, q: &QueryTerms) -> (f32, f32) {
        let table = &self.tables[self.table_of[index] as usize];
        let (mut hit, mut total, mut found) = (0.0, 0.0, 0usize);
        for &t in &table.concept_terms {
            let w = self.concept_idf.get(&t).copied().unwrap_or(0.0);
            total += w;
            if q.words.contains(&t) {
                hit += w;
                found += 1;
            }
        }
        let concept = if total > 0.0 { hit / total } else { 0.0 };
        (concept, found as f32 / q.n_words.max(1) as f32)
    }

    /// Share of variable `index`'s label (weighted by rarity) covered by the request's words and
    /// expansions.
    pub(crate) fn label_cover(&self, index: usize, q: &QueryTerms, lexical: &LexicalIndex) -> f32 {
        let (mut hit, mut total) = (0.0, 0.0);
        let mut seen = FxHashSet::default();
        for t in lexical.field_terms(index, 0) {
            if !seen.insert(t) {
                continue;
            }
            let df = lexical.document_frequency(t).max(1) as f32;
            let w = (1.0 + self.n_docs / df).ln();
            total += w;
            if q.all.contains(&t) {
                hit += w;
            }
        }
        if total > 0.0 {
            hit / total
        } else {
            0.0
        }
    }

    /// The first variable (total or median) of every base table whose concept the request names
    /// (at least [`NAMES_CONCEPT`] of the concept, and of the request's words), best first: the
    /// lexical and semantic rankings may miss a table whose variables' labels are brackets.
    #[inline(never)]
    pub(crate) fn named_tables(&self, q: &QueryTerms, limit: usize) -> Vec<(usize, f32)> {
        let mut out: Vec<(usize, f32)> = self
            .tables
            .iter()
            .filter(|t| t.kind == TableKind::Base)
            .filter_map(|t| {
                let (concept, words) = self.concept_cover(t.first, q);
                (concept >= NAMES_CONCEPT && words >= NAMES_CONCEPT)
                    .then_some((t.first, concept * words))
            })
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        out
    }

    /// Variables whose whole label is one unit of the request ("Owner occupied" for the expansion
    /// "owner occupied" of "homeowners"), at most `per_unit` per unit, base tables and then small
    /// tables first (a small table is about that label), with the unit's weight.
    #[inline(never)]
    pub(crate) fn whole_labels(
        &self,
        units: &[QueryUnit],
        matches: &[impl AsRef<[(u32, f32)]>],
        lexical: &LexicalIndex,
        per_unit: usize,
    ) -> Vec<(usize, f32)> {
        let mut out = Vec::new();
        for (unit, m) in units.iter().zip(matches) {
            if unit.terms.len() < 2 {
                continue;
            }
            let Some(ids) = unit
                .terms
                .iter()
                .map(|t| lexical.term_id(t))
                .collect::<Option<Vec<u32>>>()
            else {
                continue;
            };
            let mut found: Vec<usize> = m
                .as_ref()
                .iter()
                .map(|&(doc, _)| doc as usize)
                .filter(|&doc| {
                    self.label_len[doc] as usize == ids.len()
                        && lexical.field_terms(doc, 0).eq(ids.iter().copied())
                })
                .collect();
            found.sort_by_key(|&doc| {
                let t = &self.tables[self.table_of[doc] as usize];
                (t.kind != TableKind::Base, t.count, doc)
            });
            out.extend(found.into_iter().take(per_unit).map(|d| (d, unit.weight)));
        }
        out
    }

    /// Re-scores fused candidates (see the module docs); best first, ties by index.
    #[inline(never)]
    pub(crate) fn rescore(
        &self,
        fused: Vec<(usize, f32)>,
        q: &QueryTerms,
        lexical: &LexicalIndex,
    ) -> Vec<(usize, f32)> {
        let top = fused.iter().map(|f| f.1).fold(0.0f32, f32::max);
        let mut out: Vec<(usize, f32)> = fused
            .into_iter()
            .map(|(index, score)| {
                let (concept, words) = self.concept_cover(index, q);
                let names = concept >= NAMES_CONCEPT && words > 0.0;
                let total = names && self.table_first(index) == index;
                let label = if total {
                    1.0
                } else {
                    self.label_cover(index, q, lexical)
                };
                // The total of a table whose concept the request names is that request's answer
                // however long its label: it starts level with the best candidate.
                let score = if total {
                    score.max(top * concept * words)
                } else {
                    score
                };
                let boost = 1.0 + LABEL_WEIGHT * label + CONCEPT_WEIGHT * concept * words;
                (index, score * boost * self.table_kind(index).factor())
            })
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// The part of a concept that says what it measures: without parenthesised qualifiers ("(in 2019
/// inflation-adjusted dollars)") and the reference period and place every census table shares
/// ("in the past 12 months", "in the united states").
pub fn concept_head(concept: &str) -> String {
    let mut out = String::with_capacity(concept.len());
    let mut depth = 0usize;
    for c in concept.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let mut lower = out.to_lowercase();
    for filler in [
        "in the past 12 months",
        "in the last 12 months",
        "in the united states",
    ] {
        lower = lower.replace(filler, " ");
    }
    lower
}

/// One concept (table) in the results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConceptHit {
    /// The one-line title ([`ConceptHit::title`]), for display and serialization.
    pub title: String,
    /// The table (`B19001`, `AB_INT`).
    pub table: String,
    /// The table's concept ("Household income in the past 12 months …").
    pub concept: String,
    /// Type used for grouping.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the table copies another (race iteration, profile or subject table).
    pub table_kind: TableKind,
    /// Number of variables in the table.
    pub size: usize,
    /// Score of the concept (its best variable's).
    pub score: f32,
    /// The table's variables that matched, best first: what the result expands to.
    pub variables: Vec<SearchHit>,
    /// How many of [`ConceptHit::variables`] (the first ones) are pre-selected.
    pub selected: usize,
    /// Sibling tables collapsed into this result because their best variable has the same label.
    pub also_in: Vec<String>,
}

impl ConceptHit {
    /// The one-line title: "Household income in the past 12 months (B19001) · 17 variables".
    pub fn title(&self) -> String {
        concept_title(&self.concept, &self.table, self.size)
    }

    /// The pre-selected variables.
    pub fn selected_variables(&self) -> &[SearchHit] {
        &self.variables[..self.selected.min(self.variables.len())]
    }
}

/// The table a variable belongs to for grouping: its `table`, or its own code when the catalog
/// gives none (a user catalog without a table column: every variable is its own concept).
fn table_key(v: &Variable) -> &str {
    if v.table.trim().is_empty() {
        &v.code
    } else {
        &v.table
    }
}

fn concept_title(concept: &str, table: &str, size: usize) -> String {
    let unit = if size == 1 { "variable" } else { "variables" };
    format!("{concept} ({table}) · {size} {unit}")
}

/// Groups ranked variable hits into concepts: one per table in order of the table's best hit,
/// at most `top`; a table whose best variable has the label of an earlier concept's best variable
/// (a sibling table: the same occupation in the male, female and full-time tables) joins that
/// concept's `also_in`. `preselect`: how many of each concept's hits are pre-selected.
pub fn group_concepts(
    hits: Vec<SearchHit>,
    prior: &ConceptPrior,
    variables: &[Variable],
    top: usize,
    preselect: usize,
) -> Vec<ConceptHit> {
    let mut out: Vec<ConceptHit> = Vec::new();
    let mut slot: FxHashMap<String, Option<usize>> = FxHashMap::default();
    for hit in hits {
        let table = prior.table_name(hit.index).to_string();
        match slot.get(&table) {
            Some(Some(i)) => {
                if out[*i].table == table {
                    out[*i].variables.push(hit);
                }
                continue;
            }
            Some(None) => continue,
            None => {}
        }
        let label = hit.label.to_lowercase();
        if let Some(i) = out.iter().position(|c| {
            c.variables.first().is_some_and(|b| {
                b.label.to_lowercase() == label && prior.siblings(b.index, hit.index)
            })
        }) {
            out[i].also_in.push(table.clone());
            slot.insert(table.clone(), Some(i));
            continue;
        }
        if out.len() == top {
            slot.insert(table.clone(), None);
            continue;
        }
        let v = &variables[hit.index];
        slot.insert(table.clone(), Some(out.len()));
        out.push(ConceptHit {
            title: concept_title(&v.concept, &table, prior.table_size(hit.index)),
            table: table.clone(),
            concept: v.concept.clone(),
            kind: v.kind.clone(),
            table_kind: prior.table_kind(hit.index),
            size: prior.table_size(hit.index),
            score: hit.score,
            variables: vec![hit],
            selected: 0,
            also_in: Vec::new(),
        });
    }
    for c in &mut out {
        let best = c.variables[0].score;
        c.selected = c
            .variables
            .iter()
            .take(preselect.max(1))
            .take_while(|h| h.score >= PRESELECT_SHARE * best)
            .count()
            .max(1);
    }
    out
}
