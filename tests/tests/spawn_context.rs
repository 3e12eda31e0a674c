//! `tokio::spawn` inside a traced async fn: the spawned task does **not**
//! inherit the span. The OpenTelemetry context is thread-local and a traced
//! fn makes its span current only while its own future is polled; a spawned
//! task is polled by the runtime, later and maybe on another worker, outside
//! that poll. So the spawned task's traced calls start new traces, unless
//! the context is handed over.
//!
//! The idiom that hands it over: wrap the future with
//! [`opentelemetry::context::FutureExt`] where it is spawned, inside the
//! traced fn, so it is polled with the spawner's context current:
//!
//! ```ignore
//! use opentelemetry::context::FutureExt as _;
//!
//! #[traced]
//! async fn handle(order: Order) {
//!     // The background work's spans are children of `handle`'s span.
//!     tokio::spawn(send_receipt(order.id).with_current_context());
//!     // Same thing, with the context taken explicitly:
//!     tokio::spawn(audit(order.id).with_context(opentelemetry::Context::current()));
//! }
//! ```
//!
//! For a thread, take the context before spawning and attach it inside:
//!
//! ```ignore
//! let cx = opentelemetry::Context::current();
//! std::thread::spawn(move || {
//!     let _attached = cx.attach();
//!     work(); // a child of the spawner's span
//! });
//! ```
//!
//! (`tokio::task::spawn_blocking` is the same as a thread.)

// Bare spawns start traces of their own, which no `Capture` sees: hence the private helper.

use std::future::Future;

use opentelemetry::Context;
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{SpanContext, TraceContextExt};
use tokio::runtime::{Builder, Runtime};
use traced::traced;
use traced_tests::all_spans::{SpanExt, Spans, capture};

#[traced(args(id))]
async fn spawned(id: i64) -> bool {
    tokio::task::yield_now().await;
    id >= 0
}

/// Spawns `spawned(0)` as it is, `spawned(1)` with the current context and
/// `spawned(2)` with the context taken explicitly; also reports whether a
/// bare spawned task sees any span current.
#[traced]
async fn spawner() -> bool {
    let bare = tokio::spawn(spawned(0));
    let with_current = tokio::spawn(spawned(1).with_current_context());
    let with_explicit = tokio::spawn(spawned(2).with_context(Context::current()));
    let sees_a_span = tokio::spawn(async { Context::current().has_active_span() });
    assert!(bare.await.unwrap());
    assert!(with_current.await.unwrap());
    assert!(with_explicit.await.unwrap());
    sees_a_span.await.unwrap()
}

#[traced(args(id))]
fn on_a_thread(id: i64) -> i64 {
    id
}

#[traced]
fn thread_spawner() {
    let bare = std::thread::spawn(|| on_a_thread(0));
    let cx = Context::current();
    let attached = std::thread::spawn(move || {
        let _attached = cx.attach();
        on_a_thread(1)
    });
    assert_eq!(bare.join().unwrap(), 0);
    assert_eq!(attached.join().unwrap(), 1);
}

fn spawned_with_id<'a>(
    spans: &'a Spans,
    name: &str,
    id: i64,
) -> &'a opentelemetry_sdk::trace::SpanData {
    let matching: Vec<_> = spans
        .all_named(name)
        .into_iter()
        .filter(|span| span.attr("id") == Some(&id.into()))
        .collect();
    assert_eq!(matching.len(), 1, "{name}({id}): {:?}", spans.names());
    matching[0]
}

/// Runs `future` on `runtime` and shuts the runtime down, inside a capture,
/// so every span of every task has ended when the spans are read.
fn run<F: Future>(runtime: Runtime, future: F) -> (F::Output, Spans) {
    capture(|| {
        let output = runtime.block_on(future);
        drop(runtime);
        output
    })
}

/// Runs `future` as a task on a 2-worker runtime, off the calling thread.
fn run_on_workers<F>(future: F) -> (F::Output, Spans)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    run(runtime, async { tokio::spawn(future).await.unwrap() })
}

fn check_tokio(runtime: Runtime) {
    let (sees_a_span, spans) = run(runtime, spawner());
    assert!(!sees_a_span, "a bare spawned task saw a span current");
    assert_eq!(spans.len(), 4, "{:?}", spans.names());
    let parent = spans.named("spawner");
    assert!(parent.is_root());

    let bare = spawned_with_id(&spans, "spawned", 0);
    assert!(bare.is_root(), "a bare spawned task has no parent");
    assert_ne!(
        bare.trace_id(),
        parent.trace_id(),
        "it starts a trace of its own"
    );

    for id in [1, 2] {
        let handed_over = spawned_with_id(&spans, "spawned", id);
        assert!(
            handed_over.is_child_of(parent),
            "spawned({id}) is a child of the spawner"
        );
    }
}

#[test]
fn a_spawned_task_inherits_the_span_only_when_given_the_context_multi_thread() {
    check_tokio(
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    );
}

#[test]
fn a_spawned_task_inherits_the_span_only_when_given_the_context_current_thread() {
    check_tokio(Builder::new_current_thread().enable_all().build().unwrap());
}

#[test]
fn a_thread_inherits_the_span_only_when_given_the_context() {
    let ((), spans) = capture(thread_spawner);
    assert_eq!(spans.len(), 3, "{:?}", spans.names());
    let parent = spans.named("thread_spawner");
    let bare = spawned_with_id(&spans, "on_a_thread", 0);
    assert!(bare.is_root());
    assert_ne!(bare.trace_id(), parent.trace_id());
    assert!(spawned_with_id(&spans, "on_a_thread", 1).is_child_of(parent));
}

// ---- a task spawned next to the span's own future ----

fn current_span() -> SpanContext {
    Context::current().span().span_context().clone()
}

#[traced(args(id))]
fn sync_child(id: u32) -> u32 {
    id
}

#[traced]
async fn spawns_a_sibling() -> (bool, SpanContext) {
    let sibling = tokio::spawn(async {
        let leaked = Context::current().has_active_span();
        sync_child(7);
        leaked
    });
    tokio::task::yield_now().await;
    let leaked = sibling.await.unwrap();
    (leaked, current_span())
}

fn assert_sibling_is_not_a_child(leaked: bool, spans: &Spans) {
    assert!(!leaked, "the spawned task saw the span as current");
    let parent = spans.named("spawns_a_sibling");
    let sibling = spans.named("sync_child");
    assert!(sibling.is_root());
    assert_ne!(sibling.trace_id(), parent.trace_id());
}

#[test]
fn no_context_leaks_to_a_spawned_task() {
    let ((leaked, own), spans) = run(
        Builder::new_current_thread().enable_all().build().unwrap(),
        spawns_a_sibling(),
    );
    assert_sibling_is_not_a_child(leaked, &spans);
    assert_eq!(own, spans.named("spawns_a_sibling").span_context);

    let ((leaked, _), spans) = run_on_workers(spawns_a_sibling());
    assert_sibling_is_not_a_child(leaked, &spans);
}
