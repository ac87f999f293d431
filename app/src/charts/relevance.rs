//! Variable relevance (horizontal bars of search scores, grouped and coloured by variable type) and the
//! type breakdown (how many variables of each type).
//!
//! A type's colour is its position in the alphabetical list of the types in the chart, so the two charts
//! agree when they show the same variables ([`TypeBreakdown::from_variables`]).

use std::collections::{BTreeMap, BTreeSet};

use super::bars::{Bar, BarChart};
use super::palette::category_colour;
use super::scale::{format_value, percent, Format};
use super::svg::no_data;
use super::{describe_bad, Chart, DataTable, Orientation, RenderOptions};

/// One suggested variable and its relevance to the user's description.
#[derive(Clone, Debug, PartialEq)]
pub struct VariableScore {
    /// Display name of the variable.
    pub label: String,
    /// Variable type ("demographic", "financial", …).
    pub kind: String,
    /// Relevance score (non-negative; larger is more relevant).
    pub score: f64,
}

/// The variable-relevance chart: bars grouped by type (the type with the best variable first), each group
/// sorted by score.
#[derive(Clone, Debug, PartialEq)]
pub struct VariableRelevance {
    /// The variables, in any order.
    pub variables: Vec<VariableScore>,
}

/// How many variables have one type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeCount {
    /// Variable type.
    pub kind: String,
    /// Number of variables of that type.
    pub count: u64,
}

/// The type-breakdown chart: one bar per type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeBreakdown {
    /// Types in display order.
    pub types: Vec<TypeCount>,
}

impl TypeBreakdown {
    /// Counts the variables of each type, largest count first (ties alphabetical).
    pub fn from_variables(variables: &[VariableScore]) -> Self {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for variable in variables {
            *counts.entry(variable.kind.as_str()).or_default() += 1;
        }
        let mut types: Vec<TypeCount> = counts
            .into_iter()
            .map(|(kind, count)| TypeCount {
                kind: kind.to_owned(),
                count,
            })
            .collect();
        types.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
        TypeBreakdown { types }
    }
}

/// Colour of each type: its index among the sorted distinct types.
fn type_colours<'a>(kinds: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, &'static str> {
    let distinct: BTreeSet<&str> = kinds.collect();
    distinct
        .into_iter()
        .enumerate()
        .map(|(i, kind)| (kind, category_colour(i)))
        .collect()
}

/// Decimals that show scores up to `max` with about three significant digits.
fn score_decimals(max: f64) -> usize {
    if max >= 10.0 {
        1
    } else if max >= 1.0 {
        2
    } else {
        3
    }
}

struct Prepared<'a> {
    /// Valid variables in drawing order.
    ordered: Vec<&'a VariableScore>,
    /// Types in drawing order.
    kinds: Vec<&'a str>,
    decimals: usize,
    notes: Vec<String>,
}

impl VariableRelevance {
    fn prepare(&self) -> Prepared<'_> {
        let mut notes = Vec::new();
        let valid: Vec<&VariableScore> = self
            .variables
            .iter()
            .filter(|v| v.score.is_finite() && v.score >= 0.0)
            .collect();
        let bad: Vec<&VariableScore> = self
            .variables
            .iter()
            .filter(|v| !(v.score.is_finite() && v.score >= 0.0))
            .collect();
        if let Some(first) = bad.first() {
            let what = if first.score.is_finite() {
                "negative"
            } else {
                describe_bad(first.score)
            };
            notes.push(format!(
                "{} variables have a score that is not a finite non-negative number (e.g. {}: {what}); left out.",
                bad.len(),
                first.label
            ));
        }
        // Best score per type decides the group order.
        let mut best: BTreeMap<&str, f64> = BTreeMap::new();
        for v in &valid {
            let entry = best.entry(v.kind.as_str()).or_insert(v.score);
            *entry = entry.max(v.score);
        }
        let mut kinds: Vec<&str> = best.keys().copied().collect();
        kinds.sort_by(|a, b| best[b].total_cmp(&best[a]).then_with(|| a.cmp(b)));
        let rank: BTreeMap<&str, usize> = kinds.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let mut ordered = valid;
        ordered.sort_by(|a, b| {
            rank[a.kind.as_str()]
                .cmp(&rank[b.kind.as_str()])
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| a.label.cmp(&b.label))
        });
        let max = ordered.iter().map(|v| v.score).fold(0.0, f64::max);
        Prepared {
            ordered,
            kinds,
            decimals: score_decimals(max),
            notes,
        }
    }
}

