//! Rows' profiles on the segmentation columns, for finding segments that are identical on all of them.

use rustc_hash::FxHashMap;

use super::stats::ValueKeys;
use crate::table::Table;

/// The profile of each row on `columns` (indices into `table`): rows with the same id hold the same value
/// (trimmed text or level; missing equal to missing) in every one of these columns. Returns the ids,
/// numbered by first appearance, and the number of distinct profiles.
pub(crate) fn profile_ids(table: &Table, columns: &[usize]) -> (Vec<u32>, usize) {
    // One column at a time: a row's id after column c numbers the pair (its id before c, its key in c) by
    // first appearance. Pairs of numbers hash cheaply and need no allocation, and because each pair stands
    // for exactly one prefix of values, the last ids number the whole profiles by first appearance.
    let mut ids = vec![0u32; table.n_rows()];
    let mut distinct = usize::from(table.n_rows() > 0);
    let mut index: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    for &i in columns {
        let column = &table.columns()[i];
        let keys = ValueKeys::of(column);
        index.clear();
        index.reserve(distinct);
        for (row, id) in ids.iter_mut().enumerate() {
            let key = keys.key(column, row).unwrap_or(u32::MAX);
            let next = index.len() as u32;
            *id = *index.entry((*id, key)).or_insert(next);
        }
        distinct = index.len();
    }
    (ids, distinct)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::table;
    use super::*;

    #[test]
    fn rows_with_the_same_values_share_an_id_numbered_by_first_appearance() {
        // Missing equals missing; " b" and "b" are the same trimmed text; 2 and 2.0 are different texts.
        let csv = "x,y,z\na,1,2\nb,,2\na,1,2\n b,,2\na,1,2.0\nc,3,\na,1,2\n";
        let table = table(csv);
        let (ids, distinct) = profile_ids(&table, &[0, 1, 2]);
        assert_eq!(ids, [0, 1, 0, 1, 2, 3, 0]);
        assert_eq!(distinct, 4);
        let (ids, distinct) = profile_ids(&table, &[1]);
        assert_eq!(ids, [0, 1, 0, 1, 0, 2, 0]);
        assert_eq!(distinct, 3);
        assert_eq!(profile_ids(&table, &[]), (vec![0; 7], 1));
    }
}
