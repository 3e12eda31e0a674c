//! The processor on its own: a provider of its own per test (nothing
//! global), spans made with the SDK's tracer, an exporter that keeps what
//! it is given and can be held shut to play a collector that does not
//! answer.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use opentelemetry::trace::{Span as _, TraceContextExt, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter, SpanProcessor};

use super::BatchProcessor;

/// Keeps the spans it exports; while shut, an export waits until opened.
#[derive(Clone, Debug, Default)]
struct Keep {
    spans: Arc<Mutex<Vec<SpanData>>>,
    gate: Arc<(Mutex<bool>, Condvar)>,
}

impl Keep {
    fn shut() -> Self {
        let keep = Keep::default();
        *keep.gate.0.lock().unwrap() = true;
        keep
    }

    fn open(&self) {
        *self.gate.0.lock().unwrap() = false;
        self.gate.1.notify_all();
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .spans
            .lock()
            .unwrap()
            .iter()
            .map(|span| span.name.to_string())
            .collect();
        names.sort();
        names
    }

    fn len(&self) -> usize {
        self.spans.lock().unwrap().len()
    }
}

impl SpanExporter for Keep {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let (shut, opened) = &*self.gate;
        let mut shut = shut.lock().unwrap();
        while *shut {
            shut = opened.wait(shut).unwrap();
        }
        self.spans.lock().unwrap().extend(batch);
        Ok(())
    }
}

fn provider(processor: BatchProcessor) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build()
}

fn end_spans(provider: &SdkTracerProvider, prefix: &str, count: usize) {
    let tracer = provider.tracer("batch-tests");
    for i in 0..count {
        tracer.start(format!("{prefix}{i:05}")).end();
    }
}

#[test]
fn a_flush_exports_the_spans_of_every_thread_with_their_parents() {
    let exporter = Keep::default();
    let processor = BatchProcessor::builder(exporter.clone())
        .schedule_delay(Duration::from_secs(3600))
        .build()
        .unwrap();
    let provider = provider(processor);
    // Each thread stays alive until the flush is done: its spans are still
    // in its own buffer (fewer than a hand-off), and the flush fetches them.
    let flushed = Arc::new(std::sync::Barrier::new(4));
    let made = Arc::new(std::sync::Barrier::new(4));
    let threads: Vec<_> = (0..3)
        .map(|thread| {
            let provider = provider.clone();
            let (made, flushed) = (Arc::clone(&made), Arc::clone(&flushed));
            std::thread::spawn(move || {
                let tracer = provider.tracer("batch-tests");
                tracer.in_span(format!("outer{thread}"), |cx| {
                    let parent = cx.span().span_context().clone();
                    let mut child = tracer.start(format!("inner{thread}"));
                    assert!(child.is_recording());
                    child.set_attribute(KeyValue::new("parent", parent.span_id().to_string()));
                });
                made.wait();
                flushed.wait();
            })
        })
        .collect();
    made.wait();
    assert_eq!(exporter.len(), 0, "nothing is due yet");
    provider.force_flush().unwrap();
    flushed.wait();
    for thread in threads {
        thread.join().unwrap();
    }
    let spans = exporter.spans.lock().unwrap().clone();
    assert_eq!(spans.len(), 6);
    for thread in 0..3 {
        let outer = spans
            .iter()
            .find(|s| s.name == format!("outer{thread}"))
            .unwrap();
        let inner = spans
            .iter()
            .find(|s| s.name == format!("inner{thread}"))
            .unwrap();
        assert_eq!(inner.parent_span_id, outer.span_context.span_id());
        assert_eq!(inner.span_context.trace_id(), outer.span_context.trace_id());
    }
    provider.shutdown().unwrap();
}

#[test]
fn a_full_queue_drops_new_spans_and_counts_them_without_waiting() {
    let exporter = Keep::shut();
    let processor = BatchProcessor::builder(exporter.clone())
        .max_queue_size(64)
        .max_export_batch_size(16)
        .build()
        .unwrap();
    let tally = processor.tally();
    let provider = provider(processor);
    // The first batch is held in the shut exporter; the queue fills behind
    // it, and then each new span is dropped as it ends.
    end_spans(&provider, "span", 1000);
    let (ended, dropped) = tally.ended_and_dropped();
    assert_eq!(ended, 1000);
    // At most the batches the export thread took (it may take one more
    // before the first export holds it), the queue and this thread's buffer
    // (64 / 16 = 4 spans) are kept.
    assert!(dropped >= 1000 - 2 * 16 - 64 - 4, "{dropped} dropped");
    exporter.open();
    provider.shutdown().unwrap();
    let (_, dropped) = tally.ended_and_dropped();
    assert_eq!(
        exporter.len() as u64 + dropped,
        1000,
        "each span exported or dropped"
    );
    // The oldest spans were kept: new ones are the ones dropped.
    let names = exporter.names();
    let oldest: Vec<String> = (0..64).map(|i| format!("span{i:05}")).collect();
    assert_eq!(names[..64], oldest[..]);
}

