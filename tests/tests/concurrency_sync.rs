//! Sync traced fns on many threads at once, exported through the product
//! pipeline (`traced::Setup`: the SDK's batch processor and the OTLP/HTTP
//! exporter) to a receiver this test starts on 127.0.0.1.
//!
//! 8 threads each make 50 000 calls of nested traced fns (10 000 trees of 5
//! calls: `root` calls `mid` twice, each `mid` calls `leaf`). Every call
//! records `args(node, caller)`: its own unique id and its caller's, so the
//! receiver can check that every span arrived exactly once and that every
//! child's parent is the span of its own caller, never a span of another
//! thread or of a sibling. Each thread checks after every tree, and at its
//! end, that no span is left current.
//!
//! With a queue large enough, nothing is dropped; with a small queue and a
//! slow collector, spans are dropped rather than waited for, counted, and
//! reported in one line at shutdown.

mod support;

use std::thread;
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt;
use support::concurrency::{assert_dropped_not_waited, assert_exported_once, init_to};
use support::sink::{Behaviour, Sink};
use support::{Reports, serial};
use traced::traced;
use traced_tests::watchdog;

const THREADS: i64 = 8;
/// Trees per thread; 5 calls each, so 50 000 calls per thread.
const TREES: i64 = 10_000;
const CALLS_PER_TREE: i64 = 5;
const SPANS: u64 = (THREADS * TREES * CALLS_PER_TREE) as u64;
const ROOTS: u64 = (THREADS * TREES) as u64;
const KEYS: &[&str] = &["node", "caller"];

/// A hang guard, far above the normal run time: calls that waited for the
/// slow collector (64 spans per 20 ms) would need more than two minutes.
const HANG_GUARD: Duration = Duration::from_secs(30);
/// The whole test, calls and shutdown (bounded by its 60 s timeout),
/// normally takes seconds; past this it hangs, and the watchdog aborts it
/// with a message.
const WATCHDOG: Duration = Duration::from_secs(300);

#[traced(args(node, caller))]
fn root(node: i64, caller: i64) -> i64 {
    // Two children in a row: the second one's parent shows that the first
    // one restored `root` as the current span when it returned.
    mid(node + 1, node) + mid(node + 2, node) + caller
}

#[traced(args(node, caller))]
fn mid(node: i64, caller: i64) -> i64 {
    leaf(node + 2, node)
}

#[traced(args(node, caller))]
fn leaf(node: i64, caller: i64) -> i64 {
    node - caller
}

/// The fn each node id is a call of.
fn name_of(node: i64) -> &'static str {
    match node & 7 {
        0 => "root",
        1 | 2 => "mid",
        3 | 4 => "leaf",
        _ => panic!("no such node {node}"),
    }
}

/// Runs the trees on `THREADS` threads; returns the longest tree call seen.
fn run_threads() -> Duration {
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            thread::spawn(move || {
                let mut slowest = Duration::ZERO;
                for tree in 0..TREES {
                    let node = (thread << 32) | (tree << 3);
                    let started = Instant::now();
                    let result = root(node, -1);
                    slowest = slowest.max(started.elapsed());
                    assert_eq!(result, 3, "each leaf returns 2, the root adds -1");
                    assert!(
                        !Context::current().has_active_span(),
                        "thread {thread}: a span is still current after tree {tree}"
                    );
                }
                assert!(!Context::current().has_active_span());
                slowest
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().expect("a workload thread failed"))
        .max()
        .unwrap()
}

#[test]
fn with_a_queue_large_enough_every_span_is_exported_once_under_its_callers_span() {
    let _turn = serial();
    let _watchdog = watchdog(
        WATCHDOG,
        "concurrency_sync: with_a_queue_large_enough_every_span_is_exported_once_under_its_callers_span",
    );
    let sink = Sink::start(Behaviour::PROMPT, KEYS);
    let reports = Reports::default();
    let guard = init_to(&sink, "concurrency-sync", 1 << 20, &reports);

    let started = Instant::now();
    let slowest = run_threads();
    let calls = started.elapsed();
    let stats = guard.shutdown().expect("a clean shutdown");
    let total = started.elapsed();
    eprintln!(
        "large queue: {SPANS} spans made in {calls:?} (slowest tree {slowest:?}), \
         exported by {total:?}: {stats:?}, {} requests",
        sink.requests()
    );

    assert_exported_once(stats, SPANS, ROOTS, &sink, &reports, name_of);
}

#[test]
fn with_a_small_queue_and_a_slow_collector_spans_are_dropped_counted_and_reported_once() {
    let _turn = serial();
    let _watchdog = watchdog(
        WATCHDOG,
        "concurrency_sync: with_a_small_queue_and_a_slow_collector_spans_are_dropped_counted_and_reported_once",
    );
    let sink = Sink::start(Behaviour::slow(Duration::from_millis(20)), KEYS);
    let reports = Reports::default();
    let guard = init_to(&sink, "concurrency-sync", 64, &reports);

    let started = Instant::now();
    let slowest = run_threads();
    let calls = started.elapsed();
    let stats = guard.shutdown().expect("a clean shutdown");
    let total = started.elapsed();
    eprintln!(
        "small queue: {SPANS} spans made in {calls:?} (slowest tree {slowest:?}), \
         shut down by {total:?}: {stats:?}, {} requests",
        sink.requests()
    );
    assert!(calls < HANG_GUARD, "the calls waited for the collector");

    assert_dropped_not_waited(stats, SPANS, &sink, &reports, name_of);
}
