//! BM25 over label, description, concept and table, with phrase terms from the synonym lexicon.
//!
//! Each variable is one document with weighted fields (BM25F-style: a term's frequency is the sum
//! of its field weights). Query words become single-term units with weight 1; each synonym
//! expansion becomes a phrase unit with weight [`EXPANSION_WEIGHT`] that matches only where its
//! terms occur consecutively within one field, scored like a term whose document frequency is the
//! number of documents containing the phrase.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::analyze::{for_each_term, for_each_word};
use super::record::Variable;
use super::synonyms::Lexicon;

/// BM25 term-frequency saturation.
pub const K1: f32 = 1.2;
/// BM25 length normalisation.
pub const B: f32 = 0.75;
/// Weight of a synonym-lexicon phrase relative to a word the user typed.
pub const EXPANSION_WEIGHT: f32 = 0.6;

/// Analysed words that carry no meaning in a request ("who came through referrals"), dropped
/// from queries only (the catalog's text keeps them; sorted for binary search).
pub const QUERY_STOP_WORDS: &[&str] = &[
    "came", "come", "find", "get", "give", "list", "show", "target", "these", "this", "through",
    "via", "want", "what", "which",
];

/// A query word forms a compound with its neighbour when the two-word phrase occurs in the
/// catalog and the word alone occurs in more than this many times as many documents.
pub const COMPOUND_RATIO: usize = 4;

/// Field weights: label, description, concept, table and code.
const FIELD_WEIGHTS: [f32; 4] = [1.0, 0.6, 0.4, 1.0];
pub(crate) const FIELD_BITS: u32 = 30;
pub(crate) const TERM_MASK: u32 = (1 << FIELD_BITS) - 1;

/// A part of an analysed query.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryUnit {
    /// What to show when this unit matches: the user's word, or `trigger → phrase`.
    pub display: String,
    /// Analysed terms (one for a word, several for a phrase).
    pub terms: Vec<String>,
    /// Weight of the unit's BM25 score.
    pub weight: f32,
    /// The lexicon trigger that added this unit (`None` for the user's own words).
    pub trigger: Option<String>,
    /// A word that forms a compound with its neighbours in the query ("decision makers": the
    /// phrase occurs in the catalog) matches only documents holding one of these neighbours, so a
    /// fragment never matches on its own ("makers" alone does not reach "Tool and die makers").
    /// Empty: no constraint.
    pub context: Vec<String>,
}

/// The lexical index over a catalog.
#[derive(Clone, Debug)]
pub struct LexicalIndex {
    term_ids: FxHashMap<String, u32>,
    /// Per term: (document, weighted term frequency), documents ascending.
    postings: Vec<Vec<(u32, f32)>>,
    /// Concatenated per-document sequences of `field << 30 | term` (for phrases and explanations).
    sequence: Vec<u32>,
    offsets: Vec<u32>,
    doc_len: Vec<f32>,
    avg_len: f32,
    lexicon: Lexicon,
}

/// One lexical match.
#[derive(Clone, Debug, PartialEq)]
pub struct LexicalHit {
    /// Index of the variable in the catalog.
    pub index: usize,
    /// BM25 score.
    pub score: f32,
}

