//! Rows' profiles on the segmentation columns, for finding segments that are identical on all of them.

use rustc_hash::FxHashMap;

use super::stats::ValueKeys;
use crate::table::Table;

/// The profile of each row on `columns` (indices into `table`): rows with the same id hold the same value
/// (trimmed text or level; missing equal to missing) in every one of these columns. Returns the ids,
/// numbered by first appearance, and the number of distinct profiles.
pub(crate) fn profile_ids(table: &Table, columns: &[usize]) -> (Vec<u32>, usize) {
    let keyed: Vec<(&crate::table::Column, ValueKeys)> = columns
        .iter()
        .map(|&i| {
            let column = &table.columns()[i];
            (column, ValueKeys::of(column))
        })
        .collect();
    let mut index: FxHashMap<Vec<Option<u32>>, u32> = FxHashMap::default();
    let mut key = Vec::with_capacity(keyed.len());
    let ids = (0..table.n_rows())
        .map(|row| {
            key.clear();
            key.extend(keyed.iter().map(|(column, keys)| keys.key(column, row)));
            if let Some(&id) = index.get(&key) {
                return id;
            }
            let id = index.len() as u32;
            index.insert(key.clone(), id);
            id
        })
        .collect();
    (ids, index.len())
}
