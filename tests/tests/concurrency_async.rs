//! Async traced fns in 10 000 concurrent tokio tasks on a 2-worker runtime,
//! exported through the product pipeline (`traced::Setup`: the SDK's batch
//! processor and the OTLP/HTTP exporter) to a receiver this test starts on
//! 127.0.0.1.
//!
//! Each task calls `request`, which yields, awaits `step` (which sleeps, makes
//! a sync traced call and yields), sleeps, then awaits two `leaf` calls at
//! once with `join!` (each yields and sleeps), so tasks interleave on both
//! workers at every await, and two children of one span interleave within a
//! task. Every call records `args(node, caller)`: its own unique id and its
//! caller's, so the receiver can check that every span arrived exactly once
//! and that every child's parent is the span of its own caller, never one of
//! another task.
//!
//! Context leaks are looked for three ways: after each task's `request`
//! returns (in the task), every time a worker parks (goes idle, between
//! polls) during the run, and on each of the two workers after the run.
//!
//! With a queue large enough, nothing is dropped; with a small queue and a
//! slow collector, spans are dropped rather than waited for, counted, and
//! reported in one line at shutdown.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt;
use support::concurrency::{assert_dropped_not_waited, assert_exported_once, init_to};
use support::sink::{Behaviour, Sink};
use support::{Reports, serial};
use tokio::runtime::Runtime;
use traced::traced;
use traced_tests::watchdog;

const TASKS: i64 = 10_000;
const CALLS_PER_TASK: i64 = 5;
const SPANS: u64 = (TASKS * CALLS_PER_TASK) as u64;
const KEYS: &[&str] = &["node", "caller"];
const WORKERS: usize = 2;

/// A hang guard, far above the normal run time: calls that waited for the
/// slow collector (64 spans per 20 ms) would need about 16 s.
const HANG_GUARD: Duration = Duration::from_secs(10);
/// The whole test, calls and shutdown (bounded by its 60 s timeout),
/// normally takes seconds; past this it hangs, and the watchdog aborts it
/// with a message.
const WATCHDOG: Duration = Duration::from_secs(300);

#[traced(args(node, caller))]
async fn request(node: i64, caller: i64) -> i64 {
    tokio::task::yield_now().await;
    let stepped = step(node + 1, node).await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    let (a, b) = tokio::join!(leaf(node + 3, node), leaf(node + 4, node));
    stepped + a + b + caller
}

#[traced(args(node, caller))]
async fn step(node: i64, caller: i64) -> i64 {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let synced = sync_leaf(node + 1, node);
    tokio::task::yield_now().await;
    synced + node - caller
}

#[traced(args(node, caller))]
async fn leaf(node: i64, caller: i64) -> i64 {
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    node - caller
}

#[traced(args(node, caller))]
fn sync_leaf(node: i64, caller: i64) -> i64 {
    node - caller
}

/// The fn each node id is a call of.
fn name_of(node: i64) -> &'static str {
    match node & 7 {
        0 => "request",
        1 => "step",
        2 => "sync_leaf",
        3 | 4 => "leaf",
        _ => panic!("no such node {node}"),
    }
}

/// A 2-worker runtime that counts the times a worker parked while a span
/// was current on it.
fn runtime(dirty_parks: &Arc<AtomicUsize>) -> Runtime {
    let dirty = Arc::clone(dirty_parks);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .on_thread_park(move || {
            if Context::current().has_active_span() {
                dirty.fetch_add(1, Ordering::AcqRel);
            }
        })
        .build()
        .unwrap()
}

/// Runs the tasks; returns how long they took.
fn run_tasks(runtime: &Runtime) -> Duration {
    let started = Instant::now();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                tokio::spawn(async move {
                    let result = request(task << 3, -1).await;
                    // step: 1 + 1, leaves: 3 + 4, the root adds -1
                    assert_eq!(result, 8, "task {task}");
                    assert!(
                        !Context::current().has_active_span(),
                        "task {task}: a span is still current after its request"
                    );
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a task failed");
        }
    });
    started.elapsed()
}

