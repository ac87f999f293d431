use super::*;
use crate::ingest::{read_table, IngestOptions};

/// 12 customers; the expected counts below were counted by hand from these lines.
const CUSTOMERS: &str = "\
customer,State,age,Lead Source,email
C01,CA,34,Partner,a@x.com
C02,NY,25,Web,b@x.com
C03,TX,41,Partner,
C04,CA,29,Web,d@x.com
C05,WA,52,,e@x.com
C06,NY,38,Trade Show,
C07,ca,30,Web,g@x.com
C08,FL,NA,Partner,h@x.com
C09,NY,61,Web,i@x.com
C10,TX,19,Trade Show,j@x.com
C11,CA,45,,
C12,OR,33,Web,l@x.com
";

fn table() -> Table {
    read_table(CUSTOMERS.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table
}

fn kept(rules: &[&str]) -> Vec<String> {
    let t = table();
    let filter = parse_rules(rules).unwrap().resolve(&t).unwrap();
    let ids = t.column("customer").unwrap();
    filter
        .kept_rows(&t)
        .into_iter()
        .map(|row| ids.text(row).to_string())
        .collect()
}

#[test]
fn in_lists_compare_text_case_insensitively() {
    assert_eq!(
        kept(&["State in CA, NY"]),
        ["C01", "C02", "C04", "C06", "C07", "C09", "C11"]
    );
}

#[test]
fn number_comparisons_skip_missing_numbers() {
    // C08's age is NA: it passes no comparison.
    assert_eq!(
        kept(&["age >= 30"]),
        ["C01", "C03", "C05", "C06", "C07", "C09", "C11", "C12"]
    );
    assert_eq!(kept(&["age < 25"]), ["C10"]);
    assert_eq!(kept(&["age = 30"]), ["C07"]);
}

#[test]
fn not_equal_keeps_rows_without_a_value() {
    // C05 and C11 have no lead source: they are "not Partner".
    assert_eq!(
        kept(&["Lead Source != Partner"]),
        ["C02", "C04", "C05", "C06", "C07", "C09", "C10", "C11", "C12"]
    );
    assert_eq!(
        kept(&["Lead Source is not Partner"]),
        kept(&["Lead Source != Partner"])
    );
    assert_eq!(
        kept(&["'Lead Source' not in Partner, Web"]),
        ["C05", "C06", "C10", "C11"]
    );
}

#[test]
fn has_and_has_no_test_for_a_value() {
    assert_eq!(kept(&["has no email"]), ["C03", "C06", "C11"]);
    assert_eq!(kept(&["has email"]).len(), 9);
    assert_eq!(kept(&["missing email"]), kept(&["has no email"]));
}

#[test]
fn and_binds_tighter_than_or_and_brackets_override() {
    // State = TX or (State = NY and age > 40)
    assert_eq!(
        kept(&["State = TX or State = NY and age > 40"]),
        ["C03", "C09", "C10"]
    );
    // (State = TX or State = NY) and age > 40
    assert_eq!(
        kept(&["(State = TX or State = NY) and age > 40"]),
        ["C03", "C09"]
    );
    assert_eq!(kept(&["not (State in CA, NY, TX)"]), ["C05", "C08", "C12"]);
}

#[test]
fn repeated_rules_are_joined_with_and() {
    assert_eq!(
        kept(&["State in CA, NY", "age >= 30", "has email"]),
        ["C01", "C07", "C09"]
    );
}

#[test]
fn counts_per_condition_and_in_total() {
    let t = table();
    let rule = parse_rules(&["State in CA, NY", "age >= 30 or Lead Source = Trade Show"]).unwrap();
    let counts = rule.resolve(&t).unwrap().counts(&t);
    assert_eq!(
        counts.rule,
        "State in CA, NY and (age >= 30 or Lead Source = Trade Show)"
    );
    assert_eq!((counts.rows, counts.kept, counts.left_out), (12, 5, 7));
    let per: Vec<(&str, usize)> = counts
        .conditions
        .iter()
        .map(|c| (c.condition.as_str(), c.rows))
        .collect();
    assert_eq!(
        per,
        [
            ("State in CA, NY", 7),
            ("age >= 30", 8),
            ("Lead Source = Trade Show", 2)
        ]
    );
}

#[test]
fn rules_print_back_to_the_same_tree() {
    for text in [
        "State in CA, NY and (age >= 30 or has email)",
        "not (State = TX or has no email) and \"Lead Source\" = \"Trade Show\"",
        "'Lead Source' != \"Research and Development\"",
        "age <= 40.5 or State not in WA, OR",
    ] {
        let rule = parse_rule(text).unwrap();
        assert_eq!(parse_rule(&rule.to_string()).unwrap(), rule, "{text}");
    }
}

#[test]
fn unreadable_rules_name_the_word_and_what_was_expected() {
    let err = parse_rule("age >= thirty").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot read the rule at word 3 (thirty): expected a number after >="
    );
    let err = parse_rule("State in CA,").unwrap_err();
    assert_eq!(
        err,
        FilterError::Parse {
            word: 5,
            found: "the end of the rule".into(),
            expected: "a value (in quotes if it holds a keyword, comma or symbol)".into()
        }
    );
    let err = parse_rule("(age > 3").unwrap_err();
    assert!(matches!(err, FilterError::Parse { word: 5, .. }), "{err}");
    let err = parse_rule("State CA").unwrap_err();
    assert!(err.to_string().contains("expected an operator"), "{err}");
    let err = parse_rule("State not CA").unwrap_err();
    assert!(err.to_string().contains("`in` after `not`"), "{err}");
    assert_eq!(parse_rule("   ").unwrap_err(), FilterError::Empty);
    let err = parse_rule("name = \"Ann").unwrap_err();
    assert!(err.to_string().contains("closing \""), "{err}");
}

