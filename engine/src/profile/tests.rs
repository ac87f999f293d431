//! Known-answer tests on small hand-computed fixtures, read by the real ingest.

use super::fixtures::{labels, table};
use super::lenses::Concentration;
use super::seniority::Seniority;
use super::*;

const KNOWN: &str = include_str!("../../tests/fixtures/personas_known.csv");

/// The fixture with a support rule small enough for its 10-record segments: ≥ 3 records, ≥ 10%, lift ≥ 1.2.
fn known_report() -> PersonaReport {
    let table = table(KNOWN);
    let params = ProfileParams::new()
        .exclude("segment")
        .code_column("Lifestyle")
        .support(SupportRule {
            min_records: 3,
            min_share: 0.10,
            min_lift: 1.2,
        });
    profile_segments(&table, &labels(&table, "segment"), &params).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn persona(report: &PersonaReport, segment: u32) -> &Persona {
    report
        .personas
        .iter()
        .find(|p| p.segment == segment)
        .unwrap()
}

#[test]
fn conversion_rates_intervals_lifts_and_tiers_match_hand_computation() {
    let report = known_report();
    let target = report.target.as_ref().unwrap();
    assert_eq!(target.column, "is_sale");
    assert!(target.detected);
    assert_eq!(target.positive_value, "1");
    // File: 8 conversions of 19 with a value, 1 missing.
    let file = target.overall;
    assert_eq!(
        (file.conversions, file.non_conversions, file.missing),
        (8, 11, 1)
    );
    assert!(close(file.rate.unwrap(), 8.0 / 19.0));
    assert!(close(file.ci_low.unwrap(), 0.231_418_912_824_542_4));
    assert!(close(file.ci_high.unwrap(), 0.637_240_964_657_449_6));
    assert_eq!(file.tier, Some(Tier::High));

    // Segment 0: 7 of 10 → 70%, Wilson (0.396778, 0.892209), lift 0.7 / (8/19) = 1.6625, PREMIUM.
    let top = &report.personas[0];
    assert_eq!((top.rank, top.segment, top.size), (1, 0, 10));
    let c = top.conversion.unwrap();
    assert_eq!((c.conversions, c.non_conversions, c.missing), (7, 3, 0));
    assert!(close(c.rate.unwrap(), 0.7));
    assert!(close(c.ci_low.unwrap(), 0.396_778_147_461_145_4));
    assert!(close(c.ci_high.unwrap(), 0.892_208_732_593_698_9));
    assert!(close(c.lift.unwrap(), 1.6625));
    assert_eq!(c.tier, Some(Tier::Premium));

    // Segment 1: 1 of 9 (one missing) → 11.1%, Wilson (0.019891, 0.435000), lift 19/72, MEDIUM.
    let bottom = &report.personas[1];
    assert_eq!((bottom.rank, bottom.segment), (2, 1));
    let c = bottom.conversion.unwrap();
    assert_eq!((c.conversions, c.non_conversions, c.missing), (1, 8, 1));
    assert!(close(c.rate.unwrap(), 1.0 / 9.0));
    assert!(close(c.ci_low.unwrap(), 0.019_890_887_638_544_907));
    assert!(close(c.ci_high.unwrap(), 0.434_999_705_576_656));
    assert!(close(c.lift.unwrap(), 19.0 / 72.0));
    assert_eq!(c.tier, Some(Tier::Medium));
    assert_eq!(report.ranked_by, RankedBy::ConversionRate);
}

#[test]
fn defining_traits_and_names_follow_lift_with_support() {
    let report = known_report();
    // Shares are over the whole segment and the whole file (20 records; Spend is missing once, in
    // segment 1). Segment 0: Spend ≥ Q3 = 107.5 (whole-number spends: ≥ 108) holds 5 of 10 vs 5 of 20 (lift 2.0); Tech 9/10 vs 10/20
    // (1.8); CA 8/10 vs 9/20 (1.778) ties Referral (same lift, same count) and wins by column order.
    let top = persona(&report, 0);
    let found: Vec<(&str, &str, usize)> = top
        .traits
        .iter()
        .map(|t| (t.column.as_str(), t.value.as_str(), t.count))
        .collect();
    assert_eq!(
        found,
        vec![
            ("Spend", "≥ 108 (top quartile)", 5),
            ("Industry", "Tech", 9),
            ("State", "CA", 8)
        ]
    );
    assert!(close(top.traits[0].lift, 2.0));
    assert!(close(top.traits[1].lift, 1.8));
    assert!(close(top.traits[2].lift, 0.8 / 0.45));
    // The name: Spend's middle half in segment 0 is 95–120 (6 of 10, vs 6 of 20 in the file: lift 2.0),
    // then Tech (9 of 10, 1.8) and CA (8 of 10, 1.78): all held by a majority.
    assert_eq!(top.name, "Spend 95–120 Tech CA");
    let basis: Vec<(&str, f64)> = top
        .name_basis
        .iter()
        .map(|t| (t.phrase.as_str(), t.share))
        .collect();
    assert_eq!(basis, [("Spend 95–120", 0.6), ("Tech", 0.9), ("CA", 0.8)]);

    // Segment 1: 18-24 8/10 vs 8/20 (2.0), Spend ≤ Q1 = 32.5 (≤ 32) 5/10 vs 5/20 (2.0; one of the ten has no
    // spend), TX 4/10 vs 4/20 (2.0): equal lifts, ordered by count.
    let bottom = persona(&report, 1);
    let found: Vec<(&str, &str)> = bottom
        .traits
        .iter()
        .map(|t| (t.column.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("Age_range", "18-24"),
            ("Spend", "≤ 32 (bottom quartile)"),
            ("State", "TX")
        ]
    );
    let spend = &bottom.traits[1];
    assert!(close(spend.share, 0.5) && close(spend.missing_share, 0.1));
    assert!(close(spend.lift, 2.0));
    // Name: 18–24 (8 of 10), Spend 20–40 (5 of 10) and Retail (9 of 10, 1.8); TX is a minority.
    assert_eq!(bottom.name, "Aged 18–24 Spend 20–40 Retail");
    assert_eq!(
        bottom.summary,
        "10 records (50.0% of the file), most set apart by Age_range = 18-24 (80.0% of the segment, \
         2.0× the file's 40.0%), Spend ≤ 32 (bottom quartile) (50.0%, 2.0×; 10.0% unknown) and \
         State = TX (40.0%, 2.0×); they convert at 11.1% (95% CI 2.0%–43.5%), 0.3× the file's 42.1%, \
         a MEDIUM segment."
    );
}

#[test]
fn variable_profiles_hold_distributions_quartiles_and_differences() {
    let report = known_report();
    let spend = |p: &GroupProfile| {
        p.variables
            .iter()
            .find(|v| v.column == "Spend")
            .unwrap()
            .clone()
    };
    let file = spend(&report.overall);
    let stats = file.numeric.unwrap();
    assert_eq!((file.present, file.missing), (19, 1));
    assert_eq!((stats.q1, stats.median, stats.q3), (32.5, 80.0, 107.5));
    let top = spend(&persona(&report, 0).profile);
    let stats = top.numeric.unwrap();
    // 80 90 95 100 105 110 115 120 125 130: median 107.5, mean 107.
    assert_eq!((stats.median, stats.mean), (107.5, 107.0));
    assert!(close(top.median_difference.unwrap(), 27.5));
    assert!(close(top.mean_difference.unwrap(), 107.0 - 1340.0 / 19.0));

    let industry = persona(&report, 0)
        .profile
        .variables
        .iter()
        .find(|v| v.column == "Industry")
        .unwrap();
    assert_eq!(industry.values[0].value, "Tech");
    assert_eq!(industry.values[0].count, 9);
    assert!(close(industry.values[0].share, 0.9));
    assert!(close(industry.values[0].file_share, 0.5));
    assert!(close(industry.values[1].lift, 0.2));

    // Profiled columns: not the segment, code, constant, all-missing or target columns.
    let columns: Vec<&str> = report
        .overall
        .variables
        .iter()
        .map(|v| v.column.as_str())
        .collect();
    assert_eq!(
        columns,
        [
            "Job Title",
            "State",
            "Industry",
            "Lead Source",
            "Age_range",
            "Spend"
        ]
    );
}

#[test]
fn lenses_label_seniority_concentration_and_acquisition() {
    let report = known_report();
    let top = &persona(&report, 0).profile.lenses;
    let seniority = top.seniority.as_ref().unwrap();
    assert_eq!(seniority.column, "Job Title");
    let counts: Vec<usize> = seniority.levels.iter().map(|l| l.count).collect();
    assert_eq!(counts, [6, 3, 1, 0, 0]);
    assert_eq!(seniority.dominant, Some(Seniority::CSuite));
    let bottom = &persona(&report, 1).profile.lenses;
    let seniority = bottom.seniority.as_ref().unwrap();
    let counts: Vec<usize> = seniority.levels.iter().map(|l| l.count).collect();
    assert_eq!(counts, [0, 0, 0, 1, 8]);
    assert_eq!(seniority.unclassified, 1); // "Surgeon"
    assert_eq!(seniority.dominant, Some(Seniority::EntryLevel));

    // Geography: CA 8/10 → High; TX 4/10 = exactly 40% → Medium; whole file CA 9/20 → Medium.
    let geo = top.geography.as_ref().unwrap();
    assert_eq!(
        (geo.column.as_str(), geo.top[0].value.as_str()),
        ("State", "CA")
    );
    assert_eq!(geo.concentration, Concentration::High);
    assert_eq!(
        bottom.geography.as_ref().unwrap().concentration,
        Concentration::Medium
    );
    assert_eq!(
        report
            .overall
            .lenses
            .geography
            .as_ref()
            .unwrap()
            .concentration,
        Concentration::Medium
    );

    // Acquisition in segment 0: Referral 5 of 8 convert, Paid Social 2 of 2.
    let sources = &top.acquisition.as_ref().unwrap().sources;
    assert_eq!(sources[0].source.value, "Referral");
    let referral = sources[0].conversion.unwrap();
    assert_eq!((referral.conversions, referral.n()), (5, 8));
    assert_eq!(referral.tier, Some(Tier::Premium));
    assert_eq!(sources[1].source.value, "Paid Social");
    assert_eq!(sources[1].conversion.unwrap().rate, Some(1.0));
    // Segment 1's single e-mail lead has no target value: no rate, not NaN.
    let email = bottom
        .acquisition
        .as_ref()
        .unwrap()
        .sources
        .iter()
        .find(|s| s.source.value == "Email")
        .unwrap();
    assert_eq!(email.conversion.unwrap().rate, None);

    let professional = top.professional.as_ref().unwrap();
    assert_eq!(
        professional.industry.as_ref().unwrap().values[0].value,
        "Tech"
    );
    assert!(professional.education.is_none());
}

#[test]
fn code_mix_gives_dominant_codes_and_normalised_diversity() {
    let report = known_report();
    let mix = &report.code_mixes[0];
    assert_eq!((mix.column.as_str(), mix.n_codes), ("Lifestyle", 3));
    // Segment 0: 01 ×5, 07 ×5 → ln 2 / ln 3; segment 1: 12 ×10 → 0; file 5/5/10 → 0.946395.
    let first = &mix.segments[0];
    assert_eq!(first.dominant.len(), 2);
    assert_eq!(first.dominant[0].value, "01");
    assert!(close(first.diversity.unwrap(), 2f64.ln() / 3f64.ln()));
    assert_eq!(mix.segments[1].diversity, Some(0.0));
    assert!(close(mix.overall.diversity.unwrap(), 0.946_394_630_357_186));
}

#[test]
fn data_problems_become_notes() {
    let report = known_report();
    let kinds: Vec<(NoteKind, Option<&str>)> = report
        .notes
        .iter()
        .map(|n| (n.kind, n.column.as_deref()))
        .collect();
    assert!(kinds.contains(&(NoteKind::TargetMissingValues, Some("is_sale"))));
    assert!(kinds.contains(&(NoteKind::SingleValueColumn, Some("Country"))));
    assert!(kinds.contains(&(NoteKind::AllMissingColumn, Some("Notes"))));
    let missing = report
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::TargetMissingValues)
        .unwrap();
    assert!(
        missing.message.starts_with("1 of 20 rows"),
        "{}",
        missing.message
    );
}

