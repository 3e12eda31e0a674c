//! [`BatchProcessor`]: the batch span processor `init` installs.
//!
//! The SDK's `BatchSpanProcessor` sends every span through one channel that
//! every thread writes and its export thread reads, and counts it in an
//! atomic they share, so each span moves cache lines between cores (and
//! when the export thread falls behind, a thread drops whole runs of spans
//! while the export thread frees others: both then fight over the
//! allocator's locks). Here a thread keeps its ended spans in a buffer of its own
//! and hands them to the shared queue a batch at a time; the export thread
//! collects the spans of idle threads on its tick, and a thread's buffer is
//! handed over when the thread exits. The rest is as the SDK's: a bounded
//! queue whose new spans are dropped (and counted) when it is full, exports
//! of at most `max_export_batch_size` spans on a thread of its own, when a
//! batch is full, every `schedule_delay`, on `force_flush` and at shutdown.

mod buffer;
mod local;
mod queue;
mod shared;
#[cfg(test)]
mod tests;
mod worker;

use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};

use queue::{Queue, Request};
use shared::Shared;
use worker::Worker;

/// At most this many spans wait in a thread's own buffer before it hands
/// them over; fewer with a small queue (a sixteenth of it).
const MAX_HAND_OFF: usize = 128;
/// How long `force_flush` waits for the export thread (as the SDK's does).
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`SpanProcessor`] that exports ended spans in batches from a thread of
/// its own, like the SDK's `BatchSpanProcessor` and with its settings, but
/// with no cache line that every thread writes for every span: each thread
/// gathers its spans in a buffer of its own and hands them to the shared
/// queue a batch at a time.
///
/// `traced::init` exports through it; give it your own exporter to use it
/// with a provider you build:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// use opentelemetry_sdk::error::OTelSdkResult;
/// use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
///
/// /// Any exporter: this one counts what it is given.
/// #[derive(Clone, Debug, Default)]
/// struct Count(Arc<AtomicUsize>);
///
/// impl SpanExporter for Count {
///     async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
///         self.0.fetch_add(batch.len(), Ordering::Relaxed);
///         Ok(())
///     }
/// }
///
/// #[traced::traced]
/// fn work() {}
///
/// let exporter = Count::default();
/// let processor = traced::setup::BatchProcessor::builder(exporter.clone())
///     .max_queue_size(4096)
///     .build()?;
/// let provider = SdkTracerProvider::builder()
///     .with_span_processor(processor)
///     .build();
/// traced::install(provider.clone());
/// work();
/// provider.force_flush()?;
/// assert_eq!(exporter.0.load(Ordering::Relaxed), 1);
/// # provider.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// What it promises:
/// - `on_end` never waits for the exporter: when `max_queue_size` spans
///   wait, new ones are dropped. Besides the queue, each thread holds at
///   most a sixteenth of it (and at most 128 spans) in its own buffer.
/// - A thread's spans are exported within a schedule delay even if it makes
///   no more spans, and are handed to the queue when the thread exits.
/// - `force_flush` and shutdown export every span that ended before them;
///   shutdown waits at most its timeout.
///
/// Unlike the SDK's builder, it reads no `OTEL_BSP_*` variable; `init`
/// reads them and passes them on.
pub struct BatchProcessor {
    shared: Arc<Shared>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

/// Settings of a [`BatchProcessor`], the SDK's defaults unless changed.
#[derive(Debug)]
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct BatchProcessorBuilder<E> {
    exporter: E,
    max_queue_size: usize,
    max_export_batch_size: usize,
    schedule_delay: Duration,
}

impl BatchProcessor {
    /// A builder with the SDK's defaults: a queue of 2048 spans, exports of
    /// at most 512, every 5 s.
    pub fn builder<E: SpanExporter + 'static>(exporter: E) -> BatchProcessorBuilder<E> {
        BatchProcessorBuilder {
            exporter,
            max_queue_size: 2048,
            max_export_batch_size: 512,
            schedule_delay: Duration::from_secs(5),
        }
    }

