//! What the assistant may send: the one place that turns local state into request content.
//!
//! Every tool result is built here, and only from metadata and aggregates:
//!
//! * column names, inferred types and counts (missing, distinct) — never a cell, never the
//!   preview rows; whole-file levels and numeric summaries under the rules below;
//! * catalog variables (codes, labels, tables: public metadata);
//! * segment aggregates: a segment with fewer than `min_records` records is replaced by
//!   `"suppressed": "fewer than N records"`;
//! * a categorical level (a value from the file) only when at least `min_records` records of the
//!   group hold it; the number of levels left out is said;
//! * a numeric column only as its count and its mean (whole file: and standard deviation)
//!   rounded to three significant digits — no minimum, maximum or quantile (those are row values);
//!   a date column as its count only;
//! * a persona's traits only when their support is at least `min_records`, and its name (built
//!   from its traits' values) only when every trait passes; summaries are never sent;
//! * columns marked ID or exclude, and identifier-typed columns, contribute no values at all.

use audience_engine::profile::lenses::Lenses;
use audience_engine::profile::variables::{ValueShare, VariableProfile};
use audience_engine::profile::{Persona, PersonaReport};
use audience_engine::table::ColumnType;
use serde_json::{json, Map, Value};

use crate::protocol::{ColumnStats, DatasetPreview, SegmentResults, Suggestions};

/// The default smallest group whose aggregates may be sent.
pub const DEFAULT_MIN_RECORDS: usize = 50;
/// Catalog variables sent per type, at most.
pub const CATALOG_HITS_PER_KIND: usize = 6;

/// The rules for one conversation: the threshold and the columns that must not contribute values.
#[derive(Clone, Debug, PartialEq)]
pub struct PrivacyRules {
    /// Smallest number of records an aggregate may describe.
    pub min_records: usize,
    /// Columns marked ID or exclude (identifier-typed columns are withheld as well).
    pub withheld: Vec<String>,
}

impl PrivacyRules {
    /// Rules with this threshold and these withheld columns.
    pub fn new(min_records: usize, withheld: Vec<String>) -> Self {
        Self {
            min_records: min_records.max(1),
            withheld,
        }
    }

    /// The text used wherever something is left out.
    pub fn suppressed(&self) -> String {
        format!("fewer than {} records", self.min_records)
    }

    fn withholds(&self, column: &str, column_type: Option<ColumnType>) -> bool {
        column_type == Some(ColumnType::Identifier) || self.withheld.iter().any(|w| w == column)
    }
}

/// Rounds to three significant digits (0 stays 0).
pub fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 0.0;
    }
    let magnitude = x.abs().log10().floor() as i32;
    let factor = 10f64.powi(2 - magnitude);
    (x * factor).round() / factor
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn type_name(t: ColumnType) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// `describe_columns`: the loaded file's columns as metadata and safe whole-file aggregates.
///
/// Per column: name and type; unless withheld, missing and distinct counts, the levels held by at
/// least `min_records` records (with their counts; the rest folded into a count of other values),
/// and for numeric columns the count, mean and standard deviation rounded to three significant
/// digits (dates: the count only). Withheld and identifier columns: name and type only. A file
/// with fewer than `min_records` rows gets no counts at all.
pub fn describe_columns(preview: &DatasetPreview, rules: &PrivacyRules) -> Value {
    let small = preview.n_rows < rules.min_records;
    let columns: Vec<Value> = preview
        .columns
        .iter()
        .map(|c| {
            let withheld = rules.withholds(&c.name, Some(c.column_type));
            let mut o = Map::new();
            o.insert("name".into(), json!(c.name));
            o.insert("type".into(), type_name(c.column_type));
            if withheld {
                o.insert("role".into(), json!("withheld (ID or excluded): no values"));
                o.insert("usable_for_segments".into(), json!(false));
                return Value::Object(o);
            }
            o.insert("usable_for_segments".into(), json!(c.clusterable));
            if small {
                o.insert(
                    "counts".into(),
                    json!(format!("suppressed: {}", rules.suppressed())),
                );
                return Value::Object(o);
            }
            o.insert("missing".into(), json!(c.missing));
            o.insert("distinct_values".into(), json!(c.distinct));
            column_aggregates(&c.stats, c.column_type, rules, &mut o);
            Value::Object(o)
        })
        .collect();
    json!({
        "rows": preview.n_rows,
        "column_count": preview.n_columns,
        "conversion_column": preview.detected_target,
        "min_records_per_aggregate": rules.min_records,
        "columns": columns,
        "note": "Metadata and aggregates only: no cell values are shared; levels held by fewer records than the minimum are not named.",
    })
}

