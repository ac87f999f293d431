//! What `audience profile` and `audience segment` share for results a marketer can trust: the tier
//! choice (`--tiers`), the user's own segment names (`--names FILE`) and the described audience
//! (`--audience "…"`).

use std::fmt::Write as _;
use std::path::Path;

use audience_engine::audience::AudienceReport;
use audience_engine::profile::{PersonaReport, TierChoice};

/// Parses `--tiers`.
pub fn parse_tiers(text: &str) -> Result<TierChoice, String> {
    match text.to_ascii_lowercase().as_str() {
        "auto" => Ok(TierChoice::Auto),
        "absolute" => Ok(TierChoice::Absolute),
        "lift" => Ok(TierChoice::Lift),
        _ => Err(format!(
            "expected auto (lift tiers when the file converts below 20%), absolute (PREMIUM ≥ 50%, HIGH \
             ≥ 25%, MEDIUM ≥ 10%, LOW ≥ 5%) or lift (PREMIUM ≥ 2× the file's rate, HIGH ≥ 1.5×, MEDIUM \
             ≥ 1×, LOW ≥ 0.5×), got {text:?}"
        )),
    }
}

/// Reads a names file: one `number,name` per line (segment numbers 1..=k as in the `segment` column; a
/// first line `segment,name` is a header and skipped; blank lines and lines starting with `#` are
/// skipped). A name may contain commas: everything after the first comma is the name.
pub fn read_names(path: &Path) -> Result<Vec<(u32, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the names file {}: {e}; give a text file with one `number,name` per line",
            path.display()
        )
    })?;
    parse_names(&text).map_err(|e| format!("names file {}: {e}", path.display()))
}

fn parse_names(text: &str) -> Result<Vec<(u32, String)>, String> {
    let mut names = Vec::new();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (number, name) = line.split_once([',', '\t', ';']).ok_or_else(|| {
            format!(
                "line {} ({line:?}) has no comma: write the segment number, a comma, then the name \
                 (e.g. `3,Young urban renters`)",
                index + 1
            )
        })?;
        let name = name.trim().trim_matches('"').to_string();
        match number.trim().trim_matches('"').parse::<u32>() {
            Ok(number) => names.push((number, name)),
            // The first line that is not a number is a header ("segment,name").
            Err(_) if names.is_empty() && !header_seen => header_seen = true,
            Err(_) => {
                return Err(format!(
                    "line {} starts with {:?}, not a segment number: write the number from the \
                     `segment` column (1, 2, …), a comma, then the name",
                    index + 1,
                    number.trim()
                ))
            }
        }
    }
    Ok(names)
}

/// Renames the personas from a names file, so every output carries the user's names.
pub fn apply_names(report: &mut PersonaReport, path: &Path) -> Result<(), String> {
    let names = read_names(path)?;
    report
        .rename_all(names.iter().map(|(number, name)| (*number, name.as_str())))
        .map_err(|e| format!("names file {}: {e}", path.display()))
}

/// The described audience as printed below the ranked table.
pub fn render_audience(audience: &AudienceReport) -> String {
    let mut out = String::new();
    let criteria: Vec<String> = audience
        .query
        .criteria
        .iter()
        .map(|c| match &c.wanted {
            audience_engine::audience::Wanted::Values { values } => {
                format!("{} = {}", c.column, values.join(" or "))
            }
            audience_engine::audience::Wanted::Direction { direction } => format!(
                "{} {}",
                match direction {
                    audience_engine::audience::Direction::High => "high",
                    audience_engine::audience::Direction::Low => "low",
                },
                c.column
            ),
        })
        .collect();
    let _ = writeln!(
        out,
        "\nDescribed audience {:?}: {}",
        audience.query.description,
        if criteria.is_empty() {
            "no criteria".to_string()
        } else {
            criteria.join("; ")
        }
    );
    for line in audience.describe().lines() {
        let _ = writeln!(out, "   {line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_files_read_numbers_and_names_with_commas() {
        let names =
            parse_names("segment,name\n1,Young renters\n\n# note\n3,\"Families, suburbs\"\n")
                .unwrap();
        assert_eq!(
            names,
            [
                (1, "Young renters".to_string()),
                (3, "Families, suburbs".to_string())
            ]
        );
        let error = parse_names("1,A\nthree,B\n").unwrap_err();
        assert!(error.starts_with("line 2 starts with \"three\""), "{error}");
        assert!(parse_names("1 Young\n")
            .unwrap_err()
            .contains("has no comma"));
    }

    #[test]
    fn tier_choices_are_named_in_words() {
        assert_eq!(parse_tiers("LIFT").unwrap(), TierChoice::Lift);
        assert!(parse_tiers("relative")
            .unwrap_err()
            .contains("PREMIUM ≥ 2×"));
    }
}
