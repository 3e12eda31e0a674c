//! The export pipeline of `traced::init()`: `traced::setup::BatchProcessor`,
//! where each thread gathers its ended spans in a buffer of its own and
//! hands them over a batch at a time.
//!
//! Through `traced::Setup` to the OTLP/HTTP receiver of `support::sink`
//! (started here on 127.0.0.1), and on its own with an exporter that keeps
//! what it is given:
//! - a tight loop with room in the queue hands every span over once,
//!   intact (keeping up at the default size is the benchmark's question);
//! - the spans of a thread that has ended, and of a thread that makes no
//!   more, are exported while the guard is alive, without a flush;
//! - dropping the guard exports the spans still in live threads' buffers;
//! - a small queue and a slow collector: spans are dropped, counted, and
//!   reported; `queued` is what is still on its way, `dropped` what is lost;
//! - a collector that never answers: the shutdown returns within its
//!   timeout, and what it could not send counts as dropped.
//!
//! Each test runs under a watchdog, so a hang fails it with a message.

mod support;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use support::sink::{Behaviour, Received, Sink};
use support::{Blackhole, Reports, serial};
use traced::setup::{BatchProcessor, ExportStats, Protocol};
use traced::traced;
use traced_tests::watchdog;

/// Far above a test's normal run time.
const HANG_LIMIT: Duration = Duration::from_secs(120);
/// How long a test waits for spans that are due to arrive.
const ARRIVAL: Duration = Duration::from_secs(20);
const KEYS: &[&str] = &["i"];

#[traced(args(i))]
fn outer(i: i64) -> i64 {
    inner(i) + 1
}

#[traced(args(i))]
fn inner(i: i64) -> i64 {
    i * 2
}

/// `init` exporting to `sink` only; `vars` are the `OTEL_*` settings.
fn init(sink: &Sink, vars: &[(&str, &str)], reports: &Reports) -> traced::TracerGuard {
    traced::Setup::new()
        .environment(vars.iter().copied())
        .service_name("batch-pipeline")
        .endpoint(sink.endpoint())
        .protocol(Protocol::HttpProtobuf)
        .shutdown_timeout(Duration::from_secs(30))
        .report_with(reports.reporter())
        .init()
        .expect("set-up")
}

/// Waits until `sink` has received `count` spans; fails after `ARRIVAL`.
fn wait_for(sink: &Sink, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + ARRIVAL;
    loop {
        let received = sink.spans().clone();
        if received.len() >= count {
            return received;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} spans arrived within {ARRIVAL:?}",
            received.len()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// Each of `calls` arrived once, as an `outer` span with its `inner` child
/// in the same trace.
fn assert_calls(received: &[Received], calls: impl IntoIterator<Item = i64>) {
    let mut by_call: HashMap<(i64, &str), &Received> = HashMap::new();
    for span in received {
        let i = span.int("i").expect("every span records `i`");
        assert!(
            by_call.insert((i, span.name.as_str()), span).is_none(),
            "{} {i} arrived twice",
            span.name
        );
    }
    let mut expected = 0;
    for i in calls {
        let outer = by_call[&(i, "outer")];
        let inner = by_call[&(i, "inner")];
        assert_eq!(outer.parent_span_id, 0, "outer {i} is a root");
        assert_eq!(inner.parent_span_id, outer.span_id, "inner {i}'s parent");
        assert_eq!(inner.trace_id, outer.trace_id, "inner {i}'s trace");
        expected += 2;
    }
    assert_eq!(received.len(), expected, "only the calls made arrived");
}

/// A fast exporter that keeps a little of each span.
#[derive(Clone, Debug, Default)]
struct Keep(Arc<Mutex<Vec<Kept>>>);

#[derive(Clone, Debug)]
struct Kept {
    name: Cow<'static, str>,
    span_id: u64,
    parent: u64,
    trace_id: u128,
    i: i64,
}

impl SpanExporter for Keep {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let kept = batch.iter().map(|span| {
            let i = span
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == "i")
                .map_or(-1, |kv| match kv.value {
                    opentelemetry::Value::I64(i) => i,
                    _ => -1,
                });
            Kept {
                name: span.name.clone(),
                span_id: u64::from_be_bytes(span.span_context.span_id().to_bytes()),
                parent: u64::from_be_bytes(span.parent_span_id.to_bytes()),
                trace_id: u128::from_be_bytes(span.span_context.trace_id().to_bytes()),
                i,
            }
        });
        self.0.lock().unwrap().extend(kept);
        Ok(())
    }
}

