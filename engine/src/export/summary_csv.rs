//! The segment summary CSV: one row per persona, in rank order.
//!
//! Columns: `rank, segment, label, name, size, share, conversions, non_conversions, conversion_rate,
//! ci_low, ci_high, lift, tier, traits, summary`. `segment` is the number people see (1..k, as in the
//! clustered CSV). Shares and rates are fractions with 6 decimals; cells with no value (no conversion
//! column, no label) are empty; `tier` follows the report's tier scheme (absolute or lift; see
//! [`TierScheme`](crate::profile::TierScheme)); `traits` lists the defining traits as
//! `Column = value (62.0% of the segment, ×1.80; 8.0% unknown)` separated by `; `, shares over the whole
//! segment. Every cell is generated, so every cell that a spreadsheet
//! would run as a formula (a name or label starting with `=`, `+`, `-` or `@`) is written with a leading `'`
//! (see [`escape_formula`]); numbers such as a negative lift are unchanged.

use std::io::Write;

use super::formula::escape_formula;
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
                let unknown = if t.missing_share > 0.0 {
                    format!("; {:.1}% unknown", t.missing_share * 100.0)
                } else {
                    String::new()
                };
                format!(
                    "{}{joiner}{} ({:.1}% of the segment, ×{:.2}{unknown})",
                    t.column,
                    t.value,
                    t.share * 100.0,
                    t.lift
                )
            })
            .collect();
        let record = [
            persona.rank.to_string(),
            persona.number.to_string(),
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
        ];
        writer.write_record(record.iter().map(|cell| escape_formula(cell).into_owned()))?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, IngestOptions};
    use crate::profile::{profile_segments, ProfileParams};

    #[test]
    fn generated_names_and_labels_that_read_as_formulas_are_escaped() {
        let csv = "plan,spend\nA,1\nA,2\nB,3\nB,4\n";
        let table = read_table(csv.as_bytes(), &IngestOptions::default())
            .unwrap()
            .table;
        let params = ProfileParams::new().segment_labels(vec!["@a".into(), "-3".into()]);
        let mut report = profile_segments(&table, &[0, 0, 1, 1], &params).unwrap();
        report.personas[0].name = "=HYPERLINK(\"http://x\")".into();
        report.personas[1].name = "+Savers".into();
        let mut bytes = Vec::new();
        write_summary_csv(&report, &mut bytes).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][3], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&rows[1][3], "'+Savers");
        let labels: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
        // A label that is a plain number stays a number.
        assert!(
            labels.contains(&"'@a") && labels.contains(&"-3"),
            "{labels:?}"
        );
    }
}