/// The safe part of one column's whole-file aggregates, added to `o`.
fn column_aggregates(
    stats: &ColumnStats,
    column_type: ColumnType,
    rules: &PrivacyRules,
    o: &mut Map<String, Value>,
) {
    if column_type.has_levels() {
        let kept: Vec<Value> = stats
            .levels
            .iter()
            .filter(|l| l.count >= rules.min_records)
            .map(|l| json!({"value": l.label, "count": l.count}))
            .collect();
        let below = stats.levels.len() - kept.len();
        // Unlisted levels hold no more records than the last listed one.
        let unlisted_below = stats
            .levels
            .last()
            .is_none_or(|l| l.count < rules.min_records);
        o.insert("levels".into(), json!(kept));
        if stats.other_levels == 0 || unlisted_below {
            let folded = below + stats.other_levels;
            if folded > 0 {
                o.insert(
                    "other_values".into(),
                    json!(format!(
                        "{folded} other values, suppressed: {} each",
                        rules.suppressed()
                    )),
                );
            }
        } else {
            o.insert(
                "other_values".into(),
                json!(format!(
                    "{} further values not listed (only the {} most frequent are described)",
                    stats.other_levels,
                    stats.levels.len()
                )),
            );
        }
    }
    if let Some(n) = stats.numeric {
        if n.count < rules.min_records {
            o.insert(
                "numbers".into(),
                json!(format!("suppressed: {}", rules.suppressed())),
            );
        } else if column_type == ColumnType::Date {
            o.insert("count".into(), json!(n.count));
        } else {
            o.insert("count".into(), json!(n.count));
            o.insert("mean".into(), json!(round_sig(n.mean)));
            o.insert("std".into(), json!(round_sig(n.std)));
        }
    }
}

/// `search_variables`: ranked columns (names, relevance) and catalog concepts (tables, each with its
/// matching variables and the pre-selected ones: public metadata).
/// Matched terms are kept only when they are words of `query` (the user's own words), since
/// column matching may name a file value.
pub fn search_results(suggestions: &Suggestions, rules: &PrivacyRules) -> Value {
    let query = suggestions.query.to_lowercase();
    let columns: Vec<Value> = suggestions
        .columns
        .iter()
        .filter(|c| !rules.withholds(&c.column, Some(c.column_type)))
        .map(|c| {
            let terms: Vec<&String> = c
                .matched_terms
                .iter()
                .filter(|t| !t.is_empty() && query.contains(&t.to_lowercase()))
                .collect();
            json!({
                "column": c.column,
                "type": type_name(c.column_type),
                "relevance": round4(c.relevance),
                "suggested": c.suggested,
                "matched_query_terms": terms,
                "linked_catalog_variables": c.linked_variables,
            })
        })
        .collect();
    let catalog: Vec<Value> = suggestions
        .catalog
        .iter()
        .map(|g| {
            let hits: Vec<Value> = g
                .hits
                .iter()
                .take(CATALOG_HITS_PER_KIND)
                .map(|h| {
                    // One hit per concept (table): its title and its matching variables, the
                    // pre-selected ones marked.
                    let variables: Vec<Value> = h
                        .variables
                        .iter()
                        .enumerate()
                        .map(|(i, v)| json!({"code": v.code, "label": v.label, "selected": i < h.selected}))
                        .collect();
                    json!({
                        "concept": h.concept,
                        "code": h.code,
                        "label": h.label,
                        "table": h.table,
                        "score": round4(h.score),
                        "variables": variables,
                    })
                })
                .collect();
            json!({"kind": g.kind, "variables": hits})
        })
        .collect();
    json!({
        "query": suggestions.query,
        "file_columns": columns,
        "catalog_searched": suggestions.catalog_searched,
        "catalog_variables": catalog,
    })
}