#[test]
fn rules_on_missing_or_text_columns_are_refused_with_the_columns() {
    let t = table();
    let err = parse_rule("region = West")
        .unwrap()
        .resolve(&t)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the rule names the column \"region\", which the file does not have; the columns are: \
         customer, State, age, Lead Source, email"
    );
    let err = parse_rule("State > 3").unwrap().resolve(&t).unwrap_err();
    assert!(
        matches!(err, FilterError::NotNumeric { op: ">", .. }),
        "{err}"
    );
    // Column names compare case-insensitively.
    assert!(parse_rule("STATE = CA").unwrap().resolve(&t).is_ok());
}

#[test]
fn selected_rows_keep_their_values_and_types() {
    let t = table();
    let sub = select_rows(&t, &[2, 7, 10]);
    assert_eq!(sub.n_rows(), 3);
    let ids: Vec<&str> = (0..3)
        .map(|r| sub.column("customer").unwrap().text(r))
        .collect();
    assert_eq!(ids, ["C03", "C08", "C11"]);
    let age = sub.column("age").unwrap();
    assert_eq!(age.column_type(), t.column("age").unwrap().column_type());
    assert_eq!(
        [age.number(0), age.number(1), age.number(2)],
        [Some(41.0), None, Some(45.0)]
    );
    assert_eq!(select_rows(&t, &[]).n_rows(), 0);
}

#[test]
fn the_first_word_of_a_value_is_a_value_even_when_it_is_a_keyword() {
    // Oregon's code is OR.
    assert_eq!(kept(&["State = OR"]), ["C12"]);
    assert_eq!(kept(&["State in WA, OR and age > 40"]), ["C05"]);
}

#[test]
fn columns_of_unique_numbers_compare_as_numbers() {
    // All-different ages read as an ID column; they still compare as numbers.
    let mut csv = String::from("id,age\n");
    for i in 0..30 {
        csv += &format!("C{i},{}\n", 20 + i);
    }
    let t = read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let filter = parse_rule("age >= 45").unwrap().resolve(&t).unwrap();
    assert_eq!(filter.counts(&t).kept, 5);
    let err = parse_rule("id > 3").unwrap().resolve(&t).unwrap_err();
    assert!(matches!(err, FilterError::NotNumeric { .. }), "{err}");
}
