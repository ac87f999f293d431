use super::*;
use crate::table::Level;

fn numeric(name: &str, values: &[Option<f64>]) -> Column {
    typed(
        name,
        ColumnType::Numeric,
        values.iter().map(|v| v.map(Cell::Number)),
        vec![],
    )
}

fn labelled(
    name: &str,
    column_type: ColumnType,
    labels: &[&str],
    values: &[Option<u32>],
) -> Column {
    let levels = labels
        .iter()
        .enumerate()
        .map(|(i, label)| Level {
            label: label.to_string(),
            position: match column_type {
                ColumnType::Categorical => None,
                _ => Some(i as f64),
            },
        })
        .collect();
    typed(
        name,
        column_type,
        values.iter().map(|v| v.map(Cell::Level)),
        levels,
    )
}

/// One dictionary entry per row (texts are the row numbers), which is all `encode` needs.
fn typed(
    name: &str,
    column_type: ColumnType,
    cells: impl Iterator<Item = Option<Cell>>,
    levels: Vec<Level>,
) -> Column {
    let cells: Vec<Cell> = cells.map(|c| c.unwrap_or(Cell::Missing)).collect();
    let n = cells.len();
    Column::new(
        name,
        column_type,
        (0..n as u32).collect(),
        (0..n).map(|i| i.to_string()).collect(),
        cells,
        levels,
    )
    .unwrap()
}

fn table(columns: Vec<Column>) -> Table {
    Table::new(columns).unwrap()
}

#[test]
fn a_categorical_mismatch_costs_exactly_one() {
    let t = table(vec![labelled(
        "colour",
        ColumnType::Categorical,
        &["red", "green", "blue"],
        &[Some(0), Some(1), Some(2), Some(0)],
    )]);
    let m = encode(&t, &Selection::columns(&[0])).unwrap();
    assert_eq!(m.n_dims, 3);
    assert_eq!(m.row(0), &[0.5, 0.0, 0.0]);
    assert_eq!(m.row_distance(0, 1), 1.0);
    assert_eq!(m.row_distance(1, 2), 1.0);
    assert_eq!(m.row_distance(0, 3), 0.0);
}

#[test]
fn a_full_robust_range_numeric_difference_costs_one_like_a_category_mismatch() {
    let values: Vec<Option<f64>> = (0..=100).map(|x| Some(x as f64)).collect();
    let t = table(vec![numeric("age", &values)]);
    let m = encode(&t, &Selection::columns(&[0])).unwrap();
    assert_eq!((m.dims[0].low, m.dims[0].high), (1.0, 99.0));
    // rows 1 and 99 are the ends of the robust range; 0 and 100 are clipped onto them.
    assert_eq!(m.row_distance(1, 99), 1.0);
    assert_eq!(m.row_distance(0, 100), 1.0);
    assert_eq!(m.row(0)[0], 0.0);
}

#[test]
fn weights_multiply_each_variables_contribution() {
    let t = table(vec![
        labelled(
            "c",
            ColumnType::Categorical,
            &["a", "b"],
            &[Some(0), Some(1)],
        ),
        labelled(
            "yes",
            ColumnType::Binary,
            &["no", "yes"],
            &[Some(0), Some(1)],
        ),
    ]);
    let mut selection = Selection::columns(&[0, 1]);
    selection.variables[0].weight = 3.0;
    selection.variables[1].weight = 0.5;
    let m = encode(&t, &selection).unwrap();
    assert_eq!(m.row_distance(0, 1), 3.5);
    assert_eq!(m.row(1), &[0.0, 1.5, 0.5]);
}

