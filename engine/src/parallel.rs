//! Work shared among the cores natively, with results that do not depend on how many threads did it. In
//! wasm32 the engine runs in one Web Worker and everything stays on its thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Rows below which a table is read and written on one thread (a thread's start and the copies it needs
/// cost more than they save).
pub(crate) const ROWS_FOR_THREADS: usize = 50_000;

/// The cores this process may use; always one in wasm32.
pub(crate) fn cores() -> usize {
    if cfg!(target_arch = "wasm32") {
        return 1;
    }
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `items` mapped by `map`, in their order, on up to `threads` threads. Each thread takes the next item
/// not yet taken, so items of very different cost (a table's columns) keep every thread busy; the result
/// is the sequential map's whatever the threads.
pub(crate) fn map_in_order<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    map: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.into_iter().map(map).collect();
    }
    let slots: Vec<Mutex<(Option<T>, Option<R>)>> = items
        .into_iter()
        .map(|item| Mutex::new((Some(item), None)))
        .collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| loop {
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = slots.get(at) else { break };
                    let item = lock(slot).0.take();
                    if let Some(item) = item {
                        let result = map(item);
                        lock(slot).1 = Some(result);
                    }
                })
            })
            .collect();
        for worker in workers {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            let (_, result) = slot
                .into_inner()
                .unwrap_or_else(|poison| poison.into_inner());
            result.expect("every item is mapped by the thread that took it")
        })
        .collect()
}

/// The slot's lock; a slot is only ever held by one thread at a time, so a poisoned one (a panic, which
/// is raised on join) still holds consistent data.
fn lock<S>(slot: &Mutex<S>) -> std::sync::MutexGuard<'_, S> {
    slot.lock().unwrap_or_else(|poison| poison.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_mapped_on_threads_are_the_sequential_map_in_order() {
        let items: Vec<u64> = (0..101).collect();
        // Costs that differ a lot from item to item, so threads finish out of order.
        let slow_square = |n: u64| {
            if n.is_multiple_of(10) {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            n * n
        };
        let sequential: Vec<u64> = items.iter().map(|&n| n * n).collect();
        for threads in [0, 1, 2, 3, 8, 200] {
            assert_eq!(
                map_in_order(items.clone(), threads, slow_square),
                sequential,
                "{threads} threads"
            );
        }
        assert!(map_in_order(Vec::<u64>::new(), 4, slow_square).is_empty());
    }
}
