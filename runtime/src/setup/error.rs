//! What can go wrong in [`init`](crate::init) and the guard, said so that it
//! can be fixed.

use std::fmt;

use super::stats::ExportStats;

/// Why [`init`](crate::init) installed nothing, or why the guard could not
/// flush or shut down.
///
/// For a bad setting the message names it (the environment variable, or the
/// builder method when the value came from code), the value, and what is
/// accepted.
#[derive(Debug)]
pub struct SetupError {
    /// Where it happened: `traced::init`, or the guard.
    source: &'static str,
    message: String,
    stats: Option<ExportStats>,
}

impl SetupError {
    /// A bad value of `setting` (e.g. `OTEL_TRACES_SAMPLER`), with what is accepted.
    pub(crate) fn invalid(setting: &str, value: &str, expected: impl fmt::Display) -> Self {
        Self {
            source: "traced::init",
            message: format!("{setting}={value:?} is not valid: {expected}"),
            stats: None,
        }
    }

    /// A part of the pipeline that could not be built.
    pub(crate) fn failed(what: &str, cause: impl fmt::Display) -> Self {
        Self {
            source: "traced::init",
            message: format!("{what}: {cause}"),
            stats: None,
        }
    }

    /// A flush or shutdown of the running pipeline that did not complete.
    pub(crate) fn guard(what: &str, cause: impl fmt::Display) -> Self {
        Self {
            source: "traced",
            message: format!("{what}: {cause}"),
            stats: None,
        }
    }

    /// The same error, carrying the final counts of a failed shutdown.
    pub(crate) fn with_stats(mut self, stats: ExportStats) -> Self {
        self.stats = Some(stats);
        self
    }

    /// For an error from [`TracerGuard::shutdown`](crate::TracerGuard::shutdown):
    /// what happened to the spans, unanswered ones counted as dropped.
    pub fn stats(&self) -> Option<ExportStats> {
        self.stats
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for SetupError {}
