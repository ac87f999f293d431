//! The segment summary CSV: one row per persona, in rank order.
//!
//! Columns: `rank, segment, label, name, size, share, conversions, non_conversions, conversion_rate,
//! ci_low, ci_high, lift, tier, traits, summary`. Shares and rates are fractions with 6 decimals; cells with
//! no value (no conversion column, no label) are empty; `traits` lists the defining traits as
//! `Column = value (×lift)` separated by `; `.

use std::io::Write;

use super::ExportError;
use crate::profile::PersonaReport;

/// The header row.
pub const SUMMARY_COLUMNS: [&str; 15] = [
    "rank",
    "segment",
    "label",
    "name",
    "size",
    "share",
    "conversions",
    "non_conversions",
    "conversion_rate",
    "ci_low",
    "ci_high",
    "lift",
    "tier",
    "traits",
    "summary",
];

fn fraction(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.6}")).unwrap_or_default()
}

/// Writes the summary CSV of `report` to `out`.
///
/// ```
/// # use audience_engine::export::summary_csv::write_summary_csv;
/// # fn demo(report: &audience_engine::profile::PersonaReport) {
/// let mut bytes = Vec::new();
/// write_summary_csv(report, &mut bytes).unwrap();
/// # }
/// ```
pub fn write_summary_csv<W: Write>(report: &PersonaReport, out: W) -> Result<(), ExportError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(SUMMARY_COLUMNS)?;
    for persona in &report.personas {
        let conversion = persona.conversion;
        let traits: Vec<String> = persona
            .traits
            .iter()
            .map(|t| {
                let joiner = if t.value.starts_with(['≥', '≤']) {
                    " "
                } else {
                    " = "
                };
                format!("{}{joiner}{} (×{:.2})", t.column, t.value, t.lift)
            })
            .collect();
        writer.write_record([
            persona.rank.to_string(),
            persona.segment.to_string(),
            persona.label.clone().unwrap_or_default(),
            persona.name.clone(),
            persona.size.to_string(),
            format!("{:.6}", persona.share),
            conversion
                .map(|c| c.conversions.to_string())
                .unwrap_or_default(),
            conversion
                .map(|c| c.non_conversions.to_string())
                .unwrap_or_default(),
            fraction(conversion.and_then(|c| c.rate)),
            fraction(conversion.and_then(|c| c.ci_low)),
            fraction(conversion.and_then(|c| c.ci_high)),
            fraction(conversion.and_then(|c| c.lift)),
            conversion
                .and_then(|c| c.tier)
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            traits.join("; "),
            persona.summary.clone(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
