//! Reciprocal-rank fusion of the lexical and semantic rankings, diversification across tables, and
//! grouping of results by type.

use std::collections::HashMap;

use serde::Serialize;

/// The default RRF constant: a document at rank r (1-based) in a list earns 1 / (k + r). The
/// customary 60; on the benchmark k = 20, 5 and 1 scored the same or worse.
pub const RRF_K: u32 = 60;

/// How the hybrid search combines the lexical and the semantic evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fusion {
    /// Reciprocal-rank fusion of the ranked lists (constant [`SearchOptions::rrf_k`](super::SearchOptions)).
    Rrf,
    /// Weighted sum of normalised scores ([`score_fusion`]): the BM25 score over the query's best
    /// BM25 score, and the cosine rescaled between the semantic candidates' last (0) and first (1).
    Score {
        /// Weight of the lexical score in percent (capped at 100); the cosine gets the rest.
        lexical_percent: u32,
    },
}

/// The default lexical weight of [`Fusion::Score`] in percent, chosen on the even-numbered
/// benchmark queries (the odd-numbered ones are held out; `scripts/bench-search.sh` reports both
/// halves).
pub const LEXICAL_PERCENT: u32 = 80;

/// Fuses by normalised scores: each candidate's `lexical_weight × lexical + (1 − lexical_weight) ×
/// semantic`, where `lexical` is in [0, 1] (already normalised by the caller) and `semantic` is
/// the cosine rescaled so the best semantic candidate's cosine is 1 and `cosine_floor` is 0
/// (clamped at 0). Best first; ties by index.
#[inline(never)]
pub fn score_fusion(
    candidates: &[(usize, f32, f32)],
    cosine_floor: f32,
    cosine_best: f32,
    lexical_weight: f32,
) -> Vec<(usize, f32)> {
    let span = cosine_best - cosine_floor;
    let mut out: Vec<(usize, f32)> = candidates
        .iter()
        .map(|&(index, lexical, cosine)| {
            let semantic = if span > 0.0 {
                ((cosine - cosine_floor) / span).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (
                index,
                lexical_weight * lexical + (1.0 - lexical_weight) * semantic,
            )
        })
        .collect();
    out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// Which rankings a search uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// BM25 with the synonym lexicon only.
    Lexical,
    /// Embedding similarity only.
    Semantic,
    /// Both, fused by reciprocal rank.
    #[default]
    Hybrid,
}

/// One ranked variable (or column), with the evidence that put it there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    /// Index of the variable in the catalog (or of the column in the column list).
    pub index: usize,
    /// Variable code (or column name).
    pub code: String,
    /// Readable label.
    pub label: String,
    /// Type used for grouping.
    #[serde(rename = "type")]
    pub kind: String,
    /// Table or group.
    pub table: String,
    /// Fused score: the sum over the rankings used of 1 / (k + rank), k = [`SearchOptions::rrf_k`](super::SearchOptions).
    pub score: f32,
    /// 1-based rank in the lexical ranking, if the variable was in its candidates.
    pub lexical_rank: Option<usize>,
    /// BM25 score, if matched lexically.
    pub lexical_score: Option<f32>,
    /// 1-based rank in the semantic ranking, if the variable was in its candidates.
    pub semantic_rank: Option<usize>,
    /// Cosine similarity between the query and the variable's text embedding (always computed).
    pub cosine: f32,
    /// The query words and synonym expansions found in the variable's text.
    pub matched_terms: Vec<String>,
}

/// Results of one type, in rank order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeGroup<'a> {
    /// The type.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// Its hits, best first.
    pub hits: Vec<&'a SearchHit>,
}

