//! Known-answer tests of the described audience on small tables read by the real ingest.

use super::*;
use crate::ingest::{read_table, IngestOptions};
use crate::profile::stats::quantile_sorted;

fn table(csv: &str) -> Table {
    read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table
}

/// 60 leads in three segments of 20: 0 = young tech referrals, 1 = older tech, 2 = retail.
fn leads() -> (Table, Vec<u32>) {
    let mut csv = String::from("Industry,Lead Source,Age,Annual Income,Country\n");
    let mut labels = Vec::new();
    for row in 0..60 {
        let (segment, j) = (row / 20, row % 20);
        let (industry, source, age, income) = match segment {
            0 => (
                "Technology",
                if j < 15 { "Referral" } else { "Webinar" },
                22 + j % 8,
                40_000 + 1_000 * j,
            ),
            1 => ("Technology", "Webinar", 50 + j % 10, 120_000 + 2_000 * j),
            _ => ("Retail", "Paid Social", 35 + j % 10, 60_000 + 1_000 * j),
        };
        csv.push_str(&format!("{industry},{source},{age},{income},US\n"));
        labels.push(segment as u32);
    }
    (table(&csv), labels)
}

#[test]
fn a_description_becomes_value_and_direction_criteria() {
    let (t, _) = leads();
    let query = AudienceQuery::from_description(
        "Young decision makers in tech who came through referrals",
        &t,
    );
    assert_eq!(
        query.criteria,
        [
            Criterion {
                column: "Industry".into(),
                wanted: Wanted::Values {
                    values: vec!["Technology".into()]
                },
                words: vec!["tech".into()],
            },
            Criterion {
                column: "Lead Source".into(),
                wanted: Wanted::Values {
                    values: vec!["Referral".into()]
                },
                words: vec!["referrals".into()],
            },
            Criterion {
                column: "Age".into(),
                wanted: Wanted::Direction {
                    direction: Direction::Low
                },
                words: vec!["young".into()],
            },
        ]
    );
    let rich = AudienceQuery::from_description("affluent retirees", &t);
    let wanted: Vec<(&str, &Wanted)> = rich
        .criteria
        .iter()
        .map(|c| (c.column.as_str(), &c.wanted))
        .collect();
    assert_eq!(
        wanted,
        [
            (
                "Age",
                &Wanted::Direction {
                    direction: Direction::High
                }
            ),
            (
                "Annual Income",
                &Wanted::Direction {
                    direction: Direction::High
                }
            ),
        ]
    );
}