impl Chart for VariableRelevance {
    fn kind(&self) -> &'static str {
        "variable-relevance"
    }

    fn title(&self) -> String {
        "Suggested variables by relevance".to_owned()
    }

    fn render(&self, options: &RenderOptions) -> String {
        let prepared = self.prepare();
        let (width, id, title) = (options.width(), options.id(self.kind()), self.title());
        if prepared.ordered.is_empty() {
            return no_data(width, &id, &title, &prepared.notes);
        }
        let colours = type_colours(prepared.kinds.iter().copied());
        let bars = prepared
            .ordered
            .iter()
            .map(|v| Bar {
                label: v.label.clone(),
                value: v.score,
                fill: colours[v.kind.as_str()],
                interval: None,
                value_text: format_value(v.score, Format::Number, prepared.decimals),
            })
            .collect();
        let chart = BarChart {
            bars,
            orientation: Orientation::Horizontal,
            format: Format::Number,
            axis_title: "Relevance score".to_owned(),
            band: None,
            reference: None,
            legend: prepared
                .kinds
                .iter()
                .map(|k| ((*k).to_owned(), colours[k]))
                .collect(),
            min_axis: 0.0,
        };
        let mut desc = format!(
            "Horizontal bar chart of the relevance score of {} suggested variables, grouped and coloured by type ({}).",
            prepared.ordered.len(),
            prepared.kinds.join(", ")
        );
        if let Some(top) = prepared
            .ordered
            .iter()
            .reduce(|a, b| if b.score > a.score { b } else { a })
        {
            desc.push_str(&format!(
                " Most relevant: {} ({}) at {}.",
                top.label,
                top.kind,
                format_value(top.score, Format::Number, prepared.decimals)
            ));
        }
        for note in &prepared.notes {
            desc.push(' ');
            desc.push_str(note);
        }
        chart.render(width, &id, &title, &desc, &prepared.notes)
    }

    fn table(&self) -> DataTable {
        let prepared = self.prepare();
        let rows = prepared.ordered.iter().map(|v| {
            vec![
                v.label.clone(),
                v.kind.clone(),
                format_value(v.score, Format::Number, prepared.decimals),
            ]
        });
        DataTable::new(self.title(), ["Variable", "Type", "Score"])
            .with_rows(rows)
            .with_notes(prepared.notes)
    }
}

