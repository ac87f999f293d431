//! Rows shared among threads natively, in contiguous blocks whose results do not depend on how many
//! threads there are (each row's value is computed alone; anything summed over rows is summed afterwards,
//! in row order). In wasm32 the engine runs in one Web Worker and everything stays on its thread.

/// Row values below which [`in_row_blocks`] stays on one thread (starting a thread costs more than the rows
/// it would share).
const VALUES_PER_THREAD: usize = 250_000;
/// Most threads [`in_row_blocks`] uses.
const MAX_THREADS: usize = 8;

/// Threads for `values` row values: the cores the process may use (at most [`MAX_THREADS`]), one per
/// [`VALUES_PER_THREAD`]; always one in wasm32.
pub(super) fn threads_for(values: usize) -> usize {
    crate::parallel::cores()
        .min(MAX_THREADS)
        .min(values / VALUES_PER_THREAD)
        .max(1)
}

/// Calls `fill_block(first_row, block)` on contiguous blocks of `out` (`width` values per row), one per
/// thread (callers pass [`threads_for`] of `out`'s length), and returns the blocks' results in row order.
/// `out` is covered exactly once.
pub(super) fn in_row_blocks<T: Send, R: Send>(
    out: &mut [T],
    width: usize,
    threads: usize,
    fill_block: impl Fn(usize, &mut [T]) -> R + Sync,
) -> Vec<R> {
    let width = width.max(1);
    let rows = out.len() / width;
    if threads <= 1 || rows < 2 {
        return vec![fill_block(0, out)];
    }
    let rows_per_block = rows.div_ceil(threads);
    std::thread::scope(|scope| {
        let blocks: Vec<_> = out
            .chunks_mut(rows_per_block * width)
            .enumerate()
            .map(|(b, block)| {
                let fill_block = &fill_block;
                scope.spawn(move || fill_block(b * rows_per_block, block))
            })
            .collect();
        blocks
            .into_iter()
            .map(|block| match block.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_filled_once_by_the_block_that_holds_it() {
        for (rows, width, threads) in [(0, 3, 2), (1, 3, 2), (7, 1, 3), (7, 2, 8), (1_003, 2, 4)] {
            let mut out = vec![0usize; rows * width];
            let firsts = in_row_blocks(&mut out, width, threads, |first, block| {
                for (offset, row) in block.chunks_exact_mut(width).enumerate() {
                    row.iter_mut().for_each(|v| *v += first + offset + 1);
                }
                first
            });
            assert!(out
                .chunks_exact(width)
                .enumerate()
                .all(|(i, row)| row.iter().all(|&v| v == i + 1)));
            assert_eq!(firsts[0], 0);
            assert!(firsts.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(firsts.len(), if rows < 2 { 1 } else { threads.min(rows) });
        }
    }
}