#[test]
fn a_tight_loop_with_room_in_the_queue_loses_nothing() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "batch_pipeline: tight loop");
    const CALLS: i64 = 20_000;
    let exporter = Keep::default();
    // Room for every span: whether the export thread keeps up with the
    // default queue depends on the machine (the benchmark measures that);
    // what this checks is that each span is handed over, once, intact.
    let processor = BatchProcessor::builder(exporter.clone())
        .max_queue_size(4 * CALLS as usize)
        .build()
        .expect("the export thread starts");
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build();
    traced::install(provider.clone());
    for i in 0..CALLS {
        assert_eq!(outer(std::hint::black_box(i)), 2 * i + 1);
    }
    provider.shutdown().expect("a clean shutdown");

    let kept = exporter.0.lock().unwrap();
    assert_eq!(kept.len() as i64, 2 * CALLS, "every span was exported");
    let mut outers: HashMap<i64, (u64, u128)> = HashMap::new();
    for span in kept.iter().filter(|span| span.name == "outer") {
        assert_eq!(span.parent, 0);
        assert!(
            outers
                .insert(span.i, (span.span_id, span.trace_id))
                .is_none()
        );
    }
    for span in kept.iter().filter(|span| span.name == "inner") {
        assert_eq!(
            (span.parent, span.trace_id),
            outers[&span.i],
            "inner {}'s parent",
            span.i
        );
    }
    assert_eq!(outers.len() as i64, CALLS);
}

#[test]
fn the_spans_of_a_thread_that_ended_are_exported_while_the_guard_lives() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "batch_pipeline: thread exit");
    let sink = Sink::start(Behaviour::PROMPT, KEYS);
    let reports = Reports::default();
    // Batches of 4 spans and a schedule delay that never comes: only the
    // two threads' exits (2 spans each, fewer than a thread's hand-off)
    // make a batch due.
    let guard = init(
        &sink,
        &[
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4"),
            ("OTEL_BSP_SCHEDULE_DELAY", "3600000"),
        ],
        &reports,
    );
    for i in 0..2 {
        thread::spawn(move || outer(i)).join().unwrap();
    }
    let received = wait_for(&sink, 4);
    assert_calls(&received, 0..2);
    let stats = guard.shutdown().expect("a clean shutdown");
    assert_eq!(
        stats,
        ExportStats {
            ended: 4,
            exported: 4,
            ..ExportStats::default()
        }
    );
}

#[test]
fn the_spans_of_a_thread_that_makes_no_more_are_exported_on_the_schedule() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "batch_pipeline: idle thread");
    let sink = Sink::start(Behaviour::PROMPT, KEYS);
    let reports = Reports::default();
    let guard = init(&sink, &[("OTEL_BSP_SCHEDULE_DELAY", "50")], &reports);
    // This thread then only waits, and stays alive: its buffer is fetched.
    outer(7);
    let received = wait_for(&sink, 2);
    assert_calls(&received, [7]);
    let stats = guard.shutdown().expect("a clean shutdown");
    assert_eq!((stats.ended, stats.exported), (2, 2));
}

#[test]
fn dropping_the_guard_exports_the_spans_still_in_live_threads_buffers() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "batch_pipeline: guard drop");
    let sink = Sink::start(Behaviour::PROMPT, KEYS);
    let reports = Reports::default();
    let guard = init(&sink, &[], &reports);
    const THREADS: i64 = 4;
    let made = Arc::new(Barrier::new(THREADS as usize + 1));
    let dropped = Arc::new(Barrier::new(THREADS as usize + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let (made, dropped) = (Arc::clone(&made), Arc::clone(&dropped));
            thread::spawn(move || {
                for i in thread * 10..thread * 10 + 10 {
                    outer(i);
                }
                made.wait();
                // Alive, with its spans in its own buffer, until the
                // guard has gone.
                dropped.wait();
            })
        })
        .collect();
    made.wait();
    for i in 100..110 {
        outer(i);
    }
    let before = guard.stats();
    assert_eq!(sink.spans().len(), 0, "nothing is due before the drop");
    drop(guard);
    dropped.wait();
    for thread in threads {
        thread.join().unwrap();
    }

    assert_eq!(
        before,
        ExportStats {
            ended: 100,
            queued: 100,
            ..ExportStats::default()
        }
    );
    assert_calls(&sink.spans(), (0..40).chain(100..110));
    assert_eq!(reports.lines(), Vec::<String>::new());
}

