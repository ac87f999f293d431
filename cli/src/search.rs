//! `audience search "QUERY" [--top 10] [--catalog FILE] [--json] [--variables]`: the catalog's
//! concepts (tables) for a plain-language request, each with its matching variables and the best
//! ones pre-selected (`--variables`: the ranked variables instead, grouped by type).
//!
//! The default catalog, its embedding table and its HNSW graph are compiled into the binary from
//! `catalog/dist/`, so the command works from a fresh clone. `--catalog FILE` searches a user
//! catalog (JSON Lines or CSV, format in catalog/README.md) with exact vector search instead.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::output::{self, Failure};

use audience_engine::retrieve::Manifest;
use audience_search::{
    group_by_type, SearchAssets, SearchHit, SearchIndex, SearchMode, SearchOptions,
};

const CATALOG: &[u8] = include_bytes!("../../catalog/dist/catalog.bin");
const VOCAB: &[u8] = include_bytes!("../../catalog/dist/embed/vocab.txt");
const TABLE: &[u8] = include_bytes!("../../catalog/dist/embed/table.i8");
const GRAPH: &[u8] = include_bytes!("../../catalog/dist/hnsw.bin");

/// Arguments of `audience search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// What you are looking for, in plain words, e.g. "high-income homeowners".
    pub query: String,
    /// Number of concepts (tables) to show, or of variables with --variables.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// List ranked variables (grouped by type) instead of concepts.
    #[arg(long)]
    pub variables: bool,
    /// Search this catalog (JSON Lines or CSV) instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Print JSON (hits in rank order, with their evidence) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Ranking: hybrid (default), lexical or semantic.
    #[arg(long, value_enum, default_value_t = Mode::Hybrid)]
    pub mode: Mode,
}

/// Ranking choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Lexical and embedding rankings fused.
    Hybrid,
    /// BM25 with the synonym lexicon only.
    Lexical,
    /// Embedding similarity only.
    Semantic,
}

/// Runs `audience search`.
pub fn run(args: SearchArgs) -> Result<(), Failure> {
    if args.query.trim().is_empty() {
        return Err(
            "the search is empty: say in plain words what you are looking for, \
             e.g. audience search \"high-income homeowners\""
                .into(),
        );
    }
    if args.top == 0 {
        return Err("--top 0 would show no variables: use --top 1 or more (10 by default)".into());
    }
    let user_catalog = match &args.catalog {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            format!(
                "cannot read the catalog {}: {e}; check the path given to --catalog",
                path.display()
            )
        })?),
        None => None,
    };
    let assets = SearchAssets {
        catalog: user_catalog.as_deref().unwrap_or(CATALOG),
        vocab: VOCAB,
        table: TABLE,
        graph: if user_catalog.is_some() {
            None
        } else {
            Some(GRAPH)
        },
    };
    let index = SearchIndex::from_bytes(&assets).map_err(|e| match &args.catalog {
        Some(path) => format!("{}: {e}", path.display()),
        None => e.to_string(),
    })?;
    let options = SearchOptions {
        top: args.top,
        mode: match args.mode {
            Mode::Hybrid => SearchMode::Hybrid,
            Mode::Lexical => SearchMode::Lexical,
            Mode::Semantic => SearchMode::Semantic,
        },
        ..SearchOptions::default()
    };
    if !args.variables {
        return print_concepts(&args, &index, &options);
    }
    let hits = index.search(&args.query, &options);
    // Variables `audience enrich` can add from a ZIP code column.
    let census = crate::census::manifest();
    let mut text = String::new();
    if args.json {
        let out = serde_json::json!({
            "query": args.query,
            "catalog_variables": index.catalog().len(),
            "options": options,
            "hits": hits,
            "retrievable_by_zip": hits.iter().map(|h| &h.code).filter(|c| census.is_retrievable(c)).collect::<Vec<_>>(),
        });
        let _ = writeln!(
            text,
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
        return output::print(&text);
    }
    if hits.is_empty() {
        let _ = writeln!(text, "No variable matches {:?}.", args.query);
        return output::print(&text);
    }
    let _ = writeln!(
        text,
        "{} variables for {:?} (of {}):",
        hits.len(),
        args.query,
        index.catalog().len()
    );
    for group in group_by_type(&hits) {
        let _ = writeln!(text, "\n{}", group.kind.to_uppercase());
        for h in group.hits {
            let rank = hits.iter().position(|x| x.index == h.index).unwrap_or(0) + 1;
            let (why, census_mark) = (match_reason(h), census_mark(&census, &h.code));
            let _ = writeln!(
                text,
                "  {rank:>3}. {:<16} {:.4}  {}{census_mark}\n       {}",
                h.code, h.score, h.label, why
            );
        }
    }
    output::print(&text)
}

