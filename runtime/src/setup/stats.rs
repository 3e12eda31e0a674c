//! Counting what happened to the spans, and saying so once.
//!
//! The batch processor counts the spans that end and those it drops (the
//! SDK's log processor, for log records, counts neither: they are counted
//! as they are emitted, and what is not exported counts as dropped); the
//! exporter wrapper counts what was exported or failed. That gives the
//! facts without a log line per span: the first failed export of a run of
//! failures is reported when it happens, the recovery when exports work
//! again, and the totals once at shutdown.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::batch::Tally;

/// What happened to the spans recorded since [`init`](crate::init).
///
/// Read it with [`TracerGuard::stats`](crate::TracerGuard::stats); after
/// [`TracerGuard::shutdown`](crate::TracerGuard::shutdown) every ended span
/// is counted in exactly one of `exported`, `failed` and `dropped`; before
/// it, in one of those or `queued`.
///
/// ```
/// # use traced::setup::ExportStats;
/// # let stats = ExportStats { ended: 5, exported: 2, failed: 0, dropped: 1, queued: 2 };
/// assert_eq!(stats.ended, stats.exported + stats.failed + stats.dropped + stats.queued);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportStats {
    /// Sampled spans that ended.
    pub ended: u64,
    /// Spans the exporter accepted.
    pub exported: u64,
    /// Spans in batches the exporter could not send.
    pub failed: u64,
    /// Spans lost before reaching the exporter: the queue was full, or the
    /// shutdown timed out before they were sent.
    pub dropped: u64,
    /// Spans not yet exported: waiting in the queue or in an export that has
    /// not finished. Zero after shutdown (what was left counts as dropped),
    /// and always zero in `TracerGuard::log_stats` (feature `logs`),
    /// whose waiting records are counted in `dropped`.
    pub queued: u64,
}

impl ExportStats {
    /// Spans that ended and will not be exported: `failed + dropped`. Zero
    /// after a clean shutdown means every span was delivered.
    pub fn lost(&self) -> u64 {
        self.failed + self.dropped
    }

    /// Adds `other`'s counts (one exporter's) to these.
    pub(crate) fn add(&mut self, other: ExportStats) {
        self.ended += other.ended;
        self.exported += other.exported;
        self.failed += other.failed;
        self.dropped += other.dropped;
        self.queued += other.queued;
    }
}

/// Where `traced` reports export problems; standard error unless replaced with
/// [`Setup::report_with`](crate::Setup::report_with).
pub(crate) type Reporter = Arc<dyn Fn(&str) + Send + Sync>;

/// Counters shared by the processor and exporter wrappers and the guard.
pub(crate) struct Counters {
    /// Where spans are counted as they end and as they are dropped: the
    /// batch processor's own counts. Without it (log records), `ended`.
    tally: OnceLock<Tally>,
    ended: AtomicU64,
    exported: AtomicU64,
    failed: AtomicU64,
    /// Exports are failing: the start was reported, the end will be.
    failing: AtomicBool,
    /// `failed` when the current run of failures began.
    failed_before: AtomicU64,
    /// Set once the shutdown summary is out: an export cancelled after that
    /// (a collector that never answered) changes nothing and says nothing.
    closed: AtomicBool,
    /// The counts at that moment, final.
    closing: OnceLock<ExportStats>,
    destination: String,
    /// What is counted, in reports: `spans`, `log records`.
    unit: &'static str,
    report: Reporter,
}

impl Counters {
    pub(crate) fn new(destination: String, report: Reporter) -> Arc<Self> {
        Self::of("spans", destination, report)
    }

    /// Counters of `unit`s (`log records`) rather than spans.
    pub(crate) fn of(unit: &'static str, destination: String, report: Reporter) -> Arc<Self> {
        Arc::new(Self {
            tally: OnceLock::new(),
            ended: AtomicU64::new(0),
            exported: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            failing: AtomicBool::new(false),
            failed_before: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            closing: OnceLock::new(),
            destination,
            unit,
            report,
        })
    }

    /// Counts spans as `tally` says they end and are dropped.
    pub(crate) fn count_from(&self, tally: Tally) {
        let _ = self.tally.set(tally);
    }

    pub(crate) fn stats(&self) -> ExportStats {
        if let Some(last) = self.closing.get() {
            return *last;
        }
        // Outcomes first: a span is counted as ended before any outcome,
        // so none is counted twice while spans move on.
        let exported = self.exported.load(Ordering::Acquire);
        let failed = self.failed.load(Ordering::Acquire);
        match self.tally.get() {
            Some(tally) => {
                let (ended, dropped) = tally.ended_and_dropped();
                ExportStats {
                    ended,
                    exported,
                    failed,
                    dropped,
                    queued: ended.saturating_sub(exported + failed + dropped),
                }
            }
            None => {
                let ended = self.ended.load(Ordering::Acquire);
                ExportStats {
                    ended,
                    exported,
                    failed,
                    dropped: ended.saturating_sub(exported + failed),
                    queued: 0,
                }
            }
        }
    }

