use super::apply::{apply, encode_for_model, ApplyError, ApplyNote, BoundsMode};
use super::lookalike::{score_rows, Band};
use super::*;
use crate::cluster::{KChoice, KMediansParams, ShareBounds};
use crate::encode::{default_selection, encode};
use crate::ingest::{read_table, IngestOptions};

/// 60 customers in three planted groups, mixing numeric, categorical, binary and ordinal columns, with a
/// few missing cells.
fn training_csv() -> String {
    let mut csv = String::from("id,age,income,plan,member,size_band\n");
    for i in 0..60 {
        let g = i % 3;
        let jitter = (i * 7 % 11) as f64;
        let (age, income, plan, member, band) = match g {
            0 => (
                22.0 + jitter,
                20_000.0 + 300.0 * jitter,
                "basic",
                "no",
                "1-10",
            ),
            1 => (
                40.0 + jitter,
                55_000.0 + 500.0 * jitter,
                "plus",
                "yes",
                "11-50",
            ),
            _ => (
                63.0 + jitter,
                98_000.0 + 700.0 * jitter,
                "premium",
                "yes",
                "51-200",
            ),
        };
        let age = if i == 7 {
            String::new()
        } else {
            age.to_string()
        };
        csv += &format!("C{i:03},{age},{income},{plan},{member},{band}\n");
    }
    csv
}

fn table_of(csv: &str) -> Table {
    read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table
}

/// The model of the training file (k = 3, shares 20–50 %), and the fitted labels.
fn trained() -> (SegmentationModel, Vec<u32>) {
    let table = table_of(&training_csv());
    let matrix = encode(&table, &default_selection(&table, None)).unwrap();
    let fit = KMediansParams::new()
        .with_k(KChoice::Fixed(3))
        .with_bounds(Some(ShareBounds { min: 0.2, max: 0.5 }))
        .with_seed(5)
        .fit(&matrix)
        .unwrap();
    assert!(fit.converged);
    let model = SegmentationModel::from_fit(&table, &matrix, &fit, 3).unwrap();
    (model, fit.labels)
}

fn saved_and_read(model: &SegmentationModel) -> SegmentationModel {
    read_model_json(&model_json(model).unwrap()).unwrap()
}