fn values(values: &[ValueShare], rules: &PrivacyRules) -> (Vec<Value>, usize) {
    let mut kept = Vec::new();
    let mut left_out = 0;
    for v in values {
        if v.count >= rules.min_records {
            kept.push(json!({
                "value": v.value,
                "count": v.count,
                "share": round4(v.share),
                "lift": round_sig(v.lift),
            }));
        } else {
            left_out += 1;
        }
    }
    (kept, left_out)
}

fn variable(v: &VariableProfile, rules: &PrivacyRules) -> Option<Value> {
    if rules.withholds(&v.column, Some(v.column_type)) {
        return None;
    }
    let mut o = Map::new();
    o.insert("column".into(), json!(v.column));
    o.insert("type".into(), type_name(v.column_type));
    if v.present < rules.min_records {
        o.insert("suppressed".into(), json!(rules.suppressed()));
        return Some(Value::Object(o));
    }
    o.insert("present".into(), json!(v.present));
    match &v.numeric {
        Some(stats) if stats.count >= rules.min_records => {
            o.insert("count".into(), json!(stats.count));
            o.insert("mean".into(), json!(round_sig(stats.mean)));
        }
        Some(_) => {
            o.insert("suppressed".into(), json!(rules.suppressed()));
        }
        None => {
            let (kept, left_out) = values(&v.values, rules);
            o.insert("levels".into(), json!(kept));
            let other = left_out + v.other_values;
            if other > 0 {
                o.insert(
                    "levels_not_shown".into(),
                    json!(format!(
                        "{other} (each held by {}, or not ranked)",
                        rules.suppressed()
                    )),
                );
            }
        }
    }
    Some(Value::Object(o))
}

fn lenses(l: &Lenses, rules: &PrivacyRules) -> Value {
    let mut o = Map::new();
    if let Some(s) = &l.seniority {
        let levels: Vec<Value> = s
            .levels
            .iter()
            .filter(|c| c.count >= rules.min_records)
            .map(|c| json!({"level": c.level, "count": c.count, "share": round4(c.share)}))
            .collect();
        o.insert(
            "seniority".into(),
            json!({"column": s.column, "levels": levels}),
        );
    }
    if let Some(g) = &l.geography {
        if !rules.withholds(&g.column, None) {
            let (top, left_out) = values(&g.top, rules);
            o.insert(
                "geography".into(),
                json!({"column": g.column, "top": top, "not_shown": left_out}),
            );
        }
    }
    if let Some(a) = &l.acquisition {
        if !rules.withholds(&a.column, None) {
            let sources: Vec<Value> = a
                .sources
                .iter()
                .filter(|s| s.source.count >= rules.min_records)
                .map(|s| {
                    json!({
                        "source": s.source.value,
                        "count": s.source.count,
                        "conversion_rate": s.conversion.as_ref().and_then(|c| c.rate).map(round4),
                    })
                })
                .collect();
            o.insert(
                "acquisition".into(),
                json!({"column": a.column, "sources": sources}),
            );
        }
    }
    Value::Object(o)
}

