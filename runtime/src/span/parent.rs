//! Where a span's parent comes from: `parent = ..`, `root`, or neither.

use opentelemetry::Context;

/// Where a span's parent comes from.
#[derive(Clone, Copy, Debug)]
pub enum Parent<'a> {
    /// The current context (the default).
    Current,
    /// No parent: the span starts a new trace (`root`).
    Root,
    /// The context given by `parent = expr`.
    Explicit(&'a Context),
}
