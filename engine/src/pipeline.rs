//! Glue every front end (the app's worker, the `audience` CLI) needs between the pipeline's steps: which
//! column is the conversion column, what to call the columns a run adds, how a share reads.

use crate::profile::conversion::clustering_exclusions;
use crate::table::Table;

/// The conversion column's name: `named` when the table has it, else the auto-detected one
/// ([`detect_target`](crate::profile::conversion::detect_target)), else `None`. It never defines segments.
///
/// ```
/// use audience_engine::ingest::{read_table, IngestOptions};
/// use audience_engine::pipeline::conversion_column;
/// let table = read_table(b"plan,converted\nA,yes\nB,no\n", &IngestOptions::default())?.table;
/// assert_eq!(conversion_column(&table, None).as_deref(), Some("converted"));
/// assert_eq!(conversion_column(&table, Some("plan")).as_deref(), Some("plan"));
/// assert_eq!(conversion_column(&table, Some("missing")), None);
/// # Ok::<(), audience_engine::ingest::IngestError>(())
/// ```
pub fn conversion_column(table: &Table, named: Option<&str>) -> Option<String> {
    clustering_exclusions(table, named)
        .first()
        .map(|&index| table.columns()[index].name.clone())
}

/// `name`, or `name_2`, `name_3`, …: the first that is not a column of `table`, for a column a run adds to
/// a file that may already hold one of that name (an earlier export).
pub fn free_column_name(table: &Table, name: &str) -> String {
    std::iter::once(name.to_owned())
        .chain((2..).map(|n| format!("{name}_{n}")))
        .find(|candidate| table.column_index(candidate).is_none())
        .unwrap_or_else(|| name.to_owned())
}

/// A share as a percentage with one decimal: `0.0983` → `"9.8%"`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, IngestOptions};

    fn table(csv: &str) -> Table {
        read_table(csv.as_bytes(), &IngestOptions::default())
            .unwrap()
            .table
    }

    #[test]
    fn a_free_column_name_skips_every_name_the_file_already_has() {
        let t = table("segment,segment_2,age\n1,2,30\n");
        assert_eq!(free_column_name(&t, "segment"), "segment_3");
        assert_eq!(free_column_name(&t, "segment_name"), "segment_name");
        assert_eq!(free_column_name(&t, "age"), "age_2");
    }

    #[test]
    fn the_conversion_column_is_the_named_one_else_the_detected_one() {
        let t = table("is_sale,plan\nyes,A\nno,B\nyes,A\n");
        assert_eq!(conversion_column(&t, None).as_deref(), Some("is_sale"));
        assert_eq!(conversion_column(&t, Some("plan")).as_deref(), Some("plan"));
        let none = table("plan,age\nA,30\nB,40\n");
        assert_eq!(conversion_column(&none, None), None);
    }

    #[test]
    fn a_share_reads_as_a_percentage_with_one_decimal() {
        assert_eq!(percent(0.0983), "9.8%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.0), "0.0%");
    }
}