fn persona_summary(p: &Persona, rules: &PrivacyRules) -> Value {
    if p.size < rules.min_records {
        return json!({"segment": p.segment, "rank": p.rank, "suppressed": rules.suppressed()});
    }
    let safe = |t: &audience_engine::profile::traits::Trait| {
        t.count >= rules.min_records && !rules.withholds(&t.column, None)
    };
    let traits: Vec<Value> = p
        .traits
        .iter()
        .filter(|t| safe(t))
        .map(|t| {
            json!({
                "column": t.column,
                "value": t.value,
                "count": t.count,
                "share": round4(t.share),
                "file_share": round4(t.file_share),
                "lift": round_sig(t.lift),
            })
        })
        .collect();
    let left_out = p.traits.len() - traits.len();
    let mut o = Map::new();
    o.insert("segment".into(), json!(p.segment));
    o.insert("rank".into(), json!(p.rank));
    if p.traits.iter().all(safe) {
        o.insert("name".into(), json!(p.name));
    } else {
        o.insert("name".into(), json!(format!("Segment {}", p.segment + 1)));
        o.insert(
            "name_note".into(),
            json!(format!(
                "the generated name is withheld: it uses a trait held by {}",
                rules.suppressed()
            )),
        );
    }
    o.insert("size".into(), json!(p.size));
    o.insert("share".into(), json!(round4(p.share)));
    if let Some(c) = &p.conversion {
        o.insert(
            "conversion".into(),
            json!({
                "rate": c.rate.map(round4),
                "ci95_low": c.ci_low.map(round4),
                "ci95_high": c.ci_high.map(round4),
                "lift": c.lift.map(round_sig),
                "tier": c.tier,
            }),
        );
    }
    o.insert("traits".into(), json!(traits));
    if left_out > 0 {
        o.insert(
            "traits_not_shown".into(),
            json!(format!(
                "{left_out} (held by {}, or from a withheld column)",
                rules.suppressed()
            )),
        );
    }
    Value::Object(o)
}

fn report_header(report: &PersonaReport, rules: &PrivacyRules) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("rows".into(), json!(report.n_rows));
    o.insert("segments".into(), json!(report.n_segments));
    o.insert("ranked_by".into(), json!(report.ranked_by));
    o.insert("min_records_per_aggregate".into(), json!(rules.min_records));
    if let Some(t) = &report.target {
        let enough = t.overall.conversions >= rules.min_records;
        o.insert(
            "conversion_column".into(),
            json!({
                "column": t.column,
                "positive_value": if enough { json!(t.positive_value) } else { json!(format!("suppressed: {}", rules.suppressed())) },
                "overall_rate": t.overall.rate.map(round4),
            }),
        );
    }
    o
}

/// `run_segmentation`: what was run and each segment's size, share and (safe) name.
pub fn segmentation_summary(results: &SegmentResults, rules: &PrivacyRules) -> Value {
    let mut o = report_header(&results.report, rules);
    let columns: Vec<&String> = results
        .settings
        .variables
        .iter()
        .map(|v| &v.column)
        .collect();
    o.insert("columns".into(), json!(columns));
    // The tool-JSON edge: the bounds as the two fields run_segmentation takes.
    let bounds = results.settings.bounds;
    o.insert("min_share".into(), json!(bounds.map(|b| b.min)));
    o.insert("max_share".into(), json!(bounds.map(|b| b.max)));
    o.insert("seed".into(), json!(results.settings.seed));
    let personas: Vec<Value> = results
        .report
        .personas
        .iter()
        .map(|p| {
            let mut s = persona_summary(p, rules);
            if let Some(m) = s.as_object_mut() {
                m.remove("traits");
                m.remove("traits_not_shown");
            }
            s
        })
        .collect();
    o.insert("personas".into(), json!(personas));
    o.insert(
        "note".into(),
        json!("The segments are on the user's screen. Call get_segment_profiles or explain_segment for traits."),
    );
    Value::Object(o)
}

/// `get_segment_profiles`: every persona's size, conversion and defining traits.
pub fn segment_profiles(results: &SegmentResults, rules: &PrivacyRules) -> Value {
    let mut o = report_header(&results.report, rules);
    let personas: Vec<Value> = results
        .report
        .personas
        .iter()
        .map(|p| persona_summary(p, rules))
        .collect();
    o.insert("personas".into(), json!(personas));
    Value::Object(o)
}

/// `explain_segment`: one persona in detail (variables and lenses), or `None` if no segment has
/// this id.
pub fn explain_segment(
    results: &SegmentResults,
    segment: u32,
    rules: &PrivacyRules,
) -> Option<Value> {
    let p = results
        .report
        .personas
        .iter()
        .find(|p| p.segment == segment)?;
    let mut o = match persona_summary(p, rules) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if p.size >= rules.min_records {
        let vars: Vec<Value> = p
            .profile
            .variables
            .iter()
            .filter_map(|v| variable(v, rules))
            .collect();
        o.insert("variables".into(), json!(vars));
        o.insert("lenses".into(), lenses(&p.profile.lenses, rules));
    }
    Some(Value::Object(o))
}
