//! Spans whose trace is not the caller's: `root`, `parent = ..` with a
//! context from elsewhere, and calls made with nothing current. A `Capture`
//! keeps only the spans of its own trace, so these tests read every span the
//! process ends, with the whole-process helper of tests/src.

use opentelemetry::Context;
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_sdk::trace::SpanData;
use traced::traced;
use traced_tests::all_spans::{SpanExt, capture};

// ---- nothing current ----

#[traced]
fn leaf(x: u32) -> u32 {
    x + 1
}

#[test]
fn each_call_exports_one_span_with_defaults() {
    let (value, spans) = capture(|| leaf(1) + leaf(2) + leaf(3));
    assert_eq!(value, 9);
    assert_eq!(spans.names(), ["leaf", "leaf", "leaf"]);
    for span in &spans.0 {
        assert_eq!(span.span_kind, SpanKind::Internal);
        assert_eq!(span.status, Status::Unset);
        assert!(span.events.is_empty());
        assert!(span.is_root());
    }
    // Three separate root calls: three traces.
    assert_ne!(spans.0[0].trace_id(), spans.0[1].trace_id());
}

// ---- parent and root ----

const REMOTE_TRACE: TraceId = TraceId::from_bytes([7; 16]);
const REMOTE_SPAN: SpanId = SpanId::from_bytes([9; 8]);

fn remote_context() -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        REMOTE_TRACE,
        REMOTE_SPAN,
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    ))
}

#[traced]
fn child() {}

#[traced(parent = cx)]
fn parent_by_value(cx: Context) {
    child();
}

#[traced(parent = cx)]
fn parent_by_ref(cx: &Context) {
    child();
}

#[traced(parent = remote_context())]
fn parent_from_any_expression() {}

#[traced]
fn traced_caller() {
    parent_by_ref(&remote_context());
    root_span();
}

#[traced(root)]
fn root_span() {
    child();
}

fn assert_remote_child(span: &SpanData) {
    assert_eq!(span.trace_id(), REMOTE_TRACE);
    assert_eq!(span.parent_span_id, REMOTE_SPAN);
    assert!(span.parent_span_is_remote);
}

#[test]
fn parent_takes_a_context_or_a_reference() {
    let ((), spans) = capture(|| {
        parent_by_value(remote_context());
        parent_by_ref(&remote_context());
        parent_from_any_expression();
    });
    for name in [
        "parent_by_value",
        "parent_by_ref",
        "parent_from_any_expression",
    ] {
        assert_remote_child(spans.named(name));
    }
    // Inside, the new span is current: its children hang under it.
    let children = spans.all_named("child");
    assert!(children[0].is_child_of(spans.named("parent_by_value")));
    assert!(children[1].is_child_of(spans.named("parent_by_ref")));
    assert!(!children[0].parent_span_is_remote);
}

#[test]
fn parent_overrides_the_current_span_and_root_ignores_it() {
    let ((), spans) = capture(traced_caller);
    let caller = spans.named("traced_caller");
    assert_remote_child(spans.named("parent_by_ref"));

    let root = spans.named("root_span");
    assert!(root.is_root());
    assert!(!root.parent_span_is_remote);
    assert_ne!(root.trace_id(), caller.trace_id());
    assert_ne!(root.trace_id(), REMOTE_TRACE);
    // The root span's children are in its new trace.
    let children = spans.all_named("child");
    assert_eq!(children.len(), 2);
    assert!(children[1].is_child_of(root));
}

#[test]
fn root_ignores_an_attached_remote_parent() {
    let ((), spans) = capture(|| {
        let _attached = remote_context().attach();
        root_span();
    });
    let root = spans.named("root_span");
    assert!(root.is_root());
    assert_ne!(root.trace_id(), REMOTE_TRACE);
}

struct Request {
    cx: Context,
}

impl Request {
    #[traced(parent = &self.cx)]
    fn handle(&self) {
        child();
    }
}

#[test]
fn parent_can_borrow_from_self() {
    let ((), spans) = capture(|| {
        Request {
            cx: remote_context(),
        }
        .handle();
    });
    let handle = spans.named("handle");
    assert_remote_child(handle);
    assert!(spans.named("child").is_child_of(handle));
}

// ---- the same on async fns ----

#[traced(parent = cx)]
async fn async_parent(cx: &Context) {
    tokio::task::yield_now().await;
    child();
}

#[traced(root)]
async fn async_root() {
    tokio::task::yield_now().await;
    child();
}

#[traced]
async fn async_caller() {
    async_parent(&remote_context()).await;
    async_root().await;
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn async_parent_and_root() {
    let ((), spans) = capture(|| block_on(async_caller()));
    let caller = spans.named("async_caller");
    let parent = spans.named("async_parent");
    assert_remote_child(parent);
    let root = spans.named("async_root");
    assert!(root.is_root());
    assert_ne!(root.trace_id(), caller.trace_id());
    let children = spans.all_named("child");
    assert_eq!(children.len(), 2);
    assert!(children[0].is_child_of(parent));
    assert!(children[1].is_child_of(root));
}

#[traced(parent = Context::new())]
fn empty_parent() {}

#[traced]
fn calls_empty_parent() {
    empty_parent();
}

#[test]
fn an_empty_parent_context_starts_a_new_trace() {
    let ((), spans) = capture(calls_empty_parent);
    let span = spans.named("empty_parent");
    assert!(span.is_root());
    assert_ne!(
        span.trace_id(),
        spans.named("calls_empty_parent").trace_id()
    );
}

// ---- secrets in roots ----

const PASSWORD: &str = "correct-horse-battery-staple";

/// Asserts the password appears nowhere in `span`: name, attributes,
/// events, status (as secrets.rs checks the spans of every other option).
fn assert_clean(span: &SpanData) {
    let everything = format!(
        "{} {:?} {:?} {:?}",
        span.name, span.attributes, span.events.events, span.status
    );
    assert!(
        !everything.contains(PASSWORD),
        "the password leaked into {}: {everything}",
        span.name
    );
}

#[traced(root)]
fn as_root(password: &str) -> usize {
    password.len()
}

#[traced(root)]
async fn async_as_root(password: &str) -> usize {
    tokio::task::yield_now().await;
    password.len()
}

#[test]
fn a_root_records_no_unlisted_parameter() {
    let ((), spans) = capture(|| {
        as_root(PASSWORD);
        block_on(async {
            async_as_root(PASSWORD).await;
        });
    });
    assert_clean(spans.named("as_root"));
    assert_clean(spans.named("async_as_root"));
}
