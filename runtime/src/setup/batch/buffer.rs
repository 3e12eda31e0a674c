//! One thread's ended spans, waiting to be handed to the queue as a batch.
//!
//! Only its own thread pushes, so its lock is uncontended but for the export
//! thread's visit on each tick (spans of an idle thread must not wait for
//! the thread's next span) and for `stats`: taking it (and the handle to
//! it) costs a span a few atomic operations on a cache line no other thread
//! writes, where a shared queue would cost a line every thread writes.

use std::sync::{Mutex, MutexGuard};

use opentelemetry_sdk::trace::SpanData;

#[derive(Debug, Default)]
pub(super) struct Buffer {
    filled: Mutex<Filled>,
}

#[derive(Debug, Default)]
pub(super) struct Filled {
    pub spans: Vec<SpanData>,
    /// Every span that ended on this thread: its share of `ended`.
    pub ended: u64,
    /// Those of them dropped because the queue was full.
    pub dropped: u64,
}

impl Buffer {
    /// The buffer, locked. A panic elsewhere while it was held (an
    /// exporter's, never this code's) leaves spans that are still valid.
    pub(super) fn lock(&self) -> MutexGuard<'_, Filled> {
        self.filled.lock().unwrap_or_else(|e| e.into_inner())
    }
}