impl LexicalIndex {
    /// Indexes the variables with a synonym lexicon.
    ///
    /// Field texts that many variables share (a table's concept, a label segment such as
    /// `25 to 29 years`: the analyser splits at the ` / ` between segments anyway) are analysed
    /// once and their term ids reused.
    pub fn build(variables: &[Variable], lexicon: Lexicon) -> Self {
        let mut term_ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut sequence = Vec::new();
        let mut offsets = Vec::with_capacity(variables.len() + 1);
        offsets.push(0u32);
        let mut analysed: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        let intern = |text: &str, term_ids: &mut FxHashMap<String, u32>| -> Vec<u32> {
            let mut ids = Vec::new();
            for_each_term(text, |term| {
                let next = term_ids.len() as u32;
                ids.push(*term_ids.entry(term).or_insert(next));
            });
            ids
        };
        for v in variables {
            let code = intern(&v.code, &mut term_ids);
            let add = |field: u32, ids: &[u32], sequence: &mut Vec<u32>| {
                sequence.extend(ids.iter().map(|&id| field << FIELD_BITS | id));
            };
            for segment in v.label.split(" / ") {
                let ids = analysed
                    .entry(segment)
                    .or_insert_with(|| intern(segment, &mut term_ids));
                add(0, ids, &mut sequence);
            }
            if let Some(description) = v.description.as_deref() {
                let ids = analysed
                    .entry(description)
                    .or_insert_with(|| intern(description, &mut term_ids));
                add(1, ids, &mut sequence);
            }
            let concept = v.concept.as_str();
            let ids = analysed
                .entry(concept)
                .or_insert_with(|| intern(concept, &mut term_ids));
            add(2, ids, &mut sequence);
            add(3, &code, &mut sequence);
            for table in [v.table.as_str(), v.table_family()] {
                let ids = analysed
                    .entry(table)
                    .or_insert_with(|| intern(table, &mut term_ids));
                add(3, ids, &mut sequence);
            }
            offsets.push(sequence.len() as u32);
        }
        Self::from_sequence(term_ids, sequence, offsets, lexicon)
    }

    /// The index from its analysed documents: term ids, and each document's sequence of
    /// `field << 30 | term` (document `d`'s is `sequence[offsets[d]..offsets[d + 1]]`). Postings
    /// and lengths are derived here, in text order, so an index read back from
    /// [`LexicalIndex::sequence`] scores exactly as the one built.
    fn from_sequence(
        term_ids: FxHashMap<String, u32>,
        sequence: Vec<u32>,
        offsets: Vec<u32>,
        lexicon: Lexicon,
    ) -> Self {
        let docs = offsets.len().saturating_sub(1);
        // Sized in one counting pass (a term repeated within a document counts twice: a bound).
        let mut counts = vec![0u32; term_ids.len()];
        for &s in &sequence {
            counts[(s & TERM_MASK) as usize] += 1;
        }
        let mut postings: Vec<Vec<(u32, f32)>> = counts
            .iter()
            .map(|&c| Vec::with_capacity(c as usize))
            .collect();
        let mut doc_len = Vec::with_capacity(docs);
        let mut tf: Vec<(u32, f32)> = Vec::new();
        for doc in 0..docs {
            let terms = &sequence[offsets[doc] as usize..offsets[doc + 1] as usize];
            doc_len.push(post_document(doc as u32, terms, &mut tf, &mut postings));
        }
        let avg_len = doc_len.iter().sum::<f32>() / doc_len.len().max(1) as f32;
        Self {
            term_ids,
            postings,
            sequence,
            offsets,
            doc_len,
            avg_len: avg_len.max(1e-6),
            lexicon,
        }
    }

    /// The analysed documents (for the packed catalog, [`super::pack`]): the terms in id order,
    /// the concatenated sequences of `field << 30 | term` and each document's end offset.
    pub(crate) fn sequence(&self) -> (Vec<&str>, &[u32], &[u32]) {
        let mut terms = vec![""; self.term_ids.len()];
        for (term, &id) in &self.term_ids {
            terms[id as usize] = term;
        }
        (terms, &self.sequence, &self.offsets[1..])
    }

    /// Reads back [`LexicalIndex::sequence`]'s parts (already checked: every term id below
    /// `terms.len()`, every field below 4, `ends` ascending within `sequence`).
    pub(crate) fn from_parts(
        terms: Vec<String>,
        sequence: Vec<u32>,
        ends: &[u32],
        lexicon: Lexicon,
    ) -> Self {
        let term_ids = terms
            .into_iter()
            .enumerate()
            .map(|(id, t)| (t, id as u32))
            .collect();
        let mut offsets = Vec::with_capacity(ends.len() + 1);
        offsets.push(0);
        offsets.extend_from_slice(ends);
        Self::from_sequence(term_ids, sequence, offsets, lexicon)
    }

