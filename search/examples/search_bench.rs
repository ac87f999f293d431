//! Variable-search benchmark over the default catalog (run by `scripts/bench-search.sh`).
//!
//! ```text
//! cargo run --release -p audience-search --example search_bench -- catalog/dist catalog/bench/queries.json catalog/bench/queries-heldout.json catalog/bench/requests-tables.json
//! ```
//!
//! Prints: index load time; nDCG@10 of lexical-only, embedding-only and hybrid search on the
//! labelled query set; HNSW recall@10 against exact cosine; query latency p50/p95 (embedding
//! included).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use audience_search::{
    catalog_vectors_on_first_use, embed_catalog, pack, AnnIndex, Catalog, Fusion, Lexicon,
    SearchAssets, SearchIndex, SearchMode, SearchOptions, StaticEmbedder, Variable,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

#[derive(Deserialize)]
struct QuerySet {
    queries: Vec<Labelled>,
}

#[derive(Deserialize)]
struct Labelled {
    query: String,
    relevant: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    grade: u32,
    #[serde(default)]
    code_prefix: Vec<String>,
    #[serde(default)]
    tables: Vec<String>,
    #[serde(default)]
    label: Vec<String>,
    #[serde(default)]
    label_all: Vec<String>,
}

impl Rule {
    fn holds(&self, v: &Variable) -> bool {
        let label = v.label.to_lowercase();
        (self.code_prefix.is_empty()
            || self
                .code_prefix
                .iter()
                .any(|p| v.code.starts_with(p.as_str())))
            && (self.tables.is_empty()
                || self.tables.iter().any(|p| v.table.starts_with(p.as_str())))
            && (self.label.is_empty() || self.label.iter().any(|s| label.contains(s.as_str())))
            && self.label_all.iter().all(|s| label.contains(s.as_str()))
    }
}

fn grades(q: &Labelled, catalog: &Catalog) -> Vec<u32> {
    catalog
        .variables()
        .iter()
        .map(|v| {
            q.relevant
                .iter()
                .filter(|r| r.holds(v))
                .map(|r| r.grade)
                .max()
                .unwrap_or(0)
        })
        .collect()
}

fn ndcg_at_10(ranked: &[usize], grades: &[u32]) -> f64 {
    let gain = |g: u32| (2f64.powi(g as i32)) - 1.0;
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &d)| gain(grades[d]) / (i as f64 + 2.0).log2())
        .sum();
    let mut ideal: Vec<u32> = grades.iter().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| gain(g) / (i as f64 + 2.0).log2())
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

/// Requests judged at table level (catalog/bench/README.md).
#[derive(Deserialize)]
struct TableSet {
    queries: Vec<TableRequest>,
}

#[derive(Deserialize)]
struct TableRequest {
    query: String,
    half: String,
    tables: std::collections::BTreeMap<String, u32>,
}

impl TableRequest {
    /// The grade of `table` under the README's rule: listed grade; a race iteration (A–I) or
    /// Puerto Rico copy of a table graded 2–3 gets 1; everything else 0.
    fn grade(&self, table: &str) -> u32 {
        if let Some(&g) = self.tables.get(table) {
            return g;
        }
        let base = table
            .strip_suffix("PR")
            .or_else(|| {
                let last = table.chars().last()?;
                ('A'..='I')
                    .contains(&last)
                    .then(|| &table[..table.len() - 1])
            })
            .unwrap_or(table);
        if base != table && self.tables.get(base).is_some_and(|&g| g >= 2) {
            1
        } else {
            0
        }
    }

    /// Every graded table of `catalog` (listed and derived), for the ideal ranking.
    fn ideal(&self, tables: &[String]) -> Vec<u32> {
        let mut g: Vec<u32> = tables
            .iter()
            .map(|t| self.grade(t))
            .filter(|&g| g > 0)
            .collect();
        g.sort_unstable_by(|a, b| b.cmp(a));
        g
    }
}