#[test]
fn small_segments_are_named_after_majority_values_under_the_default_support() {
    // 10-record segments can never reach 30 records; a value held by at least half of a segment (and by
    // at least 5 records) with enough lift still names it.
    let table = table(KNOWN);
    let params = ProfileParams::new()
        .exclude("segment")
        .code_column("Lifestyle");
    let report = profile_segments(&table, &labels(&table, "segment"), &params).unwrap();
    let top = persona(&report, 0);
    assert_eq!(top.name, "Spend 95–120 Tech CA");
    for persona in &report.personas {
        assert!(!persona.traits.is_empty());
        assert!(persona
            .traits
            .iter()
            .all(|t| t.count >= 5 && t.share >= 0.5 && t.lift >= 1.2));
    }
    // TX is 4 of segment 1's 10 records: a minority, so not a trait under the default rule.
    assert!(persona(&report, 1).traits.iter().all(|t| t.value != "TX"));
    assert!(report
        .notes
        .iter()
        .all(|n| n.kind != NoteKind::SmallSegment && n.kind != NoteKind::NoDefiningTraits));
}

#[test]
fn segments_below_five_records_get_a_note_and_a_name_numbered_from_one() {
    let table = table("seg,colour\n0,red\n0,red\n0,red\n0,red\n1,blue\n1,blue\n1,blue\n1,blue\n");
    let params = ProfileParams::new().exclude("seg");
    let report = profile_segments(&table, &labels(&table, "seg"), &params).unwrap();
    // Segment ids 0 and 1 are what the person sees as segments 1 and 2 (the `segment` column holds id + 1).
    assert_eq!(persona(&report, 0).name, "Segment 1 (no distinct traits)");
    assert_eq!(persona(&report, 1).name, "Segment 2 (no distinct traits)");
    let small: Vec<Option<u32>> = report
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::SmallSegment)
        .map(|n| n.segment)
        .collect();
    assert_eq!(small, [Some(1), Some(2)]);
    assert!(
        report.notes[0]
            .message
            .starts_with("segment 1 has 4 records, fewer than the 5"),
        "{}",
        report.notes[0].message
    );
    // With display labels, the fallback uses the label.
    let labelled = params.segment_labels(vec!["A1".into(), "B2".into()]);
    let report = profile_segments(&table, &labels(&table, "seg"), &labelled).unwrap();
    assert_eq!(persona(&report, 1).name, "Segment B2 (no distinct traits)");
}