#[test]
fn the_model_lists_each_column_with_its_encoding_and_no_data_row() {
    let (model, _) = trained();
    let kinds: Vec<(&str, &str)> = model
        .variables
        .iter()
        .map(|v| {
            let kind = match v.encoding {
                Encoding::Scaled { .. } => "scaled",
                Encoding::Binary { .. } => "binary",
                Encoding::OneHot { .. } => "one_hot",
                Encoding::AllMissing { .. } => "all_missing",
            };
            (v.name.as_str(), kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("age", "scaled"),
            ("income", "scaled"),
            ("plan", "one_hot"),
            ("member", "binary"),
            ("size_band", "scaled")
        ]
    );
    let json = model_json(&model).unwrap();
    assert!(!json.contains("C001"), "an ID leaked into the model");
    assert_eq!(model.k, 3);
    assert_eq!(
        model.segments.iter().map(|s| s.number).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(model
        .segments
        .iter()
        .all(|s| s.member_distances.len() == 11));
}

#[test]
fn applying_a_model_to_its_own_training_file_gives_back_the_same_labels() {
    let (model, labels) = trained();
    let model = saved_and_read(&model);
    let table = table_of(&training_csv());
    let applied = apply(&model, &table, BoundsMode::Exact, &IngestOptions::default()).unwrap();
    assert_eq!(applied.labels, labels);
    assert!(applied.notes.is_empty());
    // The planted groups are far apart: nearest center gives the same labels too.
    let nearest = apply(
        &model,
        &table,
        BoundsMode::Nearest,
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(nearest.labels, labels);
}

#[test]
fn the_training_file_re_encodes_to_the_fitted_matrix_bit_for_bit() {
    let (model, _) = trained();
    let table = table_of(&training_csv());
    let fitted = encode(&table, &default_selection(&table, None)).unwrap();
    let (again, _) =
        encode_for_model(&saved_and_read(&model), &table, &IngestOptions::default()).unwrap();
    let bits = |m: &EncodedMatrix| m.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&again), bits(&fitted));
    assert_eq!(again.total_weight(), fitted.total_weight());
}

#[test]
fn shuffled_rows_keep_the_same_segment_per_customer() {
    let (model, labels) = trained();
    let csv = training_csv();
    let mut lines: Vec<&str> = csv.lines().collect();
    let header = lines.remove(0);
    // A fixed permutation: row i goes to position (i * 37) mod 60.
    let mut shuffled = vec![""; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        shuffled[i * 37 % 60] = line;
    }
    let text = format!("{header}\n{}\n", shuffled.join("\n"));
    let table = table_of(&text);
    let applied = apply(&model, &table, BoundsMode::Exact, &IngestOptions::default()).unwrap();
    let ids = table.column("id").unwrap();
    for (row, &label) in applied.labels.iter().enumerate() {
        let original: usize = ids.text(row)[1..].parse().unwrap();
        assert_eq!(label, labels[original], "customer {}", ids.text(row));
    }
}

#[test]
fn a_missing_column_is_refused_with_its_name_and_the_file_columns() {
    let (model, _) = trained();
    let csv = training_csv().replace("income,", "salary,");
    let error = apply(
        &model,
        &table_of(&csv),
        BoundsMode::Exact,
        &IngestOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(&error, ApplyError::MissingColumns { missing, .. } if missing == &["income"]));
    let message = error.to_string();
    assert!(message.contains("no column \"income\""), "{message}");
    assert!(message.contains("salary"), "{message}");
}

#[test]
fn a_new_category_level_is_reported_with_its_row_count_and_placed_by_the_other_columns() {
    let (model, labels) = trained();
    // Two "plus" customers now have a plan the model never saw.
    let csv = training_csv().replacen(",plus,", ",gold,", 2);
    let table = table_of(&csv);
    let applied = apply(&model, &table, BoundsMode::Exact, &IngestOptions::default()).unwrap();
    assert_eq!(
        applied.notes,
        [ApplyNote::NewLevels {
            column: "plan".into(),
            levels: vec![("gold".into(), 2)],
            rows: 2
        }]
    );
    assert!(applied.notes[0]
        .message()
        .contains("\"gold\" (2 rows); those 2 rows were placed by their other columns"));
    // Their other columns still say "plus-like": same segments as before.
    assert_eq!(applied.labels, labels);
}

#[test]
fn a_retyped_column_is_refused_with_the_saved_type_and_an_example() {
    let (model, _) = trained();
    let mut csv = String::from("id,age,income,plan,member,size_band\n");
    for (i, line) in training_csv().lines().skip(1).enumerate() {
        let mut fields: Vec<String> = line.split(',').map(String::from).collect();
        fields[2] = ["low", "mid", "high"][i % 3].to_string();
        csv += &(fields.join(",") + "\n");
    }
    let error = apply(
        &model,
        &table_of(&csv),
        BoundsMode::Exact,
        &IngestOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, ApplyError::Retyped { column, expected: ColumnType::Numeric, unreadable: 60, present: 60, .. } if column == "income"),
        "{error:?}"
    );
    assert!(error.to_string().starts_with(
        "the column \"income\" held numbers when the segmentation was saved, but 60 of its 60 filled cells"
    ));
}