/// Fuses ranked candidate lists (each best first, items by index) into (index, score) pairs, best
/// first; ties by the earlier best rank, then by index.
#[inline(never)]
pub fn reciprocal_rank_fusion(lists: &[&[usize]], k: u32) -> Vec<(usize, f32)> {
    let mut fused: rustc_hash::FxHashMap<usize, (f32, usize)> = Default::default();
    for list in lists {
        for (rank, &index) in list.iter().enumerate() {
            let entry = fused.entry(index).or_insert((0.0, usize::MAX));
            entry.0 += 1.0 / (k as f32 + rank as f32 + 1.0);
            entry.1 = entry.1.min(rank);
        }
    }
    let mut out: Vec<(usize, f32, usize)> =
        fused.into_iter().map(|(i, (s, r))| (i, s, r)).collect();
    out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(i, s, _)| (i, s)).collect()
}

/// Reorders a ranking so that no table family has more than `max_per_table` entries ahead of
/// another family's first entries: entries over the cap are moved, in order, after all the others.
/// `max_per_table == 0` disables the cap.
pub fn diversify<'a, T>(
    ranked: Vec<T>,
    family: impl Fn(&T) -> &'a str,
    max_per_table: usize,
) -> Vec<T> {
    if max_per_table == 0 {
        return ranked;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    let (mut kept, mut deferred) = (Vec::with_capacity(ranked.len()), Vec::new());
    for item in ranked {
        let count = counts.entry(family(&item).to_string()).or_insert(0);
        *count += 1;
        if *count <= max_per_table {
            kept.push(item);
        } else {
            deferred.push(item);
        }
    }
    kept.extend(deferred);
    kept
}

/// Like [`diversify`] with several keys per entry: an entry is moved back when any of its keys
/// already has `cap` entries kept ahead of it. `cap == 0` disables it. Only the first `limit`
/// entries of the result are wanted: the pass stops (and computes no more keys) once `limit`
/// entries are kept, and those are the first `limit` of the full reordering.
pub fn diversify_keys<T>(
    ranked: Vec<T>,
    keys: impl Fn(&T) -> Vec<String>,
    cap: usize,
    limit: usize,
) -> Vec<T> {
    if cap == 0 {
        return ranked;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    let (mut kept, mut deferred) = (Vec::with_capacity(limit.min(ranked.len())), Vec::new());
    for item in ranked {
        if kept.len() >= limit {
            break;
        }
        let keys = keys(&item);
        if keys
            .iter()
            .any(|k| counts.get(k).is_some_and(|&n| n >= cap))
        {
            deferred.push(item);
        } else {
            keys.into_iter()
                .for_each(|k| *counts.entry(k).or_insert(0) += 1);
            kept.push(item);
        }
    }
    kept.extend(deferred);
    kept
}

/// Groups hits by type, groups ordered by their best hit.
pub fn group_by_type(hits: &[SearchHit]) -> Vec<TypeGroup<'_>> {
    let mut groups: Vec<TypeGroup<'_>> = Vec::new();
    for hit in hits {
        match groups.iter_mut().find(|g| g.kind == hit.kind) {
            Some(group) => group.hits.push(hit),
            None => groups.push(TypeGroup {
                kind: &hit.kind,
                hits: vec![hit],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrf_rewards_agreement_between_lists() {
        // 7 is 2nd in both lists (2/62); 1 and 9 are first in one list only (1/61 each, tie
        // broken by index); 3 and 4 are third in one list (1/63).
        let fused = reciprocal_rank_fusion(&[&[1, 7, 3], &[9, 7, 4]], 60);
        assert_eq!(fused[0].0, 7);
        assert!((fused[0].1 - 2.0 / 62.0).abs() < 1e-7);
        assert!((fused[1].1 - 1.0 / 61.0).abs() < 1e-7);
        assert_eq!(
            fused.iter().map(|f| f.0).collect::<Vec<_>>(),
            vec![7, 1, 9, 3, 4]
        );
        // Agreement at lower ranks can beat a single first place: 1/61 + 1/63 > 2/62.
        let fused = reciprocal_rank_fusion(&[&[1, 7, 3], &[9, 7, 1]], 60);
        assert_eq!(fused[0].0, 1);
    }

    #[test]
    fn score_fusion_weighs_normalised_scores() {
        // Cosines rescaled between 0.2 (0) and 0.6 (1): 0.6 → 1, 0.4 → 0.5, 0.1 → 0 (clamped).
        let candidates = [(3, 1.0, 0.1), (5, 0.0, 0.6), (7, 0.5, 0.4)];
        let fused = score_fusion(&candidates, 0.2, 0.6, 0.5);
        // All three score 0.5 (1 and 0, 0 and 1, 0.5 and 0.5): ties by index.
        assert_eq!(fused.iter().map(|f| f.0).collect::<Vec<_>>(), vec![3, 5, 7]);
        assert!(fused.iter().all(|f| (f.1 - 0.5).abs() < 1e-6), "{fused:?}");
        let lexical_heavy = score_fusion(&candidates, 0.2, 0.6, 0.8);
        assert_eq!(
            lexical_heavy.iter().map(|f| f.0).collect::<Vec<_>>(),
            vec![3, 7, 5]
        );
        assert!((lexical_heavy[0].1 - 0.8).abs() < 1e-6);
        assert!((lexical_heavy[1].1 - (0.4 + 0.1)).abs() < 1e-6);
        // No spread in the cosines: the lexical score alone decides.
        let flat = score_fusion(&candidates, 0.6, 0.6, 0.5);
        assert_eq!(flat.iter().map(|f| f.0).collect::<Vec<_>>(), vec![3, 7, 5]);
    }

    #[test]
    fn diversify_caps_each_table_and_keeps_order() {
        let ranked = vec![("A", 1), ("A", 2), ("A", 3), ("B", 4), ("A", 5), ("C", 6)];
        let out = diversify(ranked.clone(), |x| x.0, 2);
        assert_eq!(
            out.iter().map(|x| x.1).collect::<Vec<_>>(),
            vec![1, 2, 4, 6, 3, 5]
        );
        assert_eq!(diversify(ranked.clone(), |x| x.0, 0), ranked);
    }

    #[test]
    fn diversify_keys_caps_every_key() {
        let ranked = vec![
            (1, "t1", "urban"),
            (2, "t2", "urban"),
            (3, "t3", "urban"),
            (4, "t1", "age"),
            (5, "t1", "age"),
        ];
        let keys = |x: &(i32, &str, &str)| vec![x.1.to_string(), x.2.to_string()];
        let out = diversify_keys(ranked.clone(), keys, 2, usize::MAX);
        // 3 is a third "urban", 5 a third "t1": both move back, in order.
        assert_eq!(
            out.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![1, 2, 4, 3, 5]
        );
        // Asking for the first 2 stops there; asking for 3 gives the full pass's first 3, with
        // the one deferred entry seen so far after them.
        let out = diversify_keys(ranked.clone(), keys, 2, 2);
        assert_eq!(out.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2]);
        let out = diversify_keys(ranked, keys, 2, 3);
        assert_eq!(
            out.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![1, 2, 4, 3]
        );
    }

    #[test]
    fn groups_follow_best_hit_order() {
        let hit = |index, kind: &str| SearchHit {
            index,
            code: index.to_string(),
            label: String::new(),
            kind: kind.into(),
            table: String::new(),
            score: 0.0,
            lexical_rank: None,
            lexical_score: None,
            semantic_rank: None,
            cosine: 0.0,
            matched_terms: vec![],
        };
        let hits = vec![hit(0, "financial"), hit(1, "housing"), hit(2, "financial")];
        let groups = group_by_type(&hits);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].kind, "financial");
        assert_eq!(
            groups[0].hits.iter().map(|h| h.index).collect::<Vec<_>>(),
            vec![0, 2]
        );
        assert_eq!(groups[1].kind, "housing");
    }
}