#[test]
fn generated_names_never_start_with_a_formula_character() {
    let csv = "seg,offer,=cmd\n\
        0,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1\n0,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1\n\
        0,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1\n0,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1\n\
        0,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1\n\
        1,-5 off,2\n1,-5 off,2\n1,-5 off,2\n1,-5 off,2\n1,-5 off,2\n\
        2,@home,3\n2,@home,3\n2,@home,3\n2,@home,3\n2,@home,3\n";
    let table = table(csv);
    let params = ProfileParams::new()
        .exclude("seg")
        .segmentation_columns(["offer"]);
    let report = profile_segments(&table, &labels(&table, "seg"), &params).unwrap();
    let names: Vec<&str> = (0..3)
        .map(|id| persona(&report, id).name.as_str())
        .collect();
    assert_eq!(names, ["HYPERLINK(\"http://x\",\"y\")", "5 off", "home"]);
    for persona in &report.personas {
        assert!(persona
            .traits
            .iter()
            .all(|t| !t.phrase.starts_with(['=', '+', '-', '@'])));
    }
    // A bare negative number keeps its sign behind the column name; a formula-like column name loses it.
    let column = table.column("=cmd").unwrap();
    assert_eq!(traits::phrase(column, "-5"), "cmd -5");
    assert_eq!(traits::formula_safe("\t+=@-5"), "5");
    assert_eq!(traits::formula_safe("\r\n=1"), "1");
}

