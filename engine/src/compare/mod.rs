//! Two segments side by side (work in progress).
