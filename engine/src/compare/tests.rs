use super::*;
use crate::ingest::{read_table, IngestOptions};

/// Hand-made: segment 1 is younger, mostly basic, 1 of 4 converted; segment 2 older, mostly pro, 3 of 4.
/// Expected figures computed independently in Python (statistics, math.erf, Wilson and Newcombe by hand).
const FILE: &str = "\
segment,plan,age,converted
1,basic,20,no
1,basic,30,no
1,pro,40,yes
1,basic,30,no
2,pro,50,yes
2,pro,60,yes
2,basic,70,no
2,pro,60,yes
3,basic,25,no
3,basic,35,no
";

fn setup() -> (Table, Vec<u32>) {
    let table = read_table(FILE.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let segment = table.column("segment").unwrap();
    let labels = (0..table.n_rows())
        .map(|r| segment.number(r).unwrap() as u32 - 1)
        .collect();
    (table, labels)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn a_against_b_ranks_age_then_plan_with_known_scores() {
    let (table, labels) = setup();
    let params = CompareParams::new(0, Side::Segment(1)).exclude("segment");
    let c = compare(&table, &labels, &params).unwrap();
    assert_eq!((c.a_rows, c.b_rows), (4, 4));
    let names: Vec<&str> = c.variables.iter().map(|v| v.column.as_str()).collect();
    assert_eq!(names, ["age", "plan"]);
    let age = &c.variables[0];
    assert!(close(age.smd.unwrap(), -3.674_234_614), "{:?}", age.smd);
    assert!(close(age.score, 0.933_807_420), "{}", age.score);
    let Spread::Numbers {
        mean, quartiles, ..
    } = &age.a
    else {
        panic!("age is a number")
    };
    assert_eq!(*mean, Some(30.0));
    assert_eq!(*quartiles, Some([20.0, 27.5, 30.0, 32.5, 40.0]));
    let plan = &c.variables[1];
    assert!(close(plan.tvd.unwrap(), 0.5));
    assert_eq!(plan.values[0].value, "basic");
    assert!(close(plan.values[0].a, 0.75) && close(plan.values[0].b, 0.25));
    let conversion = c.conversion.unwrap();
    assert_eq!((conversion.a, conversion.b), ((1, 4), (3, 4)));
    assert!(close(conversion.difference.unwrap(), -0.5));
    assert!(close(conversion.ci_low.unwrap(), -0.789_083_268));
    assert!(close(conversion.ci_high.unwrap(), 0.135_488_401));
}

#[test]
fn a_against_the_rest_uses_every_other_segment() {
    let (table, labels) = setup();
    let params = CompareParams::new(0, Side::Rest).exclude("segment");
    let c = compare(&table, &labels, &params).unwrap();
    assert_eq!((c.b_label.as_str(), c.b_rows), ("the rest", 6));
    let age = c.variables.iter().find(|v| v.column == "age").unwrap();
    assert!(close(age.smd.unwrap(), -1.497_661_729));
    assert!(close(age.score, 0.546_040_846));
    let plan = c.variables.iter().find(|v| v.column == "plan").unwrap();
    assert!(close(plan.tvd.unwrap(), 0.25));
    let conversion = c.conversion.unwrap();
    assert!(close(conversion.difference.unwrap(), -0.25));
    assert!(close(conversion.ci_low.unwrap(), -0.623_320_425));
    assert!(close(conversion.ci_high.unwrap(), 0.297_271_711));
}

#[test]
fn the_number_score_is_the_overlap_of_two_normal_curves() {
    assert!(close(smd_to_score(0.0), 0.0));
    assert!(close(smd_to_score(0.5), 0.197_412_651));
    assert!(close(smd_to_score(-1.0), 0.382_924_923));
    assert!(close(smd_to_score(2.0), 0.682_689_492));
}

#[test]
fn impossible_comparisons_are_typed_errors() {
    let (table, labels) = setup();
    let err = compare(&table, &labels, &CompareParams::new(1, Side::Segment(1))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "segment 2 cannot be compared with itself; choose two different segments or `rest`"
    );
    let err = compare(&table, &labels, &CompareParams::new(6, Side::Rest)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "segment 7 has no customers; the file's segments are numbered 1 to 3"
    );
    let err = compare(
        &table,
        &labels,
        &CompareParams::new(0, Side::Rest).target("bought"),
    )
    .unwrap_err();
    assert!(matches!(err, CompareError::Target(_)), "{err}");
}

#[test]
fn the_largest_segment_index_is_an_error_not_an_overflow() {
    let (table, labels) = setup();
    let err = compare(&table, &labels, &CompareParams::new(u32::MAX, Side::Rest)).unwrap_err();
    assert!(matches!(err, CompareError::EmptySegment { .. }), "{err}");
    assert!(err
        .to_string()
        .starts_with("segment 4294967295 has no customers"));
}
