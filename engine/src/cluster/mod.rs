//! Size-constrained K-Medians (being written).
pub mod assign;