#[test]
fn the_order_a_selection_lists_its_columns_in_does_not_change_the_matrix() {
    let t = table(vec![
        numeric("age", &[Some(20.0), Some(40.0), None, Some(60.0)]),
        labelled(
            "plan",
            ColumnType::Categorical,
            &["basic", "plus", "pro"],
            &[Some(0), Some(2), Some(1), None],
        ),
        labelled(
            "member",
            ColumnType::Binary,
            &["no", "yes"],
            &[Some(1), Some(0), Some(0), Some(1)],
        ),
    ]);
    let weighted = |order: &[usize]| Selection {
        variables: order
            .iter()
            .map(|&column| SelectedVariable {
                column,
                weight: [1.0, 2.0, 0.5][column],
                force: false,
            })
            .collect(),
    };
    let listed = encode(&t, &weighted(&[0, 1, 2])).unwrap();
    for order in [[2, 0, 1], [1, 2, 0], [2, 1, 0]] {
        let permuted = encode(&t, &weighted(&order)).unwrap();
        assert_eq!(permuted.dims, listed.dims, "{order:?}");
        let bits = |m: &EncodedMatrix| m.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&permuted), bits(&listed), "{order:?}");
    }
    // Table order: age, then plan's three levels, then member.
    let columns: Vec<&str> = listed.dims.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(columns, ["age", "plan", "plan", "plan", "member"]);
}

#[test]
fn missing_values_stay_missing_and_the_distance_rescales_by_total_over_present_weight() {
    // Variables: numeric x (weight 1), categorical c (weight 1). Row 1 misses c: W = 2, P = 1.
    let t = table(vec![
        numeric("x", &[Some(0.0), Some(1.0), Some(0.0)]),
        labelled(
            "c",
            ColumnType::Categorical,
            &["a", "b"],
            &[Some(0), None, Some(1)],
        ),
    ]);
    let m = encode(&t, &Selection::columns(&[0, 1])).unwrap();
    assert!(m.row(1)[1].is_nan() && m.row(1)[2].is_nan());
    assert_eq!(m.total_weight(), 2.0);
    // |0 − 1| = 1 over the present variable, scaled by 2 / 1.
    assert_eq!(m.row_distance(0, 1), 2.0);
    // Both present: 0 + 1 (category mismatch), no rescaling.
    assert_eq!(m.row_distance(0, 2), 1.0);
}

#[test]
fn ordinal_levels_are_scaled_by_position() {
    let t = table(vec![labelled(
        "band",
        ColumnType::Ordinal,
        &["18-24", "25-34", "35-44"],
        &[Some(0), Some(1), Some(2)],
    )]);
    let m = encode(&t, &Selection::columns(&[0])).unwrap();
    assert_eq!(m.data, vec![0.0, 0.5, 1.0]);
}

#[test]
fn identifier_and_empty_columns_are_rejected_unless_forced() {
    let id = typed(
        "id",
        ColumnType::Identifier,
        (0..3).map(|_| Some(Cell::Text)),
        vec![],
    );
    let empty = numeric("e", &[None, None, None]);
    let t = table(vec![id, empty]);
    assert!(matches!(
        encode(&t, &Selection::columns(&[0])),
        Err(EncodeError::Identifier {
            distinct: 3,
            rows: 3,
            ..
        })
    ));
    assert_eq!(
        encode(&t, &Selection::columns(&[1])),
        Err(EncodeError::EmptyColumn {
            name: "e".into(),
            rows: 3
        })
    );
    let mut forced = Selection::columns(&[0, 1]);
    forced.variables.iter_mut().for_each(|v| v.force = true);
    let m = encode(&t, &forced).unwrap();
    assert_eq!(m.n_dims, 4); // three one-hot ids + one all-missing dimension
    assert_eq!(m.row_distance(0, 1), 2.0); // id mismatch 1, rescaled by W / P = 2 / 1
}

#[test]
fn bad_selections_are_typed_errors() {
    let t = table(vec![numeric("x", &[Some(1.0), Some(2.0)])]);
    assert_eq!(
        encode(&t, &Selection::default()),
        Err(EncodeError::NothingSelected)
    );
    assert_eq!(
        encode(&t, &Selection::columns(&[3])),
        Err(EncodeError::ColumnOutOfRange {
            index: 3,
            n_columns: 1
        })
    );
    assert!(matches!(
        encode(&t, &Selection::columns(&[0, 0])),
        Err(EncodeError::DuplicateColumn { .. })
    ));
    let mut selection = Selection::columns(&[0]);
    selection.variables[0].weight = f64::NAN;
    assert!(matches!(
        encode(&t, &selection),
        Err(EncodeError::InvalidWeight { .. })
    ));
}