#[test]
fn with_a_small_queue_and_a_slow_collector_spans_are_dropped_and_counted() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "batch_pipeline: small queue");
    const CALLS: i64 = 2_000;
    let sink = Sink::start(Behaviour::slow(Duration::from_millis(200)), KEYS);
    let reports = Reports::default();
    let guard = init(&sink, &[("OTEL_BSP_MAX_QUEUE_SIZE", "64")], &reports);
    for i in 0..CALLS {
        outer(i);
    }
    let during = guard.stats();
    let stats = guard.shutdown().expect("a clean shutdown");
    eprintln!("small queue: during {during:?}, final {stats:?}");

    // While it ran, every span was in exactly one of the counts.
    assert_eq!(during.ended, 2 * CALLS as u64);
    assert_eq!(
        during.ended,
        during.exported + during.failed + during.dropped + during.queued
    );
    assert!(during.dropped > 0, "{during:?}");
    // The queue and the threads' buffers hold little: most spans were
    // dropped, not kept.
    assert!(during.queued <= 64 + 64 + 4, "{during:?}");
    // At the end, none is on its way: exported or dropped.
    assert_eq!(stats.ended, 2 * CALLS as u64);
    assert_eq!(stats.queued, 0);
    assert_eq!(stats.failed, 0);
    assert_eq!(stats.ended, stats.exported + stats.dropped);
    assert!(stats.dropped >= during.dropped);

    let received = sink.take();
    assert_eq!(received.len() as u64, stats.exported);
    // What arrived arrived once each; a call's spans may be split by the
    // drops, but a child never has another parent than its own call's.
    let outers: HashMap<i64, &Received> = received
        .iter()
        .filter(|span| span.name == "outer")
        .map(|span| (span.int("i").unwrap(), span))
        .collect();
    for span in received.iter().filter(|span| span.name == "inner") {
        if let Some(outer) = outers.get(&span.int("i").unwrap()) {
            assert_eq!(span.parent_span_id, outer.span_id);
        }
    }
    let lines = reports.lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains(&format!("{} dropped", stats.dropped)),
        "{}",
        lines[0]
    );
}

#[test]
fn spans_on_their_way_count_as_queued_until_a_dead_collector_makes_them_dropped() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "batch_pipeline: dead collector");
    let collector = Blackhole::start();
    let reports = Reports::default();
    let shutdown_timeout = Duration::from_millis(300);
    let guard = traced::Setup::new()
        .environment(std::iter::empty::<(String, String)>())
        .service_name("batch-pipeline")
        .endpoint(collector.endpoint())
        .protocol(Protocol::HttpProtobuf)
        .export_timeout(Duration::from_secs(30))
        .shutdown_timeout(shutdown_timeout)
        .report_with(reports.reporter())
        .init()
        .expect("set-up");
    for i in 0..5 {
        outer(i);
    }
    // Healthy so far: on their way, not lost.
    assert_eq!(
        guard.stats(),
        ExportStats {
            ended: 10,
            queued: 10,
            ..ExportStats::default()
        }
    );

    let started = Instant::now();
    let error = guard
        .shutdown()
        .expect_err("the collector never answers the export");
    let took = started.elapsed();
    assert!(
        took < shutdown_timeout + Duration::from_secs(2),
        "the shutdown took {took:?}"
    );
    assert!(error.to_string().contains("Timeout"), "{error}");
    // Not sent by then: lost, and said so once.
    let stats = error.stats().expect("the counts");
    assert_eq!(
        stats,
        ExportStats {
            ended: 10,
            dropped: 10,
            ..ExportStats::default()
        }
    );
    let lines = reports.lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains("10 of 10 spans were not exported"),
        "{}",
        lines[0]
    );
    assert!(collector.connections() > 0, "the export was sent");
}
