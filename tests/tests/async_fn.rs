//! Async fns: the span is current during every poll, across `.await`s and
//! thread hops, never leaks to other tasks, and ends once on completion,
//! error, panic or cancellation.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, Waker};
use std::thread::{self, ThreadId};
use std::time::Duration;

use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{SpanContext, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, Value, global};
use opentelemetry_sdk::trace::SpanData;
use tokio::runtime::{Builder, Runtime};
use traced::testing::{Capture, Spans};
use traced::traced;
use traced_tests::panic_message;

fn current_thread() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `future` on `runtime` under a capture and shuts the runtime down,
/// so every span of every task has ended when the spans are read.
fn run<F: Future>(runtime: Runtime, future: F) -> (F::Output, Spans) {
    let capture = Capture::new();
    let output = runtime.block_on(capture.run_async(future));
    drop(runtime);
    (output, capture.spans())
}

/// Runs `future` as a task on a 2-worker runtime, off the calling thread,
/// handed the capture's context.
fn run_on_workers<F>(future: F) -> (F::Output, Spans)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = multi_thread();
    run(runtime, async {
        tokio::spawn(future.with_current_context()).await.unwrap()
    })
}

/// The span context the capture makes current: its remote parent.
fn capture_span(capture: &Capture) -> SpanContext {
    capture.context().span().span_context().clone()
}

fn current_span() -> SpanContext {
    Context::current().span().span_context().clone()
}

#[traced(args(id))]
fn sync_child(id: u32) -> u32 {
    id
}

#[traced(args(id))]
async fn async_child(id: u32) -> u32 {
    tokio::task::yield_now().await;
    id
}

/// The span current at each step, across three kinds of await.
#[traced]
async fn observes_current() -> Vec<SpanContext> {
    let mut seen = vec![current_span()];
    tokio::task::yield_now().await;
    seen.push(current_span());
    tokio::time::sleep(Duration::from_millis(1)).await;
    seen.push(current_span());
    async_child(0).await;
    seen.push(current_span());
    seen
}

fn assert_current_throughout(seen: &[SpanContext], spans: &Spans) {
    let span = spans.only("observes_current");
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|cx| cx == &span.span_context));
    assert_eq!(spans.parent(spans.only("async_child")), Some(span));
}

#[test]
fn current_across_awaits_on_current_thread() {
    let (seen, spans) = run(current_thread(), observes_current());
    assert_current_throughout(&seen, &spans);
}

#[test]
fn current_across_awaits_on_multi_thread() {
    let (seen, spans) = run_on_workers(observes_current());
    assert_current_throughout(&seen, &spans);
}

#[traced]
async fn parent_of_many() -> u32 {
    let a = sync_child(1);
    tokio::task::yield_now().await;
    let b = async_child(2).await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    global::tracer("manual").in_span("manual.child", |_| ());
    a + b
}

fn assert_children(spans: &Spans) {
    let parent = spans.only("parent_of_many");
    assert!(spans.roots().contains(&parent));
    for child in ["sync_child", "async_child", "manual.child"] {
        assert_eq!(spans.parent(spans.only(child)), Some(parent), "{child}");
    }
    // It ends last.
    assert_eq!(spans.in_end_order().last(), Some(&parent));
}

#[test]
fn children_across_awaits() {
    let (sum, spans) = run(current_thread(), parent_of_many());
    assert_eq!(sum, 3);
    assert_children(&spans);
    let (sum, spans) = run_on_workers(parent_of_many());
    assert_eq!(sum, 3);
    assert_children(&spans);
}

#[traced(args(id))]
async fn task(id: u32) -> u32 {
    let mut total = 0;
    for _ in 0..5 {
        tokio::task::yield_now().await;
        total += async_child(id).await;
        total += sync_child(id);
    }
    total
}

#[test]
fn concurrent_tasks_on_multi_thread_keep_their_own_parents() {
    let ((), spans) = run_on_workers(async {
        let tasks: Vec<_> = (0..8)
            .map(|id| tokio::spawn(task(id).with_current_context()))
            .collect();
        for (id, handle) in (0..8).zip(tasks) {
            assert_eq!(handle.await.unwrap(), id * 10);
        }
    });
    let tasks = spans.named("task");
    assert_eq!(tasks.len(), 8);
    let parent_of = |child: &SpanData| {
        let id = spans.attribute(child, "id");
        let parents: Vec<_> = tasks
            .iter()
            .filter(|t| spans.attribute(t, "id") == id)
            .collect();
        assert_eq!(parents.len(), 1);
        parents[0].span_context.span_id()
    };
    let children: Vec<_> = spans
        .all()
        .iter()
        .filter(|span| span.name != "task")
        .collect();
    assert_eq!(children.len(), 8 * 10);
    for child in children {
        assert_eq!(child.parent_span_id, parent_of(child), "{child:?}");
    }
}

