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
    //
    // A row alone in its profile so far stays alone whatever the next columns hold, and its pair appears
    // nowhere else: it takes the next number without the hash table. On files of many distinct customers
    // most rows are alone after a few columns, and the table holds only the rest.
    //
    // The last ids do not depend on the order the columns are taken in (two rows share one exactly when
    // they agree on every column, and ids number profiles by first appearance), so the columns with the
    // most distinct texts go first: rows are alone sooner, and fewer of them are looked up.
    let mut columns = columns.to_vec();
    columns.sort_by_key(|&i| std::cmp::Reverse(table.columns()[i].dictionary().len()));
    let n_rows = table.n_rows();
    let mut ids = vec![0u32; n_rows];
    // Rows per id.
    let mut sizes: Vec<u32> = if n_rows > 0 {
        vec![n_rows as u32]
    } else {
        Vec::new()
    };
    let mut next_sizes: Vec<u32> = Vec::new();
    let mut index: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    let mut dense: Vec<u32> = Vec::new();
    for i in columns {
        if sizes.len() == n_rows {
            // Every row is alone: no column can split a profile further.
            break;
        }
        let column = &table.columns()[i];
        let key_of_code = ValueKeys::keys_of_codes(column);
        let codes = column.codes();
        // A missing cell counts as one more key, after the present ones.
        let width = key_of_code
            .iter()
            .flatten()
            .max()
            .map_or(0, |&k| k as usize + 1)
            + 1;
        let missing_key = width as u32 - 1;
        // Pairs (id, key) looked up in a table of every pair where it takes at most two slots per row (the
        // first column always: one id), else hashed.
        let by_slot = sizes
            .len()
            .checked_mul(width)
            .is_some_and(|slots| slots <= 2 * n_rows.max(1));
        if by_slot {
            dense.clear();
            dense.resize(sizes.len() * width, u32::MAX);
        } else {
            index.clear();
        }
        next_sizes.clear();
        for (row, id) in ids.iter_mut().enumerate() {
            let next = next_sizes.len() as u32;
            if sizes[*id as usize] == 1 {
                *id = next;
                next_sizes.push(1);
                continue;
            }
            let key = key_of_code[codes.get(row) as usize].unwrap_or(missing_key);
            let new_id = if by_slot {
                let slot = &mut dense[*id as usize * width + key as usize];
                if *slot == u32::MAX {
                    *slot = next;
                }
                *slot
            } else {
                *index.entry((*id, key)).or_insert(next)
            };
            if new_id == next {
                next_sizes.push(0);
            }
            next_sizes[new_id as usize] += 1;
            *id = new_id;
        }
        std::mem::swap(&mut sizes, &mut next_sizes);
    }
    (ids, sizes.len())
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

    /// The ids of [`profile_ids`] found the plain way: each row's values on `columns`, numbered by first
    /// appearance.
    fn profile_ids_by_values(table: &Table, columns: &[usize]) -> (Vec<u32>, usize) {
        let mut seen: std::collections::HashMap<Vec<Option<u32>>, u32> = Default::default();
        let keys: Vec<ValueKeys> = columns
            .iter()
            .map(|&i| ValueKeys::of(&table.columns()[i]))
            .collect();
        let ids = (0..table.n_rows())
            .map(|row| {
                let profile: Vec<Option<u32>> = columns
                    .iter()
                    .zip(&keys)
                    .map(|(&i, keys)| keys.key(&table.columns()[i], row))
                    .collect();
                let next = seen.len() as u32;
                *seen.entry(profile).or_insert(next)
            })
            .collect();
        (ids, seen.len())
    }

    #[test]
    fn rows_alone_in_their_profile_early_are_numbered_as_the_plain_way_numbers_them() {
        // Column x leaves rows 1 and 4 alone at once; y splits the rest but for rows 0, 3 and 6; z splits
        // those, and a profile once alone stays alone whatever z holds.
        let csv = "x,y,z\na,1,2\nb,1,2\na,2,2\na,1,3\nc,1,2\na,2,9\na,1,2\n";
        let file = table(csv);
        for columns in [
            vec![0, 1, 2],
            vec![2, 1, 0],
            vec![1, 0],
            vec![0],
            vec![1, 2, 0],
        ] {
            assert_eq!(
                profile_ids(&file, &columns),
                profile_ids_by_values(&file, &columns),
                "columns {columns:?}"
            );
        }
        // Columns of very different numbers of distinct values (taken most distinct first), missing
        // cells and texts equal once trimmed: the ids are the plain way's in any order of the columns.
        let mut csv = String::from("few,some,many,most\n");
        for row in 0..600u32 {
            let most = match row % 7 {
                0 => String::new(),
                1 => format!(" {}", row * 31 % 250),
                _ => (row * 31 % 250).to_string(),
            };
            csv.push_str(&format!(
                "{},{},{},{most}\n",
                row % 2,
                row * 7 % 3,
                row * 13 % 40
            ));
        }
        let file = table(&csv);
        for columns in [vec![0, 1, 2, 3], vec![3, 2, 1, 0], vec![1, 3], vec![2, 0]] {
            assert_eq!(
                profile_ids(&file, &columns),
                profile_ids_by_values(&file, &columns),
                "columns {columns:?}"
            );
        }
        // Every row distinct after x and y: z is not needed, the ids are the rows.
        let distinct = table("x,y,z\na,1,5\nb,1,5\na,2,5\nb,2,5\n");
        assert_eq!(profile_ids(&distinct, &[0, 1, 2]), (vec![0, 1, 2, 3], 4));
    }
}