#[test]
fn traits_of_columns_not_segmented_on_are_listed_as_also_differs_and_stay_out_of_names() {
    // Segments were made from `loan`; `month` follows the file order and differs too.
    let mut csv = String::from("seg,loan,month\n");
    for row in 0..30 {
        let seg = row / 10;
        let loan = if seg == 2 { "no" } else { "yes" };
        let month = ["oct", "aug", "may"][seg];
        csv.push_str(&format!("{seg},{loan},{month}\n"));
    }
    let table = table(&csv);
    let params = ProfileParams::new()
        .exclude("seg")
        .segmentation_columns(["loan"]);
    let report = profile_segments(&table, &labels(&table, "seg"), &params).unwrap();
    let first = persona(&report, 0);
    assert!(
        first.traits.iter().all(|t| t.column == "loan"),
        "{:?}",
        first.traits
    );
    assert_eq!(first.also_differs.len(), 1);
    assert_eq!(
        (
            first.also_differs[0].column.as_str(),
            first.also_differs[0].value.as_str()
        ),
        ("month", "oct")
    );
    assert!(!first.name.to_lowercase().contains("oct"), "{}", first.name);
    assert!(
        first
            .summary
            .contains(". Also differs in month = oct (3.0×), a column not segmented on."),
        "{}",
        first.summary
    );
    // Without segmentation columns every profiled column may define (the earlier behaviour).
    let open = profile_segments(
        &table,
        &labels(&table, "seg"),
        &ProfileParams::new().exclude("seg"),
    )
    .unwrap();
    assert!(persona(&open, 0).also_differs.is_empty());
    assert!(persona(&open, 0).traits.iter().any(|t| t.column == "month"));
}

#[test]
fn segments_identical_on_every_segmentation_variable_are_marked_and_named_so() {
    // Segments 0 and 1 are all loan = yes (split by month only); segment 2 is all loan = no.
    let mut csv = String::from("seg,loan,month\n");
    for row in 0..30 {
        let seg = row / 10;
        let loan = if seg == 2 { "no" } else { "yes" };
        csv.push_str(&format!("{seg},{loan},{}\n", ["oct", "aug", "may"][seg]));
    }
    let table = table(&csv);
    let params = ProfileParams::new()
        .exclude("seg")
        .segmentation_columns(["loan"]);
    let report = profile_segments(&table, &labels(&table, "seg"), &params).unwrap();
    assert_eq!(report.distinct_profiles, Some(2));
    let (first, second, third) = (
        persona(&report, 0),
        persona(&report, 1),
        persona(&report, 2),
    );
    assert_eq!(first.identical_to, [2]);
    assert_eq!(second.identical_to, [1]);
    assert!(third.identical_to.is_empty());
    assert_eq!(first.name, "Loan (same profile as segment 2)");
    assert_eq!(second.name, "Loan (same profile as segment 1)");
    assert_eq!(third.name, "No Loan");
    assert!(first
        .summary
        .contains("identical to segment 2 on every column segmented on"));
    // Unknown segmentation columns: nothing is marked.
    let open = profile_segments(
        &table,
        &labels(&table, "seg"),
        &ProfileParams::new().exclude("seg"),
    )
    .unwrap();
    assert_eq!(open.distinct_profiles, None);
    assert!(open.personas.iter().all(|p| p.identical_to.is_empty()));
}

#[test]
fn a_target_with_more_than_two_values_is_a_note_not_a_conversion() {
    let csv = "seg,response,colour\n0,yes,red\n0,no,blue\n1,maybe,red\n1,no,blue\n";
    let table = table(csv);
    let labels = labels(&table, "seg");
    for (params, chosen) in [
        (ProfileParams::new(), false),
        (ProfileParams::new().target("response"), true),
    ] {
        let report = profile_segments(&table, &labels, &params.exclude("seg")).unwrap();
        assert!(report.target.is_none());
        assert!(report.personas.iter().all(|p| p.conversion.is_none()));
        assert_eq!(report.ranked_by, RankedBy::Size);
        let note = report
            .notes
            .iter()
            .find(|n| n.kind == NoteKind::TargetNotBinary)
            .unwrap();
        assert!(
            note.message.contains("3 distinct values"),
            "{}",
            note.message
        );
        // A chosen target is never profiled as a variable; a column merely named like one is.
        let profiled = report
            .overall
            .variables
            .iter()
            .any(|v| v.column == "response");
        assert_eq!(profiled, !chosen);
    }
}

