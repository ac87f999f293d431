//! The hash map of the engine's hottest lookup, a file's cells in their column's dictionary: the hasher
//! that is fast *and* spreads these keys well on each target.
//!
//! A short cell is looked up as two 64-bit words. `rustc-hash` hashes a word with one multiply; natively
//! that multiply is 64-bit and spreads the words well. In wasm32 it works in 32 bits, and a key that
//! differs from another only in its high bytes (amounts such as `3633.71`) then differs in few of the bits
//! the table probes with: on a column of 428k distinct amounts, lookups that should touch one slot compare
//! dozens of keys: 15x slower than a well-spread hash in a native emulation of the 32-bit one, and in
//! Chromium the lookups took 3.1 s of the worker's 5.9 s reading the benchmark's million-row file (1.6 s
//! with the hash below). In wasm32 [`foldhash`]'s fast hasher, which multiplies into 128 bits and folds
//! the halves, is used instead, with its fixed seed. Either way the same keys land in the same places on
//! every run; nothing iterates these maps, so which hasher is used changes no result.

/// A hash map with the hasher above.
#[cfg(target_pointer_width = "32")]
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// A hash map with the hasher above.
#[cfg(not(target_pointer_width = "32"))]
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;