#[test]
fn the_spans_of_a_thread_that_exits_are_handed_over_without_a_flush() {
    // Batches of 4, a schedule delay that never comes: only the exits of the
    // 4 threads (one span each, each fewer than a hand-off) fill a batch.
    let exporter = Keep::default();
    let processor = BatchProcessor::builder(exporter.clone())
        .max_queue_size(64)
        .max_export_batch_size(4)
        .schedule_delay(Duration::from_secs(3600))
        .build()
        .unwrap();
    let provider = provider(processor);
    for thread in 0..4 {
        let provider = provider.clone();
        std::thread::spawn(move || end_spans(&provider, &format!("t{thread}-"), 1))
            .join()
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while exporter.len() < 4 {
        assert!(Instant::now() < deadline, "exported {:?}", exporter.names());
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        exporter.names(),
        ["t0-00000", "t1-00000", "t2-00000", "t3-00000"]
    );
    provider.shutdown().unwrap();
}

#[test]
fn an_idle_threads_spans_are_exported_on_the_tick() {
    let exporter = Keep::default();
    let processor = BatchProcessor::builder(exporter.clone())
        .schedule_delay(Duration::from_millis(20))
        .build()
        .unwrap();
    let provider = provider(processor);
    end_spans(&provider, "idle", 3);
    // This thread makes no more spans and never exits while waiting.
    let deadline = Instant::now() + Duration::from_secs(10);
    while exporter.len() < 3 {
        assert!(Instant::now() < deadline, "exported {:?}", exporter.names());
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(exporter.names(), ["idle00000", "idle00001", "idle00002"]);
    provider.shutdown().unwrap();
}

/// The processor, shared with the test, so that it can be shut down while
/// the provider still passes spans on.
#[derive(Debug)]
struct Handle(Arc<BatchProcessor>);

impl SpanProcessor for Handle {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &Context) {
        self.0.on_start(span, cx);
    }
    fn on_end(&self, span: SpanData) {
        self.0.on_end(span);
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
}

fn shared_provider(processor: BatchProcessor) -> (Arc<BatchProcessor>, SdkTracerProvider) {
    let processor = Arc::new(processor);
    let provider = SdkTracerProvider::builder()
        .with_span_processor(Handle(Arc::clone(&processor)))
        .build();
    (processor, provider)
}

#[test]
fn shutdown_exports_what_is_left_once_and_then_drops_and_counts() {
    let exporter = Keep::default();
    let (processor, provider) =
        shared_provider(BatchProcessor::builder(exporter.clone()).build().unwrap());
    let tally = processor.tally();
    end_spans(&provider, "before", 10);
    processor
        .shutdown_with_timeout(Duration::from_secs(5))
        .unwrap();
    assert_eq!(exporter.len(), 10);
    assert!(matches!(
        processor.shutdown_with_timeout(Duration::from_secs(5)),
        Err(OTelSdkError::AlreadyShutdown)
    ));
    assert!(matches!(
        processor.force_flush(),
        Err(OTelSdkError::AlreadyShutdown)
    ));
    end_spans(&provider, "after", 2);
    assert_eq!(exporter.len(), 10);
    assert_eq!(tally.ended_and_dropped(), (12, 2));
}

#[test]
fn a_shutdown_waits_at_most_its_timeout_for_an_export_that_never_ends() {
    let exporter = Keep::shut();
    let (processor, provider) =
        shared_provider(BatchProcessor::builder(exporter.clone()).build().unwrap());
    end_spans(&provider, "held", 3);
    let timeout = Duration::from_millis(100);
    let started = Instant::now();
    let result = processor.shutdown_with_timeout(timeout);
    let took = started.elapsed();
    assert!(
        matches!(result, Err(OTelSdkError::Timeout(t)) if t == timeout),
        "{result:?}"
    );
    // Generous: the point is that it returns, not how fast.
    assert!(took < Duration::from_secs(5), "{took:?}");
    exporter.open();
}