    /// The term ids of document `doc`'s field `field` (0 label, 1 description, 2 concept, 3
    /// table and code), in text order.
    pub fn field_terms(&self, doc: usize, field: u32) -> impl Iterator<Item = u32> + '_ {
        self.sequence[self.offsets[doc] as usize..self.offsets[doc + 1] as usize]
            .iter()
            .filter(move |&&s| s >> FIELD_BITS == field)
            .map(|&s| s & TERM_MASK)
    }

    /// The id of an analysed term, if the catalog has it.
    pub fn term_id(&self, term: &str) -> Option<u32> {
        self.term_ids.get(term).copied()
    }

    /// Number of documents holding term `id`.
    pub fn document_frequency(&self, id: u32) -> usize {
        self.postings.get(id as usize).map_or(0, Vec::len)
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.doc_len.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.doc_len.is_empty()
    }

    /// Analyses a query into units: each distinct word, then each lexicon expansion.
    ///
    /// Filler words of requests ("who came through referrals") are dropped ([`QUERY_STOP_WORDS`]);
    /// two neighbouring words that occur together as a phrase in the catalog form a compound, and
    /// each then matches only next to the other ([`QueryUnit::context`]).
    #[inline(never)]
    pub fn analyze(&self, query: &str) -> Vec<QueryUnit> {
        let mut units: Vec<QueryUnit> = Vec::new();
        let mut all_terms = Vec::new();
        for_each_word(query, |word, term| {
            if QUERY_STOP_WORDS
                .binary_search(&word.to_lowercase().as_str())
                .is_ok()
            {
                return;
            }
            all_terms.push(term.clone());
            if !units
                .iter()
                .any(|u| u.terms.len() == 1 && u.terms[0] == term)
            {
                units.push(QueryUnit {
                    display: word.to_lowercase(),
                    terms: vec![term],
                    weight: 1.0,
                    trigger: None,
                    context: Vec::new(),
                });
            }
        });
        for pair in all_terms.windows(2) {
            let numeric = |t: &str| t.bytes().any(|b| b.is_ascii_digit());
            if pair[0] == pair[1] || numeric(&pair[0]) || numeric(&pair[1]) {
                continue;
            }
            let Some(ids) = self.ids(pair) else { continue };
            let phrase_df = self.unit_matches(&ids).len();
            if phrase_df == 0 {
                continue;
            }
            for (i, (word, neighbour)) in [(&pair[0], &pair[1]), (&pair[1], &pair[0])]
                .into_iter()
                .enumerate()
            {
                // Only a word whose occurrences are mostly elsewhere is a fragment here.
                if phrase_df * COMPOUND_RATIO > self.postings[ids[i] as usize].len() {
                    continue;
                }
                if let Some(u) = units
                    .iter_mut()
                    .find(|u| u.trigger.is_none() && &u.terms[0] == word)
                {
                    if !u.context.contains(neighbour) {
                        u.context.push(neighbour.clone());
                    }
                }
            }
        }
        // "senior" as a rank ("senior decision makers") does not fire the age entry ("seniors").
        if !super::synonyms::senior_means_age(query) {
            for term in all_terms.iter_mut().filter(|t| t.as_str() == "senior") {
                term.push_str(" (rank)");
            }
        }
        for e in self.lexicon.expand(&all_terms) {
            if units.iter().any(|u| u.terms == e.terms) {
                continue;
            }
            units.push(QueryUnit {
                display: format!("{} → {}", e.trigger, e.phrase),
                terms: e.terms,
                weight: EXPANSION_WEIGHT,
                trigger: Some(e.trigger),
                context: Vec::new(),
            });
        }
        units
    }

    /// The `limit` best documents for the analysed query, best first (ties by catalog order).
    pub fn search(&self, units: &[QueryUnit], limit: usize) -> Vec<LexicalHit> {
        let matches = self.match_units(units);
        self.rank(units, &matches, |_| true, limit)
    }

    /// The documents each unit matches, with their weighted frequency (documents ascending):
    /// computed once per query and shared by [`LexicalIndex::rank`] and
    /// [`LexicalIndex::matched_in`].
    /// A single word's matches are its postings, borrowed; a phrase's are computed.
    #[inline(never)]
    pub fn match_units(&self, units: &[QueryUnit]) -> Vec<Cow<'_, [(u32, f32)]>> {
        units
            .iter()
            .map(|unit| match self.ids(&unit.terms) {
                Some(ids) if unit.context.is_empty() => self.unit_matches(&ids),
                Some(ids) => {
                    let neighbours: Vec<&[(u32, f32)]> = unit
                        .context
                        .iter()
                        .filter_map(|t| self.term_ids.get(t))
                        .map(|&id| self.postings[id as usize].as_slice())
                        .collect();
                    self.unit_matches(&ids)
                        .iter()
                        .copied()
                        .filter(|(doc, _)| {
                            neighbours
                                .iter()
                                .any(|p| p.binary_search_by_key(doc, |e| e.0).is_ok())
                        })
                        .collect::<Vec<_>>()
                        .into()
                }
                None => Cow::Borrowed(&[][..]),
            })
            .collect()
    }

    /// BM25 ranking of the units `select` keeps, from their [`LexicalIndex::match_units`]: the
    /// `limit` best documents, best first (ties by catalog order).
    #[inline(never)]
    pub fn rank(
        &self,
        units: &[QueryUnit],
        matches: &[impl AsRef<[(u32, f32)]>],
        select: impl Fn(&QueryUnit) -> bool,
        limit: usize,
    ) -> Vec<LexicalHit> {
        let n = self.len();
        let mut scores = vec![0.0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        for (unit, matches) in units.iter().zip(matches) {
            let matches = matches.as_ref();
            if matches.is_empty() || !select(unit) {
                continue;
            }
            let df = matches.len() as f32;
            let idf = (1.0 + (n as f32 - df + 0.5) / (df + 0.5)).ln();
            for &(doc, tf) in matches {
                let norm = K1 * (1.0 - B + B * self.doc_len[doc as usize] / self.avg_len);
                let score = &mut scores[doc as usize];
                if *score == 0.0 {
                    touched.push(doc);
                }
                *score += unit.weight * idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        let mut hits: Vec<LexicalHit> = touched
            .into_iter()
            .map(|doc| LexicalHit {
                index: doc as usize,
                score: scores[doc as usize],
            })
            .filter(|h| h.score > 0.0)
            .collect();
        let by_score = |a: &LexicalHit, b: &LexicalHit| {
            b.score.total_cmp(&a.score).then(a.index.cmp(&b.index))
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, by_score);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(by_score);
        hits
    }

    /// The units that match document `index`, from their [`LexicalIndex::match_units`].
    pub fn matched_in<'u, M: AsRef<[(u32, f32)]>>(
        units: &'u [QueryUnit],
        matches: &'u [M],
        index: usize,
    ) -> impl Iterator<Item = &'u QueryUnit> + 'u {
        units
            .iter()
            .zip(matches)
            .filter(move |(_, m)| {
                m.as_ref()
                    .binary_search_by_key(&(index as u32), |e| e.0)
                    .is_ok()
            })
            .map(|(u, _)| u)
    }

    /// The displays of the units that match document `index` (for explanations).
    pub fn matched(&self, units: &[QueryUnit], index: usize) -> Vec<String> {
        self.matched_units(units, index)
            .map(|u| u.display.clone())
            .collect()
    }

    /// The units that match document `index`.
    pub fn matched_units<'u>(
        &'u self,
        units: &'u [QueryUnit],
        index: usize,
    ) -> impl Iterator<Item = &'u QueryUnit> + 'u {
        units.iter().filter(move |u| {
            self.ids(&u.terms)
                .is_some_and(|ids| self.phrase_tf(index, &ids) > 0.0)
                && (u.context.is_empty()
                    || u.context.iter().any(|t| {
                        self.term_ids.get(t).is_some_and(|&id| {
                            self.postings[id as usize]
                                .binary_search_by_key(&(index as u32), |e| e.0)
                                .is_ok()
                        })
                    }))
        })
    }

    fn ids(&self, terms: &[String]) -> Option<Vec<u32>> {
        terms
            .iter()
            .map(|t| self.term_ids.get(t).copied())
            .collect()
    }

    /// (document, weighted frequency) of a term or phrase.
    fn unit_matches(&self, ids: &[u32]) -> Cow<'_, [(u32, f32)]> {
        if ids.len() == 1 {
            return Cow::Borrowed(&self.postings[ids[0] as usize]);
        }
        let rarest = ids
            .iter()
            .min_by_key(|&&t| self.postings[t as usize].len())
            .expect("phrases have terms");
        self.postings[*rarest as usize]
            .iter()
            .filter_map(|&(doc, _)| {
                let tf = self.phrase_tf(doc as usize, ids);
                (tf > 0.0).then_some((doc, tf))
            })
            .collect::<Vec<_>>()
            .into()
    }

    /// Weighted count of the consecutive occurrences of `ids` within one field of a document.
    fn phrase_tf(&self, doc: usize, ids: &[u32]) -> f32 {
        let seq = &self.sequence[self.offsets[doc] as usize..self.offsets[doc + 1] as usize];
        if ids.len() > seq.len() {
            return 0.0;
        }
        seq.windows(ids.len())
            .filter(|w| {
                let field = w[0] >> FIELD_BITS;
                w.iter()
                    .zip(ids)
                    .all(|(&s, &t)| s & TERM_MASK == t && s >> FIELD_BITS == field)
            })
            .map(|w| FIELD_WEIGHTS[(w[0] >> FIELD_BITS) as usize])
            .sum()
    }
}