    /// The counts `init`'s guard reports.
    pub(crate) fn tally(&self) -> Tally {
        Tally(Arc::clone(&self.shared))
    }

    fn ask(
        &self,
        request: impl FnOnce(std::sync::mpsc::SyncSender<OTelSdkResult>) -> Request,
        timeout: Duration,
    ) -> OTelSdkResult {
        let (answer, answered) = sync_channel(1);
        self.shared.queue.request(request(answer));
        match answered.recv_timeout(timeout) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => Err(OTelSdkError::Timeout(timeout)),
            Err(RecvTimeoutError::Disconnected) => Err(OTelSdkError::InternalFailure(
                "the export thread has stopped (its exporter panicked)".to_owned(),
            )),
        }
    }
}

impl<E: SpanExporter + 'static> BatchProcessorBuilder<E> {
    /// How many ended spans may wait for export before new ones are dropped
    /// (at least 1).
    pub fn max_queue_size(mut self, spans: usize) -> Self {
        self.max_queue_size = spans.max(1);
        self
    }

    /// The most spans one export sends (at least 1, at most the queue size).
    pub fn max_export_batch_size(mut self, spans: usize) -> Self {
        self.max_export_batch_size = spans.max(1);
        self
    }

    /// How often waiting spans are exported when no batch fills up (at
    /// least a millisecond).
    pub fn schedule_delay(mut self, delay: Duration) -> Self {
        self.schedule_delay = delay.max(Duration::from_millis(1));
        self
    }

    /// Starts the export thread; the error is the system's refusal to.
    pub fn build(self) -> std::io::Result<BatchProcessor> {
        let max_export_batch_size = self.max_export_batch_size.min(self.max_queue_size);
        let hand_off = (self.max_queue_size / 16)
            .clamp(1, MAX_HAND_OFF)
            .min(max_export_batch_size);
        let queue = Queue::new(self.max_queue_size, hand_off, max_export_batch_size);
        let shared = Arc::new(Shared::new(queue, hand_off));
        let worker = Worker {
            shared: Arc::clone(&shared),
            exporter: self.exporter,
            max_export_batch_size,
            schedule_delay: self.schedule_delay,
        }
        .spawn()?;
        Ok(BatchProcessor {
            shared,
            worker: Mutex::new(Some(worker)),
        })
    }
}

impl SpanProcessor for BatchProcessor {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    #[inline]
    fn on_end(&self, span: SpanData) {
        local::end(&self.shared, span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        if self.shared.is_closed() {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        self.ask(Request::Flush, FLUSH_TIMEOUT)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        if !self.shared.close() {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        let result = self.ask(|answer| Request::Shutdown(answer, timeout), timeout);
        if result.is_ok() {
            // It has answered and is returning: a short wait.
            let worker = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(worker) = worker {
                let _ = worker.join();
            }
        }
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.shared.queue.set_resource(resource.clone());
    }
}

impl Drop for BatchProcessor {
    /// Never shut down (the provider does it): the export thread exports
    /// what is left and stops, without being waited for.
    fn drop(&mut self) {
        if self.shared.close() {
            let (answer, _) = sync_channel(1);
            self.shared
                .queue
                .request(Request::Shutdown(answer, FLUSH_TIMEOUT));
        }
    }
}

impl std::fmt::Debug for BatchProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchProcessor")
            .field("queued", &self.shared.queue.spans())
            .field("dropped", &self.shared.dropped())
            .finish_non_exhaustive()
    }
}

/// A processor's counts of ended and dropped spans, for [`Counters`](super::stats::Counters).
#[derive(Debug)]
pub(crate) struct Tally(Arc<Shared>);

impl Tally {
    /// Spans that ended and, of them, spans dropped, read together.
    pub(crate) fn ended_and_dropped(&self) -> (u64, u64) {
        let counts = self.0.counts();
        (counts.ended, counts.dropped)
    }
}