/// Table-level nDCG@10 of a ranked list of tables: `strict` takes the first 10 entries (a table
/// seen before gains 0), otherwise the first 10 distinct tables.
fn table_ndcg(ranked: &[String], request: &TableRequest, ideal: &[u32], strict: bool) -> f64 {
    let gain = |g: u32| (2f64.powi(g as i32)) - 1.0;
    let mut seen = std::collections::HashSet::new();
    let mut gains = Vec::new();
    for t in ranked {
        let first = seen.insert(t.as_str());
        if strict {
            gains.push(if first { gain(request.grade(t)) } else { 0.0 });
        } else if first {
            gains.push(gain(request.grade(t)));
        }
        if gains.len() == 10 {
            break;
        }
    }
    let dcg: f64 = gains
        .iter()
        .enumerate()
        .map(|(i, g)| g / (i as f64 + 2.0).log2())
        .sum();
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| gain(g) / (i as f64 + 2.0).log2())
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

/// Prints table-level nDCG@10 (strict and fill) for every mode on both halves of `set`.
/// `BENCH_VERBOSE` adds per-request figures for the tuning half only (the held-out half is only
/// ever shown as a mean).
fn table_report(set: &TableSet, path: &str, index: &SearchIndex, plain: &SearchIndex) {
    let mut tables: Vec<String> = index
        .catalog()
        .variables()
        .iter()
        .map(|v| v.table.clone())
        .collect();
    tables.dedup();
    tables.sort();
    tables.dedup();
    let ideals: Vec<Vec<u32>> = set.queries.iter().map(|q| q.ideal(&tables)).collect();
    let mut base = SearchOptions::default();
    if let Some(p) = std::env::var("BENCH_LEXICAL_PERCENT")
        .ok()
        .and_then(|k| k.parse().ok())
    {
        base.fusion = Fusion::Score { lexical_percent: p };
    }
    let modes: Vec<(&str, &SearchIndex, SearchMode, bool)> = vec![
        ("plain BM25", plain, SearchMode::Lexical, false),
        ("BM25 + lexicon", index, SearchMode::Lexical, false),
        ("embedding", index, SearchMode::Semantic, false),
        ("hybrid (default)", index, SearchMode::Hybrid, false),
        ("plain BM25, concepts", plain, SearchMode::Lexical, true),
        ("BM25 + lexicon, concepts", index, SearchMode::Lexical, true),
        ("embedding, concepts", index, SearchMode::Semantic, true),
        (
            "hybrid, concepts (`search_concepts`: CLI, assistant)",
            index,
            SearchMode::Hybrid,
            true,
        ),
    ];
    let n_tuning = set.queries.iter().filter(|q| q.half == "tuning").count();
    println!(
        "\n## Table-level nDCG@10 on {} marketer requests ({path}; {n_tuning} tuning, {} held out; rule in catalog/bench/README.md)",
        set.queries.len(),
        set.queries.len() - n_tuning
    );
    println!("| mode | tuning strict | tuning fill | held-out strict | held-out fill |\n|---|---|---|---|---|");
    let verbose = std::env::var_os("BENCH_VERBOSE").is_some();
    let mut per_query: Vec<(String, Vec<f64>)> = Vec::new();
    for (name, idx, mode, concepts) in modes {
        let options = SearchOptions {
            mode,
            top: if concepts { 10 } else { 50 },
            ..base
        };
        let mut sums = [[0.0f64; 2]; 2];
        let mut counts = [0usize; 2];
        for (qi, (q, ideal)) in set.queries.iter().zip(&ideals).enumerate() {
            let ranked: Vec<String> = if concepts {
                idx.search_concepts(&q.query, &options)
                    .into_iter()
                    .map(|c| c.table)
                    .collect()
            } else {
                idx.search(&q.query, &options)
                    .into_iter()
                    .map(|h| h.table)
                    .collect()
            };
            let half = usize::from(q.half != "tuning");
            let strict = table_ndcg(&ranked, q, ideal, true);
            sums[half][0] += strict;
            sums[half][1] += table_ndcg(&ranked, q, ideal, false);
            counts[half] += 1;
            if verbose && half == 0 {
                if per_query.len() <= qi {
                    per_query.resize(qi + 1, (q.query.clone(), Vec::new()));
                }
                per_query[qi].1.push(strict);
            }
        }
        let m = |h: usize, k: usize| sums[h][k] / counts[h].max(1) as f64;
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} |",
            m(0, 0),
            m(0, 1),
            m(1, 0),
            m(1, 1)
        );
    }
    if verbose {
        println!("\n| tuning request | plain BM25 | BM25 + lexicon | embedding | hybrid | plain, concepts | lexicon, concepts | embedding, concepts | hybrid, concepts |\n|---|---|---|---|---|---|---|---|---|");
        for (q, scores) in per_query.iter().filter(|(_, s)| !s.is_empty()) {
            let cells: Vec<String> = scores.iter().map(|s| format!("{s:.2}")).collect();
            println!("| {q} | {} |", cells.join(" | "));
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "catalog/dist".into()));
    let queries_path = args
        .next()
        .unwrap_or_else(|| "catalog/bench/queries.json".into());
    let read = |name: &str| std::fs::read(dir.join(name));
    let (jsonl, packed, vocab, table, graph) = (
        read("catalog.jsonl")?,
        read("catalog.bin")?,
        read("embed/vocab.txt")?,
        read("embed/table.i8")?,
        read("hnsw.bin")?,
    );
    let set: QuerySet = serde_json::from_slice(&std::fs::read(&queries_path)?)?;

    // Load, step by step, as the browser does after the assets arrive.
    let t = Instant::now();
    let (catalog, lexical) = pack::unpack(&packed, Lexicon::default_lexicon())?;
    let t_unpack = t.elapsed();
    drop(lexical);
    let t = Instant::now();
    let embedder = Arc::new(StaticEmbedder::from_bytes(&vocab, &table)?);
    let t_embedder = t.elapsed();
    let t = Instant::now();
    std::hint::black_box(embed_catalog(&catalog, &embedder));
    let t_embed = t.elapsed();
    let t = Instant::now();
    let catalog = Arc::new(catalog);
    let store = Arc::new(catalog_vectors_on_first_use(&catalog, &embedder));
    let t_source = t.elapsed();
    let t = Instant::now();
    let ann = AnnIndex::from_bytes(&graph, store)?;
    let t_graph = t.elapsed();
    drop(ann);
    // The whole load from the packed catalog (what the app and the CLI do), and from the JSON
    // Lines source (parsing and analysing the text).
    let t = Instant::now();
    let index = SearchIndex::from_bytes(&SearchAssets {
        catalog: &packed,
        vocab: &vocab,
        table: &table,
        graph: Some(&graph),
    })?;
    let t_total = t.elapsed();
    let t = Instant::now();
    let from_jsonl = SearchIndex::from_bytes(&SearchAssets {
        catalog: &jsonl,
        vocab: &vocab,
        table: &table,
        graph: Some(&graph),
    })?;
    let t_jsonl = t.elapsed();
    assert_eq!(
        from_jsonl.catalog(),
        index.catalog(),
        "catalog.bin holds catalog.jsonl"
    );
    drop(from_jsonl);
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!("## Index load (native, release)");
    println!("| step | ms |\n|---|---|");
    println!(
        "| unpack catalog.bin ({} variables + lexical index) | {:.0} |",
        index.catalog().len(),
        ms(t_unpack)
    );
    println!("| load embedding table | {:.0} |", ms(t_embedder));
    println!(
        "| item vectors, computed on first use (source fingerprint only) | {:.0} |",
        ms(t_source)
    );
    println!(
        "| read HNSW graph (header, groups, links) | {:.0} |",
        ms(t_graph)
    );
    println!(
        "| (not in the load: embed all variables at once, as the graph build does) | {:.0} |",
        ms(t_embed)
    );
    println!(
        "| total (`SearchIndex::from_bytes`, catalog.bin) | {:.0} |",
        ms(t_total)
    );
    println!(
        "| total from catalog.jsonl instead (parse + analyse text) | {:.0} |",
        ms(t_jsonl)
    );

    let plain = SearchIndex::new(
        index.catalog().clone(),
        index.embedder().clone(),
        Lexicon::default(),
        Some(&graph),
    )?;
    relevance_report(
        &set,
        "labelled queries (tuning half: even-numbered; held out: odd-numbered)",
        &index,
        &plain,
        true,
    );
    if let Some(path) = args.next() {
        let held_out: QuerySet = serde_json::from_slice(&std::fs::read(&path)?)?;
        relevance_report(
            &held_out,
            &format!("held-out queries ({path}: written before the 2026-11-21 lexicon and diversification changes, never tuned on)"),
            &index,
            &plain,
            false,
        );
    }
    if let Some(path) = args.next() {
        let requests: TableSet = serde_json::from_slice(&std::fs::read(&path)?)?;
        table_report(&requests, &path, &index, &plain);
    }

    // HNSW recall@10 against exact cosine: the labelled queries plus 2,000 seeded variable labels.
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let vars = index.catalog().variables();
    let mut probes: Vec<String> = set.queries.iter().map(|q| q.query.clone()).collect();
    probes.extend((0..2000).map(|_| vars[rng.random_range(0..vars.len())].label.clone()));
    let vectors: Vec<_> = probes
        .iter()
        .filter_map(|p| index.query_vector(p))
        .collect();
    // The labelled queries come first (those with a known word: all of them).
    let labelled = set
        .queries
        .iter()
        .filter(|q| index.query_vector(&q.query).is_some())
        .count();
    let exact: Vec<Vec<(usize, f32)>> =
        vectors.iter().map(|q| index.nearest(q, 10, true)).collect();
    let recall = |approx: &dyn Fn(&audience_search::QueryVector) -> Vec<(usize, f32)>,
                  range: std::ops::Range<usize>| {
        let (mut found, mut total) = (0usize, 0usize);
        for (q, e) in vectors[range.clone()].iter().zip(&exact[range]) {
            let a = approx(q);
            found += e.iter().filter(|e| a.iter().any(|a| a.0 == e.0)).count();
            total += e.len();
        }
        (found, total)
    };
    let (found, total) = recall(&|q| index.nearest(q, 10, false), 0..vectors.len());
    println!(
        "\n## HNSW recall@10 vs exact cosine: {:.4} ({found}/{total}, {} probe queries: the {labelled} labelled queries and 2,000 seeded variable labels)",
        found as f64 / total as f64,
        vectors.len()
    );
    let (found, total) = recall(&|q| index.nearest(q, 10, false), 0..labelled);
    println!(
        "labelled queries alone: {:.4} ({found}/{total})",
        found as f64 / total as f64
    );
    if std::env::var_os("BENCH_EF").is_some() {
        println!("\n| ef_search (groups) | recall@10 | p50 µs | p95 µs |\n|---|---|---|---|");
        for ef in [32, 64, 96, 128, 192, 256, 384, 512] {
            let ann = AnnIndex::from_bytes_with_ef(&graph, index.store().clone(), ef)?;
            let (found, total) = recall(&|q| ann.search(q, 10), 0..vectors.len());
            let mut times: Vec<f64> = vectors
                .iter()
                .map(|q| {
                    let t = Instant::now();
                    std::hint::black_box(ann.search(q, 10));
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!(
                "| {ef} | {:.4} | {:.0} | {:.0} |",
                found as f64 / total as f64,
                percentile(&times, 0.5),
                percentile(&times, 0.95)
            );
        }
    }

    // Latency, embedding included.
    println!(
        "\n## Query latency (native, release, one thread; {} queries × 20 rounds)",
        set.queries.len()
    );
    println!("| mode | p50 µs | p95 µs |\n|---|---|---|");
    for (name, mode) in [
        ("lexical", SearchMode::Lexical),
        ("embedding (HNSW)", SearchMode::Semantic),
        ("hybrid", SearchMode::Hybrid),
    ] {
        let options = SearchOptions {
            mode,
            ..SearchOptions::default()
        };
        let mut times = Vec::new();
        for _ in 0..20 {
            for q in &set.queries {
                let t = Instant::now();
                std::hint::black_box(index.search(&q.query, &options));
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {name} | {:.0} | {:.0} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
    let mut times = Vec::new();
    for _ in 0..20 {
        for q in &set.queries {
            let t = Instant::now();
            std::hint::black_box(index.search_concepts(&q.query, &SearchOptions::default()));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "| hybrid, concepts (`search_concepts`, 10 tables) | {:.0} | {:.0} |",
        percentile(&times, 0.5),
        percentile(&times, 0.95)
    );
    Ok(())
}

/// Prints nDCG@10 for plain BM25, BM25 + lexicon, embedding only and both hybrids on `set`
/// (`halves`: also the even-numbered tuning half and the odd-numbered held-out half, and the
/// fusion-weight sweep with `BENCH_SWEEP`); `BENCH_VERBOSE` adds the per-query table.
fn relevance_report(
    set: &QuerySet,
    title: &str,
    index: &SearchIndex,
    plain: &SearchIndex,
    halves: bool,
) {
    // Relevance: every query, the even-numbered ones (used to choose the fusion weight) and the
    // odd-numbered ones (held out).
    let all_grades: Vec<Vec<u32>> = set
        .queries
        .iter()
        .map(|q| grades(q, index.catalog()))
        .collect();
    let evaluate = |index: &SearchIndex, options: &SearchOptions| -> Vec<f64> {
        set.queries
            .iter()
            .zip(&all_grades)
            .map(|(q, g)| {
                let ranked: Vec<usize> = index
                    .search(&q.query, options)
                    .iter()
                    .map(|h| h.index)
                    .collect();
                ndcg_at_10(&ranked, g)
            })
            .collect()
    };
    let mean = |scores: &[f64], part: Option<usize>| {
        let picked: Vec<f64> = scores
            .iter()
            .enumerate()
            .filter(|(i, _)| part.is_none_or(|p| i % 2 == p))
            .map(|(_, &s)| s)
            .collect();
        picked.iter().sum::<f64>() / picked.len() as f64
    };
    let hybrid_default = SearchOptions::default();
    let mut hybrid_options = hybrid_default;
    if let Some(p) = std::env::var("BENCH_LEXICAL_PERCENT")
        .ok()
        .and_then(|k| k.parse().ok())
    {
        hybrid_options.fusion = Fusion::Score { lexical_percent: p };
    }
    let rows: Vec<(&str, &SearchIndex, SearchOptions)> = vec![
        (
            "lexical only, plain BM25 (no synonym lexicon)",
            plain,
            SearchOptions {
                mode: SearchMode::Lexical,
                ..hybrid_default
            },
        ),
        (
            "lexical only (BM25 + synonym lexicon)",
            index,
            SearchOptions {
                mode: SearchMode::Lexical,
                ..hybrid_default
            },
        ),
        (
            "embedding only (HNSW)",
            index,
            SearchOptions {
                mode: SearchMode::Semantic,
                ..hybrid_default
            },
        ),
        (
            "hybrid, reciprocal-rank fusion (k 60)",
            index,
            SearchOptions {
                fusion: Fusion::Rrf,
                ..hybrid_default
            },
        ),
        ("hybrid, score fusion (default)", index, hybrid_options),
    ];
    println!("\n## nDCG@10 on {} {title}", set.queries.len());
    if halves {
        println!("| mode | all | tuning half | held-out half |\n|---|---|---|---|");
    } else {
        println!("| mode | all |\n|---|---|");
    }
    let mut per_query: Vec<Vec<f64>> = Vec::new();
    for (name, idx, options) in &rows {
        let scores = evaluate(idx, options);
        if halves {
            println!(
                "| {name} | {:.3} | {:.3} | {:.3} |",
                mean(&scores, None),
                mean(&scores, Some(0)),
                mean(&scores, Some(1))
            );
        } else {
            println!("| {name} | {:.3} |", mean(&scores, None));
        }
        per_query.push(scores);
    }
    for (baseline, b) in [("BM25 + synonym lexicon", 1), ("plain BM25", 0)] {
        let all = mean(&per_query[4], None) / mean(&per_query[b], None);
        if halves {
            println!(
                "\nhybrid (score fusion) / {baseline} = {all:.2}× (all), {:.2}× (held-out half)",
                mean(&per_query[4], Some(1)) / mean(&per_query[b], Some(1))
            );
        } else {
            println!("\nhybrid (score fusion) / {baseline} = {all:.2}×");
        }
    }
    if halves && std::env::var_os("BENCH_SWEEP").is_some() {
        println!("\n| lexical weight % | all | tuning half | held-out half |\n|---|---|---|---|");
        for p in (0..=100).step_by(10) {
            let scores = evaluate(
                index,
                &SearchOptions {
                    fusion: Fusion::Score { lexical_percent: p },
                    ..hybrid_default
                },
            );
            println!(
                "| {p} | {:.3} | {:.3} | {:.3} |",
                mean(&scores, None),
                mean(&scores, Some(0)),
                mean(&scores, Some(1))
            );
        }
    }
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        println!("\n| query | plain BM25 | lexical | embedding | hybrid RRF | hybrid score |\n|---|---|---|---|---|---|");
        for (i, q) in set.queries.iter().enumerate() {
            println!(
                "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                q.query,
                per_query[0][i],
                per_query[1][i],
                per_query[2][i],
                per_query[3][i],
                per_query[4][i]
            );
        }
    }
}