#[test]
fn a_single_valued_column_is_noted() {
    let t = table(vec![numeric("x", &[Some(4.0), Some(4.0), None])]);
    let m = encode(&t, &Selection::columns(&[0])).unwrap();
    assert_eq!(
        m.notes,
        vec![
            EncodeNote::SingleValue { column: "x".into() },
            EncodeNote::RowsWithNothingKnown { count: 1 }
        ]
    );
    assert_eq!(m.row(0), &[0.0]);
    assert!(m.row(2)[0].is_nan());
}

#[test]
fn default_selection_skips_identifiers_dates_empty_and_the_target() {
    let t = table(vec![
        typed(
            "id",
            ColumnType::Identifier,
            (0..2).map(|_| Some(Cell::Text)),
            vec![],
        ),
        numeric("x", &[Some(1.0), Some(2.0)]),
        typed(
            "when",
            ColumnType::Date,
            [Some(Cell::Number(1.0)), Some(Cell::Number(2.0))].into_iter(),
            vec![],
        ),
        numeric("empty", &[None, None]),
        labelled(
            "sale",
            ColumnType::Binary,
            &["no", "yes"],
            &[Some(0), Some(1)],
        ),
        labelled("c", ColumnType::Categorical, &["a"], &[Some(0), Some(0)]),
    ]);
    let chosen: Vec<usize> = default_selection(&t, Some("sale"))
        .variables
        .iter()
        .map(|v| v.column)
        .collect();
    assert_eq!(chosen, vec![1, 5]);
}

#[test]
fn default_selection_leaves_contact_columns_out_even_when_their_values_repeat() {
    let t = table(vec![
        labelled(
            "Contact",
            ColumnType::Categorical,
            &["ann@example.com", "bad-email", "bo@shop.co.uk"],
            &[Some(0), Some(1), Some(2), Some(1)],
        ),
        numeric(
            "Phone Number",
            &[
                Some(5551234.0),
                Some(5559876.0),
                Some(5551234.0),
                Some(5550000.0),
            ],
        ),
        labelled(
            "first_name",
            ColumnType::Categorical,
            &["Ann", "Bo"],
            &[Some(0), Some(1), Some(0), Some(1)],
        ),
        labelled(
            "email_opt_in",
            ColumnType::Binary,
            &["no", "yes"],
            &[Some(0), Some(1), Some(1), Some(0)],
        ),
        numeric("phone_calls", &[Some(1.0), Some(2.0), Some(3.0), Some(1.0)]),
        labelled(
            "city",
            ColumnType::Categorical,
            &["Lyon", "Oslo"],
            &[Some(0), Some(1), Some(0), Some(0)],
        ),
    ]);
    let chosen: Vec<&str> = default_selection(&t, None)
        .variables
        .iter()
        .map(|v| t.columns()[v.column].name.as_str())
        .collect();
    assert_eq!(chosen, ["email_opt_in", "phone_calls", "city"]);
}

#[test]
fn rows_past_the_first_batch_are_encoded_from_their_own_cells() {
    // Row r holds pattern r % 7 (numbers, a missing cell, levels): every row must encode exactly as the
    // first row of its pattern, in every batch of rows the encoder writes.
    let mut csv = String::from("age,plan,region\n");
    let rows = 2 * ROWS_AT_A_TIME + 123;
    for row in 0..rows {
        let pattern = row % 7;
        let age = ["", "31", "45", "52.5", "62", "18", "40"][pattern];
        let plan = ["basic", "pro", "", "team", "pro", "basic", "team"][pattern];
        let region = ["north", "south", "east", "west", "north", "south", "east"][pattern];
        csv.push_str(&format!("{age},{plan},{region}\n"));
    }
    let table = crate::ingest::read_table(csv.as_bytes(), &Default::default())
        .unwrap()
        .table;
    let matrix = encode(&table, &Selection::columns(&[0, 1, 2])).unwrap();
    assert_eq!(matrix.n_rows, rows);
    let bits = |row: usize| -> Vec<u32> { matrix.row(row).iter().map(|v| v.to_bits()).collect() };
    for row in 0..rows {
        assert_eq!(bits(row), bits(row % 7), "row {row}");
    }
    assert_ne!(bits(0), bits(1));
}