#[traced(args(n))]
async fn recursive(n: u32) -> u32 {
    tokio::task::yield_now().await;
    if n == 0 {
        0
    } else {
        1 + Box::pin(recursive(n - 1)).await
    }
}

#[test]
fn async_recursion_nests_one_span_per_level() {
    let (depth, spans) = run(current_thread(), recursive(3));
    assert_eq!(depth, 3);
    // Outermost starts first; each is the parent of the next.
    let calls = spans.named("recursive");
    assert_eq!(calls.len(), 4);
    for pair in calls.windows(2) {
        assert_eq!(spans.parent(pair[1]), Some(pair[0]));
    }
    assert_eq!(spans.attribute(calls[3], "n"), Some(Value::I64(0)));
}

/// Pending once, waking itself: lets a test move the future between polls.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[traced]
async fn hops() -> (ThreadId, ThreadId, SpanContext, SpanContext) {
    let first = (thread::current().id(), current_span());
    YieldOnce(false).await;
    sync_child(1);
    (first.0, thread::current().id(), first.1, current_span())
}

#[test]
fn a_future_moved_to_another_thread_keeps_its_span() {
    let capture = Capture::new();
    let (leaked_on_first, result, leaked_on_second) = capture.run(|| {
        let mut future = Box::pin(hops());
        let mut task = TaskContext::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut task).is_pending());
        // Anything but the capture's own span left current.
        let leaked_on_first = current_span() != capture_span(&capture);
        thread::spawn(move || {
            let mut task = TaskContext::from_waker(Waker::noop());
            let Poll::Ready(result) = future.as_mut().poll(&mut task) else {
                panic!("ready on the second poll");
            };
            (
                leaked_on_first,
                result,
                Context::current().has_active_span(),
            )
        })
        .join()
        .unwrap()
    });
    let spans = capture.spans();
    let (first_thread, second_thread, first_span, second_span) = result;
    assert_ne!(first_thread, second_thread, "the test must hop threads");
    let span = spans.only("hops");
    assert_eq!(first_span, span.span_context);
    assert_eq!(second_span, span.span_context);
    assert_eq!(spans.parent(spans.only("sync_child")), Some(span));
    assert!(
        !leaked_on_first && !leaked_on_second,
        "no span left current"
    );
}

#[derive(Debug, PartialEq)]
struct Oops(u32);

impl std::fmt::Display for Oops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "oops {}", self.0)
    }
}

impl From<std::num::ParseIntError> for Oops {
    fn from(_: std::num::ParseIntError) -> Self {
        Oops(0)
    }
}

#[traced(args(text), ret)]
async fn parse(text: &str) -> Result<u32, Oops> {
    tokio::task::yield_now().await;
    if text.is_empty() {
        return Err(Oops(1));
    }
    let value: u32 = text.parse()?;
    async_child(value).await;
    Ok(value)
}

#[test]
fn early_return_question_mark_and_errors_in_async_fns() {
    let (results, spans) = run(current_thread(), async {
        (parse("").await, parse("x").await, parse("5").await)
    });
    assert_eq!(results, (Err(Oops(1)), Err(Oops(0)), Ok(5)));
    let calls = spans.named("parse");
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].status, Status::error("oops 1"));
    assert_eq!(calls[1].status, Status::error("oops 0"));
    assert_eq!(
        spans.event_attribute(calls[1], "exception", "exception.type"),
        Some(Value::from(std::any::type_name::<Oops>()))
    );
    assert_eq!(calls[2].status, Status::Unset);
    assert_eq!(spans.attribute(calls[2], "return"), Some(Value::from("5")));
    assert_eq!(spans.attribute(calls[2], "text"), Some(Value::from("5")));
    assert_eq!(spans.parent(spans.only("async_child")), Some(calls[2]));
    assert!(
        calls
            .iter()
            .all(|call| spans.events(call, "cancelled").is_empty())
    );
}

/// Never finishes on its own.
#[traced]
async fn forever() {
    sync_child(0);
    std::future::pending::<()>().await;
}

fn assert_cancelled_once(spans: &Spans) {
    let span = spans.only("forever");
    assert_eq!(spans.events(span, "cancelled").len(), 1);
    assert_eq!(spans.parent(spans.only("sync_child")), Some(span));
}