impl Chart for TypeBreakdown {
    fn kind(&self) -> &'static str {
        "type-breakdown"
    }

    fn title(&self) -> String {
        "Variables by type".to_owned()
    }

    fn render(&self, options: &RenderOptions) -> String {
        let (width, id, title) = (options.width(), options.id(self.kind()), self.title());
        let total: u64 = self.types.iter().map(|t| t.count).sum();
        if total == 0 {
            let notes = if self.types.is_empty() {
                Vec::new()
            } else {
                vec![format!("All {} types have 0 variables.", self.types.len())]
            };
            return no_data(width, &id, &title, &notes);
        }
        let colours = type_colours(self.types.iter().map(|t| t.kind.as_str()));
        let bars = self
            .types
            .iter()
            .map(|t| Bar {
                label: t.kind.clone(),
                value: t.count as f64,
                fill: colours[t.kind.as_str()],
                interval: None,
                value_text: t.count.to_string(),
            })
            .collect();
        let chart = BarChart {
            bars,
            orientation: Orientation::Horizontal,
            format: Format::Number,
            axis_title: "Variables".to_owned(),
            band: None,
            reference: None,
            legend: Vec::new(),
            min_axis: 5.0,
        };
        let listing: Vec<String> = self
            .types
            .iter()
            .map(|t| format!("{} {}", t.kind, t.count))
            .collect();
        let desc = format!(
            "Horizontal bar chart of {total} variables by type: {}.",
            listing.join(", ")
        );
        chart.render(width, &id, &title, &desc, &[])
    }

    fn table(&self) -> DataTable {
        let total: u64 = self.types.iter().map(|t| t.count).sum();
        let rows = self.types.iter().map(|t| {
            let share = if total == 0 {
                0.0
            } else {
                t.count as f64 / total as f64
            };
            vec![t.kind.clone(), t.count.to_string(), percent(share)]
        });
        DataTable::new(self.title(), ["Type", "Variables", "Share"]).with_rows(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{attr, by_class, parse, plot_area, shown};
    use super::*;

    fn variable(label: &str, kind: &str, score: f64) -> VariableScore {
        VariableScore {
            label: label.into(),
            kind: kind.into(),
            score,
        }
    }

    fn suggestions() -> Vec<VariableScore> {
        vec![
            variable("Median income", "financial", 0.6),
            variable("Age 25-34", "demographic", 0.9),
            variable("Owns home", "housing", 0.3),
            variable("Age 35-44", "demographic", 0.4),
            variable("Savings", "financial", 0.8),
        ]
    }

    #[test]
    fn variables_are_grouped_by_type_best_group_first() {
        let table = VariableRelevance {
            variables: suggestions(),
        }
        .table();
        assert_eq!(
            table.rows,
            [
                ["Age 25-34", "demographic", "0.900"],
                ["Age 35-44", "demographic", "0.400"],
                ["Savings", "financial", "0.800"],
                ["Median income", "financial", "0.600"],
                ["Owns home", "housing", "0.300"],
            ]
        );
    }

    #[test]
    fn bars_are_coloured_by_type_and_scaled_to_their_score() {
        let svg = VariableRelevance {
            variables: suggestions(),
        }
        .svg();
        let doc = parse(&svg);
        let bars = by_class(&doc, "bar");
        let fills: Vec<&str> = bars.iter().map(|b| b.attribute("fill").unwrap()).collect();
        // Alphabetical type order: demographic 0, financial 1, housing 2.
        assert_eq!(
            fills,
            ["#E69F00", "#E69F00", "#56B4E9", "#56B4E9", "#009E73"]
        );
        // Axis 0–1 (step 0.2): a 0.9 bar is 90 % of the plot width.
        let (_, _, plot_w, _) = plot_area(&doc);
        assert!((attr(&bars[0], "width") - 0.9 * plot_w).abs() < 0.01);
        let legend: Vec<String> = by_class(&doc, "legend-label")
            .iter()
            .map(|n| shown(n))
            .collect();
        assert_eq!(legend, ["demographic", "financial", "housing"]);
    }

    #[test]
    fn the_breakdown_counts_types_and_shares_their_colours() {
        let breakdown = TypeBreakdown::from_variables(&suggestions());
        let table = breakdown.table();
        assert_eq!(
            table.rows,
            [
                ["demographic", "2", "40.0%"],
                ["financial", "2", "40.0%"],
                ["housing", "1", "20.0%"]
            ]
        );
        let svg = breakdown.svg();
        let doc = parse(&svg);
        let fills: Vec<&str> = by_class(&doc, "bar")
            .iter()
            .map(|b| b.attribute("fill").unwrap())
            .collect();
        assert_eq!(fills, ["#E69F00", "#56B4E9", "#009E73"]);
        // Small counts still get whole-number ticks: 0..5.
        let ticks: Vec<String> = by_class(&doc, "tick-label")
            .iter()
            .map(|n| shown(n))
            .collect();
        assert_eq!(ticks, ["0", "1", "2", "3", "4", "5"]);
    }

    #[test]
    fn non_finite_or_negative_scores_are_left_out_with_a_note() {
        let mut variables = suggestions();
        variables.push(variable("Broken", "financial", f64::NAN));
        variables.push(variable("Negative", "housing", -1.0));
        let chart = VariableRelevance { variables };
        let table = chart.table();
        assert_eq!(table.rows.len(), 5);
        assert_eq!(
            table.notes,
            ["2 variables have a score that is not a finite non-negative number (e.g. Broken: NaN); left out."]
        );
        let svg = chart.svg();
        assert_eq!(by_class(&parse(&svg), "bar").len(), 5);
        let only_bad = VariableRelevance {
            variables: vec![variable("x", "y", f64::INFINITY)],
        };
        assert_eq!(by_class(&parse(&only_bad.svg()), "no-data").len(), 1);
        assert_eq!(
            by_class(&parse(&TypeBreakdown { types: vec![] }.svg()), "no-data").len(),
            1
        );
    }
}