#[test]
fn exact_bounds_that_cannot_hold_for_a_small_file_name_the_numbers() {
    let (model, _) = trained();
    let csv: String = training_csv()
        .lines()
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    let error = apply(
        &model,
        &table_of(&csv),
        BoundsMode::Exact,
        &IngestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "1 rows cannot be split into 3 segments of 1 to 0 rows each (the saved shares 0.2–0.5); use \
         --bounds nearest to place each row by its nearest segment instead"
    );
    let nearest = apply(
        &model,
        &table_of(&csv),
        BoundsMode::Nearest,
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(nearest.labels.len(), 1);
}

#[test]
fn exact_bounds_move_rows_out_of_a_crowded_segment_nearest_does_not() {
    let (model, labels) = trained();
    // A new file where every customer looks like group 0: nearest puts all in one segment, exact keeps
    // every segment within 20–50 % of the rows.
    let csv: String = training_csv()
        .lines()
        .enumerate()
        .filter(|(i, _)| *i == 0 || (i - 1) % 3 == 0)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n");
    let table = table_of(&csv);
    let nearest = apply(
        &model,
        &table,
        BoundsMode::Nearest,
        &IngestOptions::default(),
    )
    .unwrap();
    assert!(nearest.labels.iter().all(|&l| l == labels[0]));
    let exact = apply(&model, &table, BoundsMode::Exact, &IngestOptions::default()).unwrap();
    assert!(
        exact.sizes.iter().all(|&s| (4..=10).contains(&s)),
        "{:?}",
        exact.sizes
    );
    assert_eq!(exact.at_nearest, 10);
}

#[test]
fn a_prospect_like_a_segment_scores_strong_and_one_like_another_is_not_a_match() {
    let (model, labels) = trained();
    let model = model.with_names(&[Some("Young".into()), None, None]);
    let table = table_of(&training_csv());
    let (matrix, _) = encode_for_model(&model, &table, &IngestOptions::default()).unwrap();
    let target = labels[0] + 1;
    let scores = score_rows(&model, &matrix, target).unwrap();
    let other = labels.iter().position(|&l| l != labels[0]).unwrap();
    assert_eq!(scores[other].band, Band::NotAMatch);
    assert_eq!(scores[other].score, 0.0);
    let members: Vec<usize> = (0..60).filter(|&r| labels[r] == labels[0]).collect();
    assert!(members.iter().all(|&r| scores[r].band != Band::NotAMatch));
    let strong = members
        .iter()
        .filter(|&&r| scores[r].band == Band::Strong)
        .count();
    assert!(strong >= members.len() / 2, "{strong} of {}", members.len());
    let text = super::lookalike::explain(&model, target, &scores[other]);
    assert!(text.starts_with("resembles segment"), "{text}");
    assert!(text.ends_with(&format!(
        "more than {}",
        model.segment_phrase(labels[0] as usize)
    )));
    assert!(matches!(
        score_rows(&model, &matrix, 4),
        Err(super::lookalike::LookalikeError::NoSuchSegment { number: 4, k: 3 })
    ));
}

#[test]
fn a_document_of_another_kind_or_version_is_refused() {
    let (model, _) = trained();
    let json = model_json(&model)
        .unwrap()
        .replace("\"version\": 1", "\"version\": 2");
    assert!(matches!(
        read_model_json(&json),
        Err(ModelError::WrongSchema { version: 2, .. })
    ));
    let mut broken = model.clone();
    broken.segments[1].center.pop();
    let error = read_model_json(&model_json(&broken).unwrap()).unwrap_err();
    assert!(
        error.to_string().contains("the center of segment 2 has"),
        "{error}"
    );
}

#[test]
fn a_one_zero_column_read_as_numbers_in_a_new_file_is_still_matched_as_yes_no() {
    // Training: `member` is 1/0 (binary). New file: every customer is a member, so the column holds only
    // "1" and reads as numeric; it is re-read as binary, not refused.
    let mut csv = String::from("age,member\n");
    for i in 0..40 {
        csv += &format!("{},{}\n", if i % 2 == 0 { 25 } else { 60 } + i % 3, i % 2);
    }
    let table = table_of(&csv);
    assert_eq!(
        table.column("member").unwrap().column_type(),
        ColumnType::Binary
    );
    let matrix = encode(&table, &default_selection(&table, None)).unwrap();
    let fit = KMediansParams::new()
        .with_k(KChoice::Fixed(2))
        .with_bounds(None)
        .fit(&matrix)
        .unwrap();
    let model = SegmentationModel::from_fit(&table, &matrix, &fit, 1).unwrap();
    let members = "age,member\n61,1\n62,1\n26,1\n";
    let new = table_of(members);
    assert_eq!(
        new.column("member").unwrap().column_type(),
        ColumnType::Numeric
    );
    let (encoded, notes) = encode_for_model(&model, &new, &IngestOptions::default()).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    // The member dimension is the binary one, at its weight (1) for "1".
    assert_eq!(encoded.row(0)[1], 1.0);
    let applied = apply(&model, &new, BoundsMode::Nearest, &IngestOptions::default()).unwrap();
    let old_rows = |age: u32| {
        fit.labels[(0..40)
            .find(|&i| (if i % 2 == 0 { 25 } else { 60 } + i % 3) == age)
            .unwrap() as usize]
    };
    assert_eq!(applied.labels[0], old_rows(61));
    // A young member sits between the groups, nearer the old members by the member column.
    assert_eq!(applied.labels[2], old_rows(61));
}

#[test]
fn a_band_the_model_never_saw_takes_its_place_on_the_saved_scale() {
    let (model, _) = trained();
    // "201-500" lies above every training band: it reads as ordinal and clips to the top of the range.
    let csv = training_csv().replacen(",51-200\n", ",201-500\n", 1);
    let table = table_of(&csv);
    let (matrix, notes) = encode_for_model(&model, &table, &IngestOptions::default()).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let band = model.n_dims() - 1;
    let row = (0..60)
        .find(|&r| table.column("size_band").unwrap().text(r) == "201-500")
        .unwrap();
    assert_eq!(matrix.row(row)[band], 1.0);
}

/// The demo leads file of `rows` rows (seed 7) fitted as `audience segment` fits it by default (automatic
/// k, shares 5–10 %, 3 restarts, seed 0; the given tolerance), with its model written and read back.
fn demo_fit(
    rows: usize,
    tolerance: Option<f64>,
) -> (
    Table,
    EncodedMatrix,
    crate::cluster::Segmentation,
    SegmentationModel,
) {
    let leads = crate::demo::generate(&crate::demo::DemoParams { rows, seed: 7 }).unwrap();
    let table = table_of(&leads.to_csv());
    let matrix = encode(&table, &default_selection(&table, Some("is_sale"))).unwrap();
    let mut params = KMediansParams::new()
        .with_bounds(Some(ShareBounds {
            min: 0.05,
            max: 0.10,
        }))
        .with_restarts(3)
        .with_seed(0);
    if let Some(tolerance) = tolerance {
        params = params.with_tolerance(tolerance);
    }
    let fit = params.fit(&matrix).unwrap();
    let model = saved_and_read(&SegmentationModel::from_fit(&table, &matrix, &fit, 3).unwrap());
    (table, matrix, fit, model)
}

#[test]
fn the_demo_file_applied_to_itself_with_exact_bounds_gives_back_every_label() {
    // 300 demo leads is the smallest demo file found where an earlier apply (the final medians, solved
    // in file order from zero prices) gave 4 rows another segment: rows equally well placed in two
    // segments, split by the fit's row order and warm start.
    let (table, _, fit, model) = demo_fit(300, None);
    let options = IngestOptions::default();
    let applied = apply(&model, &table, BoundsMode::Exact, &options).unwrap();
    assert_eq!(applied.labels, fit.labels);
    assert_eq!(applied.sizes, fit.sizes);
}

#[test]
fn a_fit_stopped_by_its_tolerance_is_applied_back_with_the_centers_that_assigned_it() {
    // A loose tolerance stops the fit while the medians of its final labels still differ from the centers
    // those labels were assigned to; the model keeps the latter.
    let (table, _, fit, model) = demo_fit(300, Some(0.05));
    assert_ne!(fit.centers, fit.assign_centers);
    let saved: Vec<f32> = model
        .segments
        .iter()
        .flat_map(|s| s.center.clone())
        .collect();
    assert_eq!(saved, fit.assign_centers);
    let applied = apply(&model, &table, BoundsMode::Exact, &IngestOptions::default()).unwrap();
    assert_eq!(applied.labels, fit.labels);
}

#[test]
fn shuffled_demo_rows_keep_their_segment_per_customer_by_nearest_center_and_exact_bounds() {
    let (table, matrix, _, model) = demo_fit(300, None);
    let options = IngestOptions::default();
    let (shuffled, order) = shuffled_table(&table, 37);
    // Two pairs of demo leads are identical on the columns used; every other lead is unique.
    let (rows, _) = identical_groups(&matrix, &[0; 300]);
    assert_eq!(matrix.n_rows, 300);
    assert_eq!(rows, 4);
    let shuffled_matrix = matrix.select_rows(&order);
    for mode in [BoundsMode::Nearest, BoundsMode::Exact] {
        let before = apply(&model, &table, mode, &options).unwrap();
        let after = apply(&model, &shuffled, mode, &options).unwrap();
        // Each unique customer keeps its segment; each pair keeps its segments between them.
        assert_eq!(
            labels_by_content(&shuffled_matrix, &after.labels),
            labels_by_content(&matrix, &before.labels),
            "{mode:?}"
        );
    }
}

/// Each row's encoded values (as bits) with its label, sorted: the same list for the same customers
/// in any order when each keeps its segment (identical customers being interchangeable).
fn labels_by_content(matrix: &EncodedMatrix, labels: &[u32]) -> Vec<(Vec<u32>, u32)> {
    let mut pairs: Vec<(Vec<u32>, u32)> = (0..matrix.n_rows)
        .map(|row| {
            (
                matrix.row(row).iter().map(|v| v.to_bits()).collect(),
                labels[row],
            )
        })
        .collect();
    pairs.sort();
    pairs
}

/// Customers in groups identical on every encoded value, and of those, customers in a group whose
/// labels differ (counted on the encoded values' bits, independently of the engine's order).
fn identical_groups(matrix: &EncodedMatrix, labels: &[u32]) -> (usize, usize) {
    let mut groups: std::collections::BTreeMap<Vec<u32>, Vec<u32>> = Default::default();
    for (row, &label) in labels.iter().enumerate() {
        let key = matrix
            .row(row)
            .iter()
            .map(|v| if v.is_nan() { u32::MAX } else { v.to_bits() })
            .collect();
        groups.entry(key).or_default().push(label);
    }
    let shared = groups.values().filter(|g| g.len() > 1);
    let rows = shared.clone().map(Vec::len).sum();
    let split = shared
        .filter(|g| g.iter().any(|&l| l != g[0]))
        .map(Vec::len)
        .sum();
    (rows, split)
}

/// Per group of identical customers (by the text of the clustering columns), the count per segment.
fn counts_per_group(
    table: &Table,
    labels: &[u32],
) -> std::collections::BTreeMap<String, Vec<usize>> {
    let mut counts: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (row, &label) in labels.iter().enumerate() {
        let key: Vec<&str> = ["age", "income", "plan", "member", "size_band"]
            .iter()
            .map(|name| table.column(name).unwrap().text(row))
            .collect();
        counts.entry(key.join("|")).or_insert_with(|| vec![0; 3])[label as usize] += 1;
    }
    counts
}

#[test]
fn identical_customers_shuffled_keep_their_counts_per_segment_and_are_reported() {
    let (model, _) = trained();
    // The training file plus 30 copies of customer C003 under new ids: 50 "basic" customers for a
    // segment of at most 45 (50 % of 90), so the copies must be split.
    let mut csv = training_csv();
    let c003 = csv
        .lines()
        .find(|l| l.starts_with("C003,"))
        .unwrap()
        .to_string();
    for i in 0..30 {
        csv += &format!("D{i:03}{}\n", &c003[4..]);
    }
    let table = table_of(&csv);
    let (shuffled, _) = shuffled_table(&table, 41);
    let options = IngestOptions::default();
    let before = apply(&model, &table, BoundsMode::Exact, &options).unwrap();
    let after = apply(&model, &shuffled, BoundsMode::Exact, &options).unwrap();
    assert_eq!(
        counts_per_group(&shuffled, &after.labels),
        counts_per_group(&table, &before.labels)
    );
    let (matrix, _) = encode_for_model(&model, &table, &options).unwrap();
    let (rows, split) = identical_groups(&matrix, &before.labels);
    assert!(rows >= 31 && split >= 31, "{rows} shared, {split} split");
    let note = ApplyNote::SharedValues { rows, split };
    assert!(before.notes.contains(&note), "{:?}", before.notes);
    assert!(after.notes.contains(&note), "{:?}", after.notes);
    let message = note.message();
    assert!(
        message.starts_with(&format!("{rows} customers share their values")),
        "{message}"
    );
    assert!(message.contains("arbitrary"), "{message}");
    // Placed by nearest center, identical customers always share a segment: nothing to report.
    let nearest = apply(&model, &table, BoundsMode::Nearest, &options).unwrap();
    assert!(nearest.notes.is_empty(), "{:?}", nearest.notes);
}

#[test]
fn a_model_saved_without_assignment_prices_still_applies_and_half_priced_is_refused() {
    let (table, _, fit, model) = demo_fit(200, None);
    let mut older = model.clone();
    older
        .segments
        .iter_mut()
        .for_each(|s| s.assignment_price = None);
    let json = model_json(&older).unwrap();
    assert!(!json.contains("assignment_price"));
    let older = read_model_json(&json).unwrap();
    let applied = apply(&older, &table, BoundsMode::Exact, &IngestOptions::default()).unwrap();
    assert_eq!(applied.labels.len(), fit.labels.len());
    let mut damaged = model;
    damaged.segments[0].assignment_price = None;
    let message = read_model_json(&model_json(&damaged).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(&format!("{} of the {} segments", fit.k - 1, fit.k)),
        "{message}"
    );
}

/// The table with its rows in a fixed order (row `i` of the result is row `order[i]` of `table`).
fn shuffled_table(table: &Table, step: usize) -> (Table, Vec<usize>) {
    let n = table.n_rows();
    let mut order: Vec<usize> = (0..n).collect();
    // A fixed permutation: Fisher–Yates driven by a simple counter.
    for i in (1..n).rev() {
        order.swap(i, (i * step + 11) % (i + 1));
    }
    let names: Vec<String> = table.columns().iter().map(|c| c.name.clone()).collect();
    let mut csv = names.join(",") + "\n";
    for &row in &order {
        let cells: Vec<String> = table
            .columns()
            .iter()
            .map(|c| c.text(row).to_string())
            .collect();
        csv += &(cells.join(",") + "\n");
    }
    (table_of(&csv), order)
}