#[test]
fn a_target_whose_values_cannot_be_read_needs_a_positive_value() {
    let csv = "seg,converted\n0,gold\n0,lead\n1,lead\n1,lead\n";
    let table = table(csv);
    let labels = labels(&table, "seg");
    let report = profile_segments(&table, &labels, &ProfileParams::new().exclude("seg")).unwrap();
    assert!(report.target.is_none());
    assert!(report
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::TargetAmbiguous));
    let params = ProfileParams::new().exclude("seg").positive_value("gold");
    let report = profile_segments(&table, &labels, &params).unwrap();
    let target = report.target.unwrap();
    assert_eq!(
        (target.positive_value.as_str(), target.overall.conversions),
        ("gold", 1)
    );
    assert_eq!(report.personas[0].segment, 0);
    assert_eq!(report.personas[0].conversion.unwrap().rate, Some(0.5));
}

#[test]
fn bad_settings_are_typed_errors_naming_the_numbers() {
    let table = table(KNOWN);
    let error = profile_segments(&table, &[0, 1], &ProfileParams::new()).unwrap_err();
    assert_eq!(
        error,
        ProfileError::LabelCountMismatch {
            labels: 2,
            rows: 20
        }
    );
    assert_eq!(
        error.to_string(),
        "2 segment labels for 20 rows: every row needs exactly one label"
    );
    let error =
        profile_segments(&table, &[0; 20], &ProfileParams::new().target("sold")).unwrap_err();
    assert!(matches!(error, ProfileError::UnknownColumn { ref column, .. } if column == "sold"));
}

#[test]
fn identical_names_are_made_unique_by_segment_id() {
    // Two segments that both stand out for the same value would share a name.
    let mut personas = vec![
        persona(&known_report(), 0).clone(),
        persona(&known_report(), 1).clone(),
    ];
    personas[1].name = personas[0].name.clone();
    deduplicate_names(&mut personas, &ProfileParams::new());
    // Numbered as the person sees them: segment ids 0 and 1 are segments 1 and 2.
    assert_eq!(personas[0].name, "Spend 95–120 Tech CA · Segment 1");
    assert_eq!(personas[1].name, "Spend 95–120 Tech CA · Segment 2");
}

#[test]
fn the_same_input_gives_the_same_report() {
    assert!(known_report() == known_report());
}

#[test]
fn the_target_is_excluded_from_clustering_chosen_or_detected() {
    use super::conversion::clustering_exclusions;
    let table = table(KNOWN);
    let is_sale = table.column_index("is_sale").unwrap();
    assert_eq!(clustering_exclusions(&table, None), [is_sale]);
    assert_eq!(
        clustering_exclusions(&table, Some("State")),
        [table.column_index("State").unwrap()]
    );
    let no_target = super::fixtures::table("colour,size\nred,1\nblue,2\n");
    assert!(clustering_exclusions(&no_target, None).is_empty());
}

/// `n` rows: `seg` (0..), then the given columns, one value per row from each closure.
fn generated(n: usize, header: &str, row: impl Fn(usize) -> String) -> Table {
    let mut csv = format!("{header}\n");
    for i in 0..n {
        csv.push_str(&row(i));
        csv.push('\n');
    }
    table(&csv)
}

#[test]
fn a_minority_value_with_high_lift_does_not_lead_the_name() {
    // Segment 0 (40 rows): 30 Tech (75%, lift 1.5) and 8 CEOs (20%, lift 4.0); segment 1 the rest.
    let t = generated(80, "seg,industry,title", |i| {
        let (seg, j) = (i / 40, i % 40);
        let industry = if (seg == 0 && j < 30) || (seg == 1 && j < 10) {
            "Tech"
        } else {
            "Retail"
        };
        let title = if seg == 0 && j < 8 {
            "CEO"
        } else if j % 2 == 0 {
            "Analyst"
        } else {
            "Manager"
        };
        format!("{seg},{industry},{title}")
    });
    let params = ProfileParams::new()
        .exclude("seg")
        .segmentation_columns(["industry", "title"])
        .support(SupportRule {
            min_records: 5,
            ..SupportRule::default()
        });
    let report = profile_segments(&t, &labels(&t, "seg"), &params).unwrap();
    let first = persona(&report, 0);
    // CEO is the strongest trait by lift, but only a fifth of the segment holds it.
    assert_eq!(first.traits[0].value, "CEO");
    assert_eq!(first.name, "Tech");
    assert_eq!(first.name_basis.len(), 1);
    assert!(close(first.name_basis[0].share, 0.75));
}