/// Adds document `doc`'s postings, one per distinct term with its summed field weights, from its analysed
/// `terms` (`field << FIELD_BITS | term`; `tf` is scratch), and returns its weighted length. A function of
/// its own, not inlined into the loop over the documents: a browser's wasm engine optimises a function once
/// it has run for a while, but only from its next call on, so the loop's work must be in calls.
#[inline(never)]
fn post_document(
    doc: u32,
    terms: &[u32],
    tf: &mut Vec<(u32, f32)>,
    postings: &mut [Vec<(u32, f32)>],
) -> f32 {
    tf.clear();
    let mut len = 0.0f32;
    for &s in terms {
        let weight = FIELD_WEIGHTS[(s >> FIELD_BITS) as usize];
        tf.push((s & TERM_MASK, weight));
        len += weight;
    }
    // Stable: a term's weights add up in text order, as they always have.
    tf.sort_by_key(|e| e.0);
    let mut i = 0;
    while i < tf.len() {
        let (term, mut f) = tf[i];
        i += 1;
        while i < tf.len() && tf[i].0 == term {
            f += tf[i].1;
            i += 1;
        }
        postings[term as usize].push((doc, f));
    }
    len
}

#[cfg(test)]
mod tests {
    use super::super::record::{Catalog, DataType};
    use super::*;

