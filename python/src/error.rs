//! Why a call failed: a kind the Python side maps to its own exception class, and the engine's message.

/// What failed; each kind is one Python exception class (`audience_builder.errors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The CSV could not be read.
    Ingest,
    /// A named column is not in the data, or cannot be used as asked.
    Columns,
    /// The chosen columns cannot be encoded.
    Encode,
    /// The size bounds or k cannot hold, or the fit failed.
    Cluster,
    /// The segments could not be profiled.
    Profile,
    /// A saved model is damaged or does not fit the data.
    Model,
    /// An export could not be written.
    Export,
    /// A setting is malformed.
    Options,
}

/// A failure with the engine's message (what is wrong, the numbers involved, what to do).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// What failed.
    pub kind: FailureKind,
    /// The message shown to the user.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` saying `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }
}