#[test]
fn a_segment_with_no_majority_value_is_named_with_the_share_of_its_best_value() {
    // Segment 0: 14 of 40 Referral (35%) against 14 of 80 in the file (lift 2.0); no value is a majority.
    let t = generated(80, "seg,source", |i| {
        let (seg, j) = (i / 40, i % 40);
        let source = match (seg, j) {
            (0, j) if j < 14 => "Referral",
            (0, j) if j < 27 => "Email",
            (0, _) => "Search",
            (_, j) if j < 20 => "Email",
            _ => "Search",
        };
        format!("{seg},{source}")
    });
    let params = ProfileParams::new()
        .exclude("seg")
        .segmentation_columns(["source"]);
    let report = profile_segments(&t, &labels(&t, "seg"), &params).unwrap();
    assert_eq!(persona(&report, 0).name, "Referral (35%)");
}

#[test]
fn names_that_differ_only_by_word_order_are_told_apart_by_the_next_part() {
    // Segment 0 (40 rows): all Tech, 32 CA, 30 Female; segment 1 (40): 32 Tech, all CA, 30 Male;
    // segment 2 (80): Retail, NY, 48 Female. Tech and CA are each 72 of 160 (45%), so segment 0 is
    // "Tech CA" (lifts 2.22, 1.78) and segment 1 "CA Tech" (2.22, 1.78) with two parts: the same words.
    let t = generated(160, "seg,industry,state,gender", |i| {
        let (seg, j) = ((i / 40).min(2), i % 40);
        let industry = if seg == 0 || (seg == 1 && j < 32) {
            "Tech"
        } else {
            "Retail"
        };
        let state = if seg == 1 || (seg == 0 && j < 32) {
            "CA"
        } else {
            "NY"
        };
        let female = match seg {
            0 => j < 30,
            1 => j >= 30,
            _ => i % 5 < 3,
        };
        format!(
            "{seg},{industry},{state},{}",
            if female { "Female" } else { "Male" }
        )
    });
    let params = ProfileParams {
        max_traits: 2,
        ..ProfileParams::new()
            .exclude("seg")
            .segmentation_columns(["industry", "state", "gender"])
    };
    let mut report = profile_segments(&t, &labels(&t, "seg"), &params).unwrap();
    report.personas.sort_by_key(|p| p.number);
    let names: Vec<&str> = report.personas.iter().map(|p| p.name.as_str()).collect();
    // Female (75%, lift 1.36) and Male (75%, 1.67) are the next parts.
    assert_eq!(names[..2], ["Tech CA with Female", "CA Tech with Male"]);
    assert_eq!(report.personas[0].name_basis.len(), 3);
}

#[test]
fn numeric_columns_name_a_segment_by_its_middle_half_rounded_readably() {
    // Segment 0: ages 20..=39 (middle half 24–35); segment 1: ages 50..=69.
    let t = generated(40, "seg,age", |i| {
        let (seg, j) = (i / 20, i % 20);
        format!("{seg},{}", if seg == 0 { 20 + j } else { 50 + j })
    });
    let params = ProfileParams::new()
        .exclude("seg")
        .segmentation_columns(["age"]);
    let report = profile_segments(&t, &labels(&t, "seg"), &params).unwrap();
    let young = persona(&report, 0);
    assert_eq!(young.name, "Aged 24–35");
    assert!(!young.name.contains("Low"));
    // 24..=35 holds 12 of the segment's 20 and 12 of the file's 40.
    assert!(close(young.name_basis[0].share, 0.6));
    assert!(close(young.name_basis[0].file_share, 0.3));
    assert_eq!(persona(&report, 1).name, "Aged 54–65");
}

#[test]
fn shares_count_missing_values_in_the_segment_and_say_so() {
    // Segment 0: 20 rows, outcome known for 4 (all "success") and missing for 16.
    let t = generated(40, "seg,poutcome", |i| {
        let (seg, j) = (i / 20, i % 20);
        let outcome = match (seg, j) {
            (0, j) if j < 4 => "success",
            (0, _) => "",
            (_, j) if j < 2 => "success",
            _ => "failure",
        };
        format!("{seg},{outcome}")
    });
    let params = ProfileParams::new().exclude("seg").support(SupportRule {
        min_records: 3,
        min_share: 0.1,
        min_lift: 1.2,
    });
    let report = profile_segments(&t, &labels(&t, "seg"), &params).unwrap();
    let first = persona(&report, 0);
    let success = first.traits.iter().find(|t| t.value == "success").unwrap();
    // 4 of 20 (not 4 of the 4 known); the file: 6 of 40.
    assert!(close(success.share, 0.2));
    assert!(close(success.missing_share, 0.8));
    assert!(close(success.lift, 0.2 / 0.15));
    assert_eq!(
        success.share_text(),
        "20.0% of the segment, 1.3× the file's 15.0%; 80.0% unknown"
    );
    let outcome = first
        .profile
        .variables
        .iter()
        .find(|v| v.column == "poutcome")
        .unwrap();
    assert!(close(outcome.values[0].share, 0.2));
}