/// Why a variable matched: the request's words it holds, or its meaning's cosine when none.
fn match_reason(hit: &SearchHit) -> String {
    if hit.matched_terms.is_empty() {
        format!("similar meaning (cosine {:.2})", hit.cosine)
    } else {
        format!("matched: {}", hit.matched_terms.join(", "))
    }
}

/// The marker of a variable `audience enrich` can add by ZIP code (empty for the others).
fn census_mark(census: &Manifest, code: &str) -> &'static str {
    if census.is_retrievable(code) {
        "  [census by ZIP: audience enrich]"
    } else {
        ""
    }
}

/// Matched variables shown under each concept (the pre-selected ones and a few more).
const SHOWN_PER_CONCEPT: usize = 4;

/// Prints the concepts for the request: title, type, the pre-selected variables (✓) and the next
/// matches, and the sibling tables holding the same variable.
fn print_concepts(
    args: &SearchArgs,
    index: &SearchIndex,
    options: &SearchOptions,
) -> Result<(), Failure> {
    let concepts = index.search_concepts(&args.query, options);
    let census = crate::census::manifest();
    let mut text = String::new();
    if args.json {
        let out = serde_json::json!({
            "query": args.query,
            "catalog_variables": index.catalog().len(),
            "options": options,
            "concepts": concepts,
            "retrievable_by_zip": concepts
                .iter()
                .flat_map(|c| &c.variables)
                .map(|h| &h.code)
                .filter(|c| census.is_retrievable(c))
                .collect::<Vec<_>>(),
        });
        let _ = writeln!(
            text,
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
        return output::print(&text);
    }
    if concepts.is_empty() {
        let _ = writeln!(
            text,
            "No variable matches {:?}. Try other words for the same people, e.g. \"homeowners\" \
             or \"household income\".",
            args.query
        );
        return output::print(&text);
    }
    let _ = writeln!(
        text,
        "{} concepts for {:?} (of {} variables); ✓ marks the variables to use:",
        concepts.len(),
        args.query,
        index.catalog().len()
    );
    for (rank, concept) in concepts.iter().enumerate() {
        let _ = writeln!(
            text,
            "\n{:>3}. {}  [{}]",
            rank + 1,
            concept.title(),
            concept.kind
        );
        for (i, h) in concept
            .variables
            .iter()
            .take(SHOWN_PER_CONCEPT.max(concept.selected))
            .enumerate()
        {
            let mark = if i < concept.selected { "✓" } else { " " };
            let (why, census_mark) = (match_reason(h), census_mark(&census, &h.code));
            let _ = writeln!(
                text,
                "     {mark} {:<16} {}{census_mark}\n         {why}",
                h.code, h.label
            );
        }
        let more = concept
            .variables
            .len()
            .saturating_sub(SHOWN_PER_CONCEPT.max(concept.selected));
        if more > 0 {
            let _ = writeln!(
                text,
                "       … {more} more matching variables (--json lists them)"
            );
        }
        if !concept.also_in.is_empty() {
            let _ = writeln!(
                text,
                "       the same variable is also in {}",
                concept.also_in.join(", ")
            );
        }
    }
    output::print(&text)
}