    fn variable(code: &str, label: &str, concept: &str) -> Variable {
        Variable {
            code: code.into(),
            label: label.into(),
            concept: concept.into(),
            description: None,
            table: code.split('_').next().unwrap().into(),
            kind: "demographic".into(),
            data_type: DataType::Numeric,
            values: vec![],
            range: None,
            unit: None,
            source: String::new(),
            availability: vec![],
        }
    }

    fn fixture() -> Vec<Variable> {
        let vars = vec![
            variable("B01001_011E", "Male / 25 to 29 years", "Sex by age"),
            variable("B19001_005E", "$25,000 to $29,999", "Household income"),
            variable(
                "B08301_003E",
                "Car, truck, or van / Drove alone",
                "Means of transportation to work",
            ),
            variable(
                "B08301_010E",
                "Public transportation",
                "Means of transportation to work",
            ),
        ];
        Catalog::new(vars).unwrap().variables().to_vec()
    }

    #[test]
    fn bm25_matches_a_hand_computed_score() {
        let vars = fixture();
        let index = LexicalIndex::build(&vars, Lexicon::default());
        let units = index.analyze("public");
        let hits = index.search(&units, 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].index, 3);
        // df = 1 of n = 4: idf = ln(1 + 3.5 / 1.5); tf = 1 (label).
        let idf = (1.0f32 + 3.5 / 1.5).ln();
        let len = index.doc_len[3];
        let norm = K1 * (1.0 - B + B * len / index.avg_len);
        let expected = idf * 1.0 * (K1 + 1.0) / (1.0 + norm);
        assert!(
            (hits[0].score - expected).abs() < 1e-5,
            "{} vs {expected}",
            hits[0].score
        );
        // Label "public transportation" (2 × 1.0), concept "mean transportation work" (3 × 0.4),
        // code, table and family "b08301 010e b08301 b08301" (4 × 1.0).
        assert!((len - (2.0 + 3.0 * 0.4 + 4.0)).abs() < 1e-5, "{len}");
    }

    #[test]
    fn phrases_match_only_consecutive_terms_in_one_field() {
        let vars = fixture();
        let lexicon =
            Lexicon::parse("millennials => 25 to 29 years\nsolo drivers => drove alone").unwrap();
        let index = LexicalIndex::build(&vars, lexicon);
        let units = index.analyze("millennials");
        assert_eq!(units.len(), 2);
        let hits = index.search(&units, 10);
        // "$25,000 to $29,999" has 25 and 29 but not consecutively with "years".
        assert_eq!(hits.iter().map(|h| h.index).collect::<Vec<_>>(), vec![0]);
        assert_eq!(
            index.matched(&units, 0),
            vec!["millennials → 25 to 29 years"]
        );
        let hits = index.search(&index.analyze("solo drivers"), 10);
        assert_eq!(hits[0].index, 2);
    }

    #[test]
    fn senior_as_a_rank_does_not_fire_the_age_entry_but_senior_citizens_do() {
        let vars = fixture();
        let lexicon = Lexicon::parse("seniors; elderly => 65 years and over").unwrap();
        let index = LexicalIndex::build(&vars, lexicon);
        let fires = |query: &str| {
            index
                .analyze(query)
                .iter()
                .any(|u| u.trigger.as_deref() == Some("seniors"))
        };
        assert!(!fires("senior decision makers in tech companies"));
        assert!(!fires("senior engineers"));
        assert!(fires("senior citizens who travel"));
        assert!(fires("seniors living alone"));
        assert!(fires("senior retirees over 65"));
        // The word itself still matches on its own, as the user wrote it.
        assert!(index
            .analyze("senior decision makers")
            .iter()
            .any(|u| u.trigger.is_none() && u.terms == ["senior"]));
    }

    #[test]
    fn ranking_prefers_rare_words_and_shorter_documents() {
        let vars = fixture();
        let index = LexicalIndex::build(&vars, Lexicon::default());
        let hits = index.search(&index.analyze("transportation to work car"), 10);
        assert_eq!(hits.iter().map(|h| h.index).collect::<Vec<_>>(), vec![2, 3]);
        let hits = index.search(&index.analyze("means"), 1);
        assert_eq!(hits.len(), 1);
        assert_eq!(
            hits[0].index, 3,
            "equal frequency: the shorter document wins"
        );
        assert!(index.search(&index.analyze("zebra"), 10).is_empty());
    }
}