#[test]
fn segments_are_scored_with_their_shares_in_words() {
    let (t, labels) = leads();
    let query = AudienceQuery::from_description("young tech people from referrals", &t);
    let audience = score_segments(&t, &labels, &query);
    let first = &audience.segments[0];
    assert_eq!(first.segment, 1);
    assert!(first.matches);
    assert_eq!(audience.matching(), [1]);
    // Age Q1 of the file: the 25th percentile of the 60 ages.
    let ages: Vec<f64> = {
        let mut v: Vec<f64> = (0..60)
            .map(|r| t.column("Age").unwrap().number(r).unwrap())
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let q1 = quantile_sorted(&ages, 0.25);
    let young = (0..20).filter(|j| (22 + j % 8) as f64 <= q1).count();
    let file_young = ages.iter().filter(|&&a| a <= q1).count();
    assert_eq!(
        first.reason,
        format!(
            "100% are Industry Technology (file: 67%); 75% are Lead Source Referral (file: 25%); \
             {}% are in the file's bottom quarter of Age (≤ {q1}) (file: {}%)",
            young * 100 / 20,
            (file_young as f64 * 100.0 / 60.0).round()
        )
    );
    // Segment 2 (older tech) meets the industry criterion only.
    let older = audience.segments.iter().find(|s| s.segment == 2).unwrap();
    assert!(!older.matches);
    assert_eq!(older.met, 1);
    // What is not met says why.
    assert!(
        older.reason.starts_with(
            "100% are Industry Technology (file: 67%); 0% are Lead Source Referral (file: 25%) — \
             not met: under a quarter of the segment; "
        ),
        "{}",
        older.reason
    );
    assert!(!older.criteria[0].reason.contains("not met"));
    // Score of segment 1: industry 1.0 × 1.5 ÷ 2; referral 0.75 × 2 (capped from 3) ÷ 2; age as computed.
    let age_share = young as f64 / 20.0;
    let age_lift = (age_share / (file_young as f64 / 60.0)).min(2.0);
    let expected = (0.75 + 0.75 + age_share * age_lift / 2.0) / 3.0;
    assert!((first.score - expected).abs() < 1e-9);
}

#[test]
fn a_criterion_held_by_most_of_a_segment_but_as_often_in_the_file_is_not_met_and_says_why() {
    let (t, _) = leads();
    // Half of each segment is Technology (the file: two thirds); then a third of one, all of another.
    let labels: Vec<u32> = (0..60)
        .map(|row| match row {
            0..=9 | 40..=49 => 0,
            10..=29 => 1,
            _ => 2,
        })
        .collect();
    let query = AudienceQuery::from_description("tech", &t);
    let audience = score_segments(&t, &labels, &query);
    let reason = |number: u32| {
        let found = audience
            .segments
            .iter()
            .find(|s| s.segment == number)
            .unwrap();
        (found.matches, found.reason.clone())
    };
    assert_eq!(
        reason(1),
        (
            false,
            "50% are Industry Technology (file: 67%) — not met: not enough above the whole file's \
             share (needs 1.2×)"
                .to_string()
        )
    );
    assert_eq!(
        reason(2),
        (true, "100% are Industry Technology (file: 67%)".to_string())
    );
    assert_eq!(
        reason(3),
        (
            false,
            "50% are Industry Technology (file: 67%) — not met: not enough above the whole file's \
             share (needs 1.2×)"
                .to_string()
        )
    );
}

#[test]
fn only_the_matching_segments_rows_are_kept_for_export() {
    let (t, labels) = leads();
    let query = AudienceQuery::from_description("affluent tech", &t);
    let audience = score_segments(&t, &labels, &query);
    assert_eq!(audience.matching(), [2]);
    let rows = audience.matching_rows(&labels);
    assert_eq!(rows, (20..40).collect::<Vec<_>>());
    let mut out = Vec::new();
    crate::export::write_clustered_rows(
        &t,
        &crate::export::ClusteredCsvOptions::default(),
        &rows,
        &[("segment", &|row: usize| (labels[row] + 1).to_string())],
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 21);
    assert!(text.lines().skip(1).all(|line| line.ends_with(",2")));
}

#[test]
fn a_description_that_names_nothing_says_what_to_do() {
    let (t, labels) = leads();
    let query = AudienceQuery::from_description("happy people", &t);
    assert!(query.criteria.is_empty());
    let audience = score_segments(&t, &labels, &query);
    assert!(audience.matching().is_empty());
    assert!(audience
        .describe()
        .starts_with("Nothing in \"happy people\" matches a column"));
}

#[test]
fn column_words_match_whole_words_not_parts() {
    assert!(about(&name_words("AnnualIncome"), "income"));
    assert!(about(&name_words("Age_range"), "age"));
    assert!(!about(&name_words("percentage"), "age"));
    assert!(!about(&name_words("Country"), "frequency"));
    assert!(names("tech", "technology"));
    assert!(names("referrals", "referral"));
    assert!(!names("it", "italy"));
}

#[test]
fn dates_read_as_days() {
    assert_eq!(iso_day(0.0), "1970-01-01");
    assert_eq!(iso_day(19_723.0), "2024-01-01");
}

#[test]
fn yes_no_columns_are_named_by_their_column_name_and_negated_by_without() {
    let t = table("housing,loan,default\nyes,no,no\nno,yes,no\nyes,yes,yes\n");
    let query =
        AudienceQuery::from_description("young families with a housing loan, not in default", &t);
    let wanted: Vec<(&str, &Wanted)> = query
        .criteria
        .iter()
        .map(|c| (c.column.as_str(), &c.wanted))
        .collect();
    let value = |v: &str| Wanted::Values {
        values: vec![v.to_string()],
    };
    assert_eq!(
        wanted,
        [
            ("housing", &value("yes")),
            ("loan", &value("yes")),
            ("default", &value("no"))
        ]
    );
    let without = AudienceQuery::from_description("people without a loan", &t);
    assert_eq!(without.criteria.len(), 1);
    assert_eq!(without.criteria[0].wanted, value("no"));
}
