//! `audience compare`: two segments of a clustered CSV side by side (the engine's
//! [`audience_engine::compare`]).

use std::path::PathBuf;

use audience_engine::compare::{compare, CompareParams, Comparison, Side, Spread};
use audience_engine::holdout::NO_SEGMENT;
use audience_engine::ingest::{BadRowPolicy, HeaderMode};

use crate::input::{parse_header, read_input};
use crate::output::{self, Failure};

/// Arguments of `audience compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// A clustered CSV (as `audience segment` writes it).
    pub file: PathBuf,
    /// The two segments: `A,B` (e.g. `3,7`) or `A,rest` (A against every other segment).
    #[arg(long, value_name = "A,B|A,rest")]
    pub segments: String,
    /// The column holding the segment numbers.
    #[arg(long, default_value = "segment")]
    pub segment_column: String,
    /// The conversion column (default: detected by name and values).
    #[arg(long)]
    pub target: Option<String>,
    /// The value of the conversion column that means converted.
    #[arg(long)]
    pub positive: Option<String>,
    /// Most variables listed (all of them with --json).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Whether the first line holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `3,7` → (2, Segment(6)); `3,rest` → (2, Rest).
fn parse_pair(text: &str) -> Result<(u32, Side), String> {
    let bad = || {
        format!("--segments {text:?}: give two segment numbers such as 3,7, or a number and `rest` such as 3,rest")
    };
    let (a, b) = text.split_once(',').ok_or_else(bad)?;
    let number = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(bad)
    };
    let a = number(a)? - 1;
    let b = if b.trim().eq_ignore_ascii_case("rest") {
        Side::Rest
    } else {
        Side::Segment(number(b)? - 1)
    };
    Ok((a, b))
}

/// Runs `audience compare`.
pub fn run(args: CompareArgs) -> Result<(), Failure> {
    let (a, b) = parse_pair(&args.segments)?;
    let table = read_input(&args.file, args.header, BadRowPolicy::Skip)?.table;
    let column = table.column(&args.segment_column).ok_or_else(|| {
        format!(
            "no column named {:?} holds the segments; name it with --segment-column",
            args.segment_column
        )
    })?;
    // Segment numbers 1..=k; an empty cell (a filtered-out row) is in no segment.
    let mut labels = Vec::with_capacity(table.n_rows());
    for row in 0..table.n_rows() {
        let text = column.text(row).trim();
        if column.is_missing(row) || text.is_empty() {
            labels.push(NO_SEGMENT);
            continue;
        }
        match text.parse::<u32>() {
            Ok(n) if n >= 1 => labels.push(n - 1),
            _ => {
                return Err(format!(
                    "row {} has segment {text:?} in {:?}; segments are numbers from 1 (as `audience segment` writes them)",
                    row + 1,
                    args.segment_column
                )
                .into())
            }
        }
    }
    let mut params = CompareParams::new(a, b).exclude(args.segment_column.clone());
    for added in ["segment_name", "holdout", "in_filter"] {
        params = params.exclude(added);
    }
    params.target = args.target.clone();
    params.positive = args.positive.clone();
    let comparison = compare(&table, &labels, &params).map_err(|e| e.to_string())?;
    let text = if args.json {
        serde_json::to_string_pretty(&comparison).map_err(|e| e.to_string())? + "\n"
    } else {
        human(&comparison, args.top)
    };
    output::print(&text)
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn spread(spread: &Spread) -> String {
    match spread {
        Spread::Numbers {
            mean: Some(mean),
            quartiles: Some(q),
            missing,
            ..
        } => format!(
            "mean {mean:.2}, median {:.2}, middle half {:.2}–{:.2}{}",
            q[2],
            q[1],
            q[3],
            if *missing > 0 {
                format!(", {missing} missing")
            } else {
                String::new()
            }
        ),
        Spread::Numbers { .. } => "no numbers".to_string(),
        Spread::Categories { .. } => String::new(),
    }
}

fn human(c: &Comparison, top: usize) -> String {
    let mut text = format!(
        "{} ({} customers) against {} ({} customers)\n",
        c.a_label, c.a_rows, c.b_label, c.b_rows
    );
    if let Some(conv) = &c.conversion {
        match (conv.rate_a, conv.rate_b, conv.difference) {
            (Some(ra), Some(rb), Some(d)) => {
                text += &format!(
                    "conversion ({} = {}): {} vs {}, difference {:+.1} points (95% interval {:+.1} to {:+.1})\n",
                    conv.column,
                    conv.positive_value,
                    percent(ra),
                    percent(rb),
                    d * 100.0,
                    conv.ci_low.unwrap_or(d) * 100.0,
                    conv.ci_high.unwrap_or(d) * 100.0
                );
            }
            _ => {
                text += &format!(
                    "conversion ({}): not measurable in both groups\n",
                    conv.column
                )
            }
        }
    }
    text += &format!("variables that differ most (score: {})\n", c.measure);
    for v in c.variables.iter().take(top) {
        let how = match (v.smd, v.tvd) {
            (Some(d), _) => format!("standardised mean difference {d:+.2}"),
            (_, Some(t)) => format!("total variation distance {t:.2}"),
            _ => "constant in both, different values".to_string(),
        };
        text += &format!("  {:<24} {:.2}  ({how})\n", v.column, v.score);
        if v.values.is_empty() {
            text += &format!("      {}: {}\n", c.a_label, spread(&v.a));
            text += &format!("      {}: {}\n", c.b_label, spread(&v.b));
        } else {
            for value in v.values.iter().take(5) {
                text += &format!(
                    "      {:<22} {:>6} vs {:>6}\n",
                    value.value,
                    percent(value.a),
                    percent(value.b)
                );
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_pairs_read_as_indices_or_the_rest() {
        assert_eq!(parse_pair("3,7").unwrap(), (2, Side::Segment(6)));
        assert_eq!(parse_pair("3, REST").unwrap(), (2, Side::Rest));
        for bad in ["3", "0,2", "a,b", "3,7,8"] {
            assert!(parse_pair(bad).is_err(), "{bad}");
        }
    }
}