    /// One more emitted log record, unless the counts are final.
    #[cfg(feature = "logs")]
    pub(super) fn count_ended(&self) {
        if !self.closed.load(Ordering::Acquire) {
            self.ended.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// `points` more metric data points handed to the exporter, unless the
    /// counts are final (feature `metrics`: `setup::metrics::export`).
    #[cfg(feature = "metrics")]
    pub(super) fn count_ended_many(&self, points: usize) {
        if !self.closed.load(Ordering::Acquire) {
            self.ended.fetch_add(points as u64, Ordering::AcqRel);
        }
    }

    pub(super) fn record_success(&self, spans: usize) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        self.exported.fetch_add(spans as u64, Ordering::AcqRel);
        if self.failing.swap(false, Ordering::AcqRel) {
            let lost =
                self.failed.load(Ordering::Acquire) - self.failed_before.load(Ordering::Acquire);
            (self.report)(&format!(
                "traced: exporting {unit} to {} works again; {lost} {unit} could not be sent meanwhile",
                self.destination,
                unit = self.unit,
            ));
        }
    }

    pub(super) fn record_failure(&self, spans: usize, error: &dyn fmt::Display) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let failed_before = self.failed.fetch_add(spans as u64, Ordering::AcqRel);
        if !self.failing.swap(true, Ordering::AcqRel) {
            self.failed_before.store(failed_before, Ordering::Release);
            let hint = super::diagnose::failure_hint(&self.destination, &error.to_string())
                .map_or(String::new(), |hint| format!(" ({hint})"));
            (self.report)(&format!(
                "traced: could not export {} to {}: {error}{hint} \
                 (reported again when exports work, or once at shutdown)",
                self.unit, self.destination
            ));
        }
    }

    /// The one summary line at shutdown, if anything was lost; the counts
    /// are final from here on.
    pub(crate) fn close_and_report(&self) {
        self.closed.store(true, Ordering::Release);
        let mut stats = self.stats();
        // What is still queued now will not be sent.
        stats.dropped += std::mem::take(&mut stats.queued);
        let stats = *self.closing.get_or_init(|| stats);
        if stats.failed == 0 && stats.dropped == 0 {
            return;
        }
        (self.report)(&format!(
            "traced: {} of {} {} were not exported to {}: {} in failed exports, \
             {} dropped because the export queue was full or shutdown timed out",
            stats.failed + stats.dropped,
            stats.ended,
            self.unit,
            self.destination,
            stats.failed,
            stats.dropped,
        ));
    }
}

impl fmt::Debug for Counters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counters")
            .field("destination", &self.destination)
            .field("stats", &self.stats())
            .finish()
    }
}

/// An exporter that counts the spans of each batch as exported or failed.
#[derive(Debug)]
pub(crate) struct CountExported<E> {
    pub inner: E,
    pub counters: Arc<Counters>,
}

impl<E: SpanExporter> SpanExporter for CountExported<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        let result = self.inner.export(batch).await;
        match &result {
            Ok(()) => self.counters.record_success(spans),
            Err(error) => self.counters.record_failure(spans, error),
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::Counters;

    fn counters() -> (Arc<Counters>, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let report = Arc::new(move |line: &str| sink.lock().unwrap().push(line.to_owned()));
        (Counters::new("standard output".into(), report), lines)
    }

    #[test]
    fn each_outage_is_reported_when_it_starts_and_when_it_ends() {
        let (counters, lines) = counters();
        counters.ended.fetch_add(10, super::Ordering::AcqRel);
        counters.record_success(2);
        counters.record_failure(3, &"refused");
        counters.record_failure(1, &"refused");
        counters.record_success(1);
        counters.record_failure(2, &"timed out");
        counters.record_success(1);
        let lines = lines.lock().unwrap().clone();
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(lines[0].contains("could not export spans to standard output: refused"));
        assert!(lines[1].contains("works again; 4 spans could not be sent meanwhile"));
        assert!(lines[2].contains(": timed out"));
        assert!(lines[3].contains("works again; 2 spans could not be sent meanwhile"));
    }

    #[test]
    fn after_the_summary_nothing_changes_or_is_said() {
        let (counters, lines) = counters();
        counters.ended.fetch_add(3, super::Ordering::AcqRel);
        counters.record_failure(1, &"refused");
        counters.close_and_report();
        let stats = counters.stats();
        counters.record_failure(2, &"cancelled");
        counters.record_success(2);
        assert_eq!(counters.stats(), stats);
        assert_eq!(stats.lost(), 3);
        let lines = lines.lock().unwrap().clone();
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(
            lines[1].contains("3 of 3 spans were not exported"),
            "{}",
            lines[1]
        );
    }
}