#[test]
fn timeout_cancels_the_span() {
    let (outcome, spans) = run(current_thread(), async {
        tokio::time::timeout(Duration::from_millis(5), forever()).await
    });
    assert!(outcome.is_err());
    assert_cancelled_once(&spans);
}

#[test]
fn select_cancels_the_losing_span() {
    let (winner, spans) = run(current_thread(), async {
        tokio::select! {
            _ = forever() => "forever",
            value = async_child(3) => { assert_eq!(value, 3); "child" }
        }
    });
    assert_eq!(winner, "child");
    assert_cancelled_once(&spans);
    // The winner completed: not cancelled.
    let winner = spans.named("async_child");
    assert_eq!(winner.len(), 1);
    assert_eq!(spans.events(winner[0], "cancelled").len(), 0);
}

#[test]
fn dropping_a_polled_future_cancels_the_span() {
    let capture = Capture::new();
    capture.run(|| {
        let mut future = Box::pin(forever());
        let mut task = TaskContext::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut task).is_pending());
        drop(future);
        assert_eq!(current_span(), capture_span(&capture));
    });
    let spans = capture.spans();
    assert_eq!(spans.len(), 2);
    assert_cancelled_once(&spans);
}

/// Makes a child span when dropped.
struct ChildOnDrop;

impl Drop for ChildOnDrop {
    fn drop(&mut self) {
        sync_child(99);
    }
}

#[traced]
async fn forever_holding_a_guard() {
    let _guard = ChildOnDrop;
    std::future::pending::<()>().await;
}

#[test]
fn a_cancelled_body_is_dropped_inside_its_span() {
    let capture = Capture::new();
    capture.run(|| {
        let mut future = Box::pin(forever_holding_a_guard());
        let mut task = TaskContext::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut task).is_pending());
        drop(future);
    });
    let spans = capture.spans();
    let span = spans.only("forever_holding_a_guard");
    assert_eq!(spans.events(span, "cancelled").len(), 1);
    assert_eq!(spans.parent(spans.only("sync_child")), Some(span));
}

#[traced]
async fn cancels_a_child() {
    let _ = tokio::time::timeout(Duration::from_millis(1), forever()).await;
}

#[test]
fn a_cancelled_child_does_not_cancel_its_parent() {
    let ((), spans) = run(current_thread(), cancels_a_child());
    let parent = spans.only("cancels_a_child");
    assert_eq!(spans.parent(spans.only("forever")), Some(parent));
    assert_cancelled_once(&spans);
    assert_eq!(spans.events(parent, "cancelled").len(), 0);
}

#[traced]
async fn propagates_to_a_task() {
    use opentelemetry::context::FutureExt;
    // Propagated by hand, the task is a child.
    let task = tokio::spawn(async_child(4).with_context(Context::current()));
    task.await.unwrap();
}

#[test]
fn a_task_given_the_context_is_a_child() {
    let ((), spans) = run_on_workers(propagates_to_a_task());
    let parent = spans.only("propagates_to_a_task");
    assert_eq!(spans.parent(spans.only("async_child")), Some(parent));
}

#[traced]
async fn waits_for(signal: std::sync::Arc<tokio::sync::Notify>) {
    signal.notified().await;
    sync_child(1);
}

#[test]
fn no_context_leaks_to_a_sibling_future_of_the_same_task() {
    let capture = Capture::new();
    let home = capture_span(&capture);
    let runtime = current_thread();
    let seen_by_sibling = runtime.block_on(capture.run_async(async {
        let signal = std::sync::Arc::new(tokio::sync::Notify::new());
        let sibling = async {
            tokio::task::yield_now().await;
            let seen = current_span();
            signal.notify_one();
            seen
        };
        let ((), seen) = tokio::join!(waits_for(signal.clone()), sibling);
        // After the run, only the capture's span is current in the task.
        assert_eq!(current_span(), home);
        seen
    }));
    drop(runtime);
    // The sibling saw what was current around it, not `waits_for`'s span.
    assert_eq!(seen_by_sibling, home);
    let spans = capture.spans();
    assert_eq!(
        spans.parent(spans.only("sync_child")),
        Some(spans.only("waits_for"))
    );
    assert!(!Context::current().has_active_span());
}

#[traced]
async fn panics_after_await(code: u32) {
    tokio::task::yield_now().await;
    panic!("async panic {code}");
}

#[test]
fn a_panicking_async_fn_records_the_panic_on_current_thread() {
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            current_thread().block_on(panics_after_await(1));
        })
    });
    assert_eq!(message, "async panic 1");
    let spans = capture.spans();
    let span = spans.only("panics_after_await");
    assert_eq!(span.status, Status::error("async panic 1"));
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.message"),
        Some(Value::from("async panic 1"))
    );
    assert_eq!(spans.events(span, "cancelled").len(), 0);
    assert!(!Context::current().has_active_span());
}