/// On each worker in turn: is a span current? Two tasks, spawned from
/// outside the runtime, each wait for the other, so they run on the two
/// workers at once.
fn assert_workers_clean(runtime: &Runtime) {
    let arrived = Arc::new(AtomicUsize::new(0));
    let probes: Vec<_> = (0..WORKERS)
        .map(|_| {
            let arrived = Arc::clone(&arrived);
            runtime.spawn(async move {
                let current = Context::current().has_active_span();
                arrived.fetch_add(1, Ordering::AcqRel);
                let deadline = Instant::now() + Duration::from_secs(10);
                while arrived.load(Ordering::Acquire) < WORKERS && Instant::now() < deadline {
                    thread::sleep(Duration::from_millis(1));
                }
                (thread::current().id(), current)
            })
        })
        .collect();
    let seen: Vec<_> = probes
        .into_iter()
        .map(|probe| runtime.block_on(probe).unwrap())
        .collect();
    let workers: HashSet<_> = seen.iter().map(|(thread, _)| *thread).collect();
    assert_eq!(workers.len(), WORKERS, "both workers were probed: {seen:?}");
    assert!(
        seen.iter().all(|(_, current)| !current),
        "a worker has a span left current: {seen:?}"
    );
    assert!(!Context::current().has_active_span(), "the blocking thread");
}

/// Runs the tasks on a new 2-worker runtime and checks that no worker was
/// left with a span current (when it parked, and at the end); returns how
/// long the tasks took.
fn run_on_a_fresh_runtime() -> Duration {
    let dirty_parks = Arc::new(AtomicUsize::new(0));
    let runtime = runtime(&dirty_parks);
    let calls = run_tasks(&runtime);
    assert_workers_clean(&runtime);
    assert_eq!(
        dirty_parks.load(Ordering::Acquire),
        0,
        "parks with a span current"
    );
    calls
}

#[test]
fn with_a_queue_large_enough_every_span_is_exported_once_under_its_callers_span() {
    let _turn = serial();
    let _watchdog = watchdog(
        WATCHDOG,
        "concurrency_async: with_a_queue_large_enough_every_span_is_exported_once_under_its_callers_span",
    );
    let sink = Sink::start(Behaviour::PROMPT, KEYS);
    let reports = Reports::default();
    let guard = init_to(&sink, "concurrency-async", 1 << 20, &reports);
    let calls = run_on_a_fresh_runtime();
    let started = Instant::now();
    let stats = guard.shutdown().expect("a clean shutdown");
    eprintln!(
        "large queue: {SPANS} spans made in {calls:?}, exported {:?} later: {stats:?}, {} requests",
        started.elapsed(),
        sink.requests()
    );

    let spans = assert_exported_once(stats, SPANS, TASKS as u64, &sink, &reports, name_of);
    assert!(
        spans.iter().all(|span| span.events.is_empty()),
        "no span was cancelled or failed"
    );
}

#[test]
fn with_a_small_queue_and_a_slow_collector_spans_are_dropped_counted_and_reported_once() {
    let _turn = serial();
    let _watchdog = watchdog(
        WATCHDOG,
        "concurrency_async: with_a_small_queue_and_a_slow_collector_spans_are_dropped_counted_and_reported_once",
    );
    let sink = Sink::start(Behaviour::slow(Duration::from_millis(20)), KEYS);
    let reports = Reports::default();
    let guard = init_to(&sink, "concurrency-async", 64, &reports);
    let calls = run_on_a_fresh_runtime();
    let started = Instant::now();
    let stats = guard.shutdown().expect("a clean shutdown");
    eprintln!(
        "small queue: {SPANS} spans made in {calls:?}, shut down in {:?}: {stats:?}, {} requests",
        started.elapsed(),
        sink.requests()
    );
    assert!(calls < HANG_GUARD, "the calls waited for the collector");

    assert_dropped_not_waited(stats, SPANS, &sink, &reports, name_of);
}