#[test]
fn lift_tiers_are_used_below_a_20_percent_base_rate_and_absolute_tiers_on_request() {
    // 6% base rate: segment 0 converts 18 of 100 (18%, 3×), segment 1 6 of 100 (1×), segment 2 none...
    let t = generated(300, "seg,is_sale", |i| {
        let (seg, j) = (i / 100, i % 100);
        let sale = match seg {
            0 => j < 18,
            _ => false,
        };
        format!("{seg},{}", u8::from(sale))
    });
    let base = ProfileParams::new().exclude("seg");
    let auto = profile_segments(&t, &labels(&t, "seg"), &base).unwrap();
    assert_eq!(auto.tier_scheme, Some(TierScheme::Lift));
    let tier = |report: &PersonaReport, index: u32| persona(report, index).conversion.unwrap().tier;
    assert_eq!(tier(&auto, 0), Some(Tier::Premium));
    assert_eq!(tier(&auto, 1), Some(Tier::Minimal));
    assert!(persona(&auto, 0)
        .summary
        .ends_with("a PREMIUM segment (tiers by lift over the file's rate)."));
    let absolute = profile_segments(
        &t,
        &labels(&t, "seg"),
        &base.clone().tiers(TierChoice::Absolute),
    )
    .unwrap();
    assert_eq!(absolute.tier_scheme, Some(TierScheme::Absolute));
    assert_eq!(tier(&absolute, 0), Some(Tier::Medium));
}

#[test]
fn lift_tier_bands_are_inclusive_below() {
    // File: 10 of 100. Lifts 2.0, 1.5, 1.0, 0.5 and just under each.
    let cases = [
        (20, Tier::Premium),
        (19, Tier::High),
        (15, Tier::High),
        (14, Tier::Medium),
        (10, Tier::Medium),
        (9, Tier::Low),
        (5, Tier::Low),
        (4, Tier::Minimal),
    ];
    for (conversions, tier) in cases {
        assert_eq!(
            Tier::from_lift_counts(conversions, 100, 10, 100),
            tier,
            "{conversions}"
        );
    }
    assert_eq!(TierChoice::Auto.scheme(Some(0.2)), TierScheme::Absolute);
    assert_eq!(TierChoice::Auto.scheme(Some(0.199)), TierScheme::Lift);
    assert_eq!(TierChoice::Lift.scheme(Some(0.4)), TierScheme::Lift);
    assert_eq!(TierChoice::Auto.scheme(None), TierScheme::Absolute);
}

#[test]
fn the_person_sees_one_number_per_segment_in_json_names_and_notes() {
    let report = known_report();
    let json: serde_json::Value = serde_json::to_value(&report).unwrap();
    for persona in json["personas"].as_array().unwrap() {
        assert_eq!(
            persona["segment"].as_u64().unwrap(),
            persona["index"].as_u64().unwrap() + 1
        );
    }
    let mix = &report.code_mixes[0];
    assert_eq!(mix.segments[0].segment, Some(1));
    assert_eq!(mix.segments[1].segment, Some(2));
}

#[test]
fn a_renamed_segment_carries_its_new_name_and_refuses_clashes() {
    let mut report = known_report();
    let generated_name = persona(&report, 1).name.clone();
    report.rename(2, "  Young bargain hunters ").unwrap();
    let renamed = persona(&report, 1);
    assert_eq!(renamed.name, "Young bargain hunters");
    assert_eq!(
        renamed.generated_name.as_deref(),
        Some(generated_name.as_str())
    );
    assert_eq!(report.names_by_index()[1], "Young bargain hunters");
    assert_eq!(
        report.rename(1, "young BARGAIN hunters").unwrap_err(),
        RenameError::DuplicateName {
            number: 1,
            name: "young BARGAIN hunters".into(),
            other: 2
        }
    );
    assert_eq!(
        report.rename(3, "x").unwrap_err().to_string(),
        "there is no segment 3: the segments are numbered 1 to 2"
    );
    assert!(matches!(
        report.rename(1, "   "),
        Err(RenameError::EmptyName { number: 1 })
    ));
    // The summary CSV carries the new name.
    let mut bytes = Vec::new();
    crate::export::summary_csv::write_summary_csv(&report, &mut bytes).unwrap();
    assert!(String::from_utf8(bytes)
        .unwrap()
        .contains(",Young bargain hunters,"));
}

#[test]
fn clashing_names_are_told_apart_by_a_part_the_other_segment_does_not_share() {
    // Segments 0 and 1 (40 rows each): all Tech and CA, 30 Female each (lift 1.56), 24 Email (segment 0)
    // or 24 Search (segment 1) (lift 1.43). Segment 2 (120 rows): Retail, NY, 36 Female, half Email,
    // half Search. With two parts both are "Tech CA"; Female would not tell them apart, the channel does.
    let t = generated(200, "seg,industry,state,gender,channel", |i| {
        let (seg, j) = ((i / 40).min(2), i % 40);
        let (industry, state) = if seg < 2 {
            ("Tech", "CA")
        } else {
            ("Retail", "NY")
        };
        let female = if seg < 2 { j < 30 } else { (i - 80) < 36 };
        let channel = match seg {
            0 if j < 24 => "Email",
            1 if j < 24 => "Search",
            0 | 1 => "Other",
            _ if i % 2 == 0 => "Email",
            _ => "Search",
        };
        format!(
            "{seg},{industry},{state},{},{channel}",
            if female { "Female" } else { "Male" }
        )
    });
    let params = ProfileParams {
        max_traits: 2,
        ..ProfileParams::new()
            .exclude("seg")
            .segmentation_columns(["industry", "state", "gender", "channel"])
    };
    let mut report = profile_segments(&t, &labels(&t, "seg"), &params).unwrap();
    report.personas.sort_by_key(|p| p.number);
    assert_eq!(report.personas[0].name, "Tech CA with Email");
    assert_eq!(report.personas[1].name, "Tech CA with Search");
}