#[test]
fn a_panicking_async_fn_records_the_panic_on_multi_thread() {
    let (joined, spans) = run(multi_thread(), async {
        tokio::spawn(panics_after_await(2).with_current_context()).await
    });
    let payload = joined.expect_err("the task panicked").into_panic();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "async panic 2");
    let span = spans.only("panics_after_await");
    assert_eq!(span.status, Status::error("async panic 2"));
    assert_eq!(spans.events(span, "exception").len(), 1);
}

// ---- async fns in traits ----

trait Native {
    async fn handle(&self, x: u32) -> u32;
}

#[async_trait::async_trait]
trait Boxed {
    async fn handle(&self, x: u32) -> Result<u32, Oops>;

    #[traced]
    async fn provided(&self) -> u32 {
        tokio::task::yield_now().await;
        sync_child(9)
    }
}

struct Service;

impl Native for Service {
    #[traced(name = "native.handle", args(x))]
    async fn handle(&self, x: u32) -> u32 {
        tokio::task::yield_now().await;
        sync_child(x)
    }
}

#[async_trait::async_trait]
impl Boxed for Service {
    #[traced(name = "boxed.handle", args(x))]
    async fn handle(&self, x: u32) -> Result<u32, Oops> {
        tokio::task::yield_now().await;
        if x == 0 {
            return Err(Oops(x));
        }
        Ok(sync_child(x))
    }
}

/// The method's span covers its async body: the child made after an await
/// hangs under it and ends first.
fn assert_covers_body(spans: &Spans, method: &str, child_id: u32) {
    let child = spans
        .named("sync_child")
        .into_iter()
        .find(|child| spans.attribute(child, "id") == Some(Value::I64(child_id.into())))
        .expect("the child ran");
    let method_span = spans
        .named(method)
        .into_iter()
        .find(|span| spans.parent(child) == Some(span))
        .unwrap_or_else(|| panic!("{method} is not the child's parent"));
    let ended = spans.in_end_order();
    let position = |span: &SpanData| ended.iter().position(|ended| *ended == span);
    assert!(position(child) < position(method_span));
}

#[test]
fn async_fn_in_traits_native_and_async_trait() {
    let (results, spans) = run(current_thread(), async {
        (
            Native::handle(&Service, 1).await,
            Boxed::handle(&Service, 2).await,
            Boxed::handle(&Service, 0).await,
            Service.provided().await,
        )
    });
    assert_eq!(results, (1, Ok(2), Err(Oops(0)), 9));
    assert_covers_body(&spans, "native.handle", 1);
    assert_covers_body(&spans, "boxed.handle", 2);
    assert_covers_body(&spans, "provided", 9);
    let boxed = spans.named("boxed.handle");
    assert_eq!(spans.attribute(boxed[0], "x"), Some(Value::I64(2)));
    assert_eq!(boxed[1].status, Status::error("oops 0"));
}

#[test]
fn async_trait_methods_are_cancelled_too() {
    let capture = Capture::new();
    capture.run(|| {
        let mut future = Boxed::handle(&Service, 5);
        let mut task = TaskContext::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut task).is_pending());
        drop(future);
    });
    let spans = capture.spans();
    let span = spans.only("boxed.handle");
    assert_eq!(spans.events(span, "cancelled").len(), 1);
    assert!(spans.named("sync_child").is_empty());
}

/// Logs its drop, and whether a span of ours was current then (a
/// recording one: the capture's remote parent is not).
struct Loud(
    &'static str,
    std::sync::Arc<std::sync::Mutex<Vec<(&'static str, bool)>>>,
);

impl Drop for Loud {
    fn drop(&mut self) {
        let in_span = Context::current().span().is_recording();
        self.1.lock().unwrap().push((self.0, in_span));
    }
}

impl Loud {
    fn touch(&self) {}
}

#[traced]
async fn drop_order(a: Loud, b: Loud, c: Loud) {
    a.touch();
    tokio::task::yield_now().await;
    b.touch();
    let _ = &c;
}

#[test]
fn parameters_drop_last_first_inside_the_span() {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let loud = |name| Loud(name, log.clone());
    let ((), _spans) = run(
        current_thread(),
        drop_order(loud("a"), loud("b"), loud("c")),
    );
    assert_eq!(
        *log.lock().unwrap(),
        [("c", true), ("b", true), ("a", true)]
    );
}