#[test]
fn a_segment_with_nothing_shared_says_so_in_plain_words_with_what_to_do() {
    // Two segments of 40 with the same mix of colours: nothing sets either apart.
    let t = generated(80, "seg,colour", |i| {
        format!("{},{}", i / 40, ["red", "blue", "green", "grey"][i % 4])
    });
    let report =
        profile_segments(&t, &labels(&t, "seg"), &ProfileParams::new().exclude("seg")).unwrap();
    let note = report
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::NoDefiningTraits)
        .unwrap();
    assert_eq!(
        note.message,
        "no value is shared by enough of segment 1 (40 records) to describe it: a value needs at least 30 \
         records and 10% of the segment (or a majority, at least 5 records) and 1.2× its share of the file. \
         Segment on columns that tell these customers apart, or lower the minimum records (--min-records)"
    );
    assert_eq!(
        persona(&report, 0).summary,
        "40 records (50.0% of the file) with no value shared by enough of it to describe it (a value needs \
         at least 30 records and 10.0% of the segment, or a majority of at least 5 records, and 1.2× its \
         share of the file)."
    );
}

#[test]
fn a_quartile_band_that_is_one_value_is_named_by_it() {
    // Channel is 1 or 2 (Q3 = 2 is the largest value): segment 0 is all channel 2. Visits are whole
    // numbers with Q1 = 2.75 (sorted: 1 1 2 3 …, interpolated): the bottom band is "≤ 2", the same records as "≤ 2.75".
    let mut csv = String::from("channel,visits\n");
    for i in 0..12 {
        let channel = if i < 4 { 2 } else { 1 };
        csv += &format!(
            "{channel},{}\n",
            [1, 2, 3, 9, 10, 11, 1, 3, 3, 9, 10, 11][i]
        );
    }
    let table = crate::profile::fixtures::table(&csv);
    let labels: Vec<u32> = (0..12).map(|i| u32::from(i >= 4)).collect();
    let params = ProfileParams::new().support(SupportRule {
        min_records: 1,
        min_share: 0.1,
        ..SupportRule::default()
    });
    let report = profile_segments(&table, &labels, &params).unwrap();
    let first = report.personas.iter().find(|p| p.segment == 0).unwrap();
    let channel = first.traits.iter().find(|t| t.column == "channel").unwrap();
    assert_eq!(channel.value, "2 (the largest value)");
    assert_eq!(channel.phrase, "Channel 2");
    assert!(
        first.summary.contains("channel = 2 (the largest value)"),
        "{}",
        first.summary
    );
    let bottom: Vec<&str> = report
        .personas
        .iter()
        .flat_map(|p| &p.traits)
        .filter(|t| t.column == "visits" && t.value.starts_with('≤'))
        .map(|t| t.value.as_str())
        .collect();
    assert!(
        bottom.iter().all(|v| *v == "≤ 2 (bottom quartile)"),
        "{bottom:?}"
    );
}

#[test]
fn trait_lifts_measure_every_segments_traits_in_every_segment() {
    let table = table(KNOWN);
    let labels = labels(&table, "segment");
    let report = known_report();
    let top = persona(&report, 0);
    let asked: Vec<(String, String)> = top
        .traits
        .iter()
        .map(|t| (t.column.clone(), t.value.clone()))
        .chain([
            ("Spend".to_owned(), "≥ 107.5 (top quartile)".to_owned()),
            ("Nowhere".to_owned(), "x".to_owned()),
        ])
        .collect();
    // The same traits asked again, after the others of their columns: the same lifts.
    let asked: Vec<(String, String)> = asked
        .iter()
        .cloned()
        .chain([asked[1].clone(), asked[0].clone()])
        .collect();
    let lifts = trait_lifts(&table, &labels, 2, &asked);
    for segment in &lifts {
        assert_eq!((segment[5], segment[6]), (segment[1], segment[0]));
    }
    // Segment 0 gets its own traits' lifts back: Spend ≥ 108 2.0, Tech 1.8, CA 0.8 / 0.45.
    for (lift, own) in lifts[0].iter().zip(&top.traits) {
        assert!(close(lift.unwrap(), own.lift), "{lift:?} vs {}", own.lift);
    }
    // Segment 1: no spend ≥ 108 (0 of 10), Tech 1 of 10 vs 10 of 20 (0.2), CA 1 of 10 vs 9 of 20.
    assert!(close(lifts[1][0].unwrap(), 0.0));
    assert!(close(lifts[1][1].unwrap(), 0.2));
    assert!(close(lifts[1][2].unwrap(), 0.1 / 0.45));
    // A band no trait states for the column, and a column that is not in the file.
    assert_eq!((lifts[0][3], lifts[0][4]), (None, None));
}
