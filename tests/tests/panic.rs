//! A panicking traced fn records the panic, ends its span once, keeps
//! unwinding, and leaves the thread's context as it found it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use opentelemetry::trace::{SpanContext, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, Value, global};
use opentelemetry_sdk::trace::SpanData;
use traced::testing::{Capture, Spans};
use traced::traced;
use traced_tests::panic_message;

fn assert_panicked(spans: &Spans, span: &SpanData, message: &str) {
    assert_eq!(span.status, Status::error(message.to_owned()));
    assert_eq!(spans.events(span, "exception").len(), 1);
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.message"),
        Some(Value::from(message.to_owned()))
    );
}

#[traced]
fn panics_with_str() {
    panic!("static message");
}

#[traced(args(code))]
fn panics_with_string(code: u32) -> u32 {
    if code > 0 {
        panic!("failed with code {code}");
    }
    code
}

#[traced]
fn panics_in_a_result_fn() -> Result<(), String> {
    panic!("not an Err");
}

#[traced]
fn panics_with_other_payload() {
    std::panic::panic_any(42_u32);
}

#[test]
fn a_str_panic_is_recorded_and_keeps_unwinding() {
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            panics_with_str();
            unreachable!("the panic must propagate");
        })
    });
    let spans = capture.spans();
    assert_eq!(message, "static message");
    assert_eq!(spans.len(), 1);
    assert_panicked(&spans, spans.only("panics_with_str"), "static message");
}

#[test]
fn a_formatted_panic_is_recorded() {
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            panics_with_string(7);
        })
    });
    let spans = capture.spans();
    assert_eq!(message, "failed with code 7");
    let span = spans.only("panics_with_string");
    assert_panicked(&spans, span, "failed with code 7");
    assert_eq!(spans.attribute(span, "code"), Some(Value::I64(7)));
}

#[test]
fn a_panic_in_a_result_fn_is_an_error_too() {
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            let _ = panics_in_a_result_fn();
        })
    });
    let spans = capture.spans();
    assert_panicked(&spans, spans.only("panics_in_a_result_fn"), &message);
}

#[test]
fn a_non_string_payload_still_marks_the_span_failed() {
    let capture = Capture::new();
    let outcome = capture.run(|| catch_unwind(panics_with_other_payload));
    let spans = capture.spans();
    let payload = outcome.expect_err("it panics");
    // The payload reaches the catcher untouched.
    assert_eq!(payload.downcast_ref::<u32>(), Some(&42));
    let span = spans.only("panics_with_other_payload");
    assert!(matches!(span.status, Status::Error { .. }));
    assert_eq!(spans.events(span, "exception").len(), 1);
}

#[traced]
fn outer_of_a_panic() {
    panics_with_string(1);
}

#[derive(Debug, PartialEq)]
struct Marker(&'static str);

fn current_span() -> SpanContext {
    Context::current().span().span_context().clone()
}

#[test]
fn through_two_traced_fns_both_record_and_the_context_is_restored() {
    let capture = Capture::new();
    let ((before, after), outcome) = capture.run(|| {
        let before = (current_span(), Context::current().get::<Marker>().is_none());
        let outcome = catch_unwind(outer_of_a_panic);
        let after = (current_span(), Context::current().get::<Marker>().is_none());
        ((before, after), outcome)
    });
    let spans = capture.spans();
    assert!(outcome.is_err());
    assert_eq!(after, before);
    assert_eq!(
        &after.0,
        capture.context().span().span_context(),
        "no span left current but the capture's"
    );
    assert_eq!(spans.len(), 2);
    let inner = spans.only("panics_with_string");
    let outer = spans.only("outer_of_a_panic");
    assert_eq!(spans.parent(inner), Some(outer));
    assert_panicked(&spans, inner, "failed with code 1");
    assert_panicked(&spans, outer, "failed with code 1");
}

#[test]
fn inside_an_attached_hand_written_context_it_is_restored() {
    let capture = Capture::new();
    let (inside, after) = capture.run(|| {
        let cx = Context::current_with_span(global::tracer("manual").start("manual.outer"))
            .with_value(Marker("kept"));
        let _attached = cx.clone().attach();
        let inside = current_span();
        let outcome = catch_unwind(outer_of_a_panic);
        assert!(outcome.is_err());
        let after = (
            current_span(),
            Context::current().get::<Marker>().map(|m| m.0),
        );
        cx.span().end();
        (inside, after)
    });
    let spans = capture.spans();
    assert_eq!(after, (inside, Some("kept")));
    let manual = spans.only("manual.outer");
    assert_eq!(spans.parent(spans.only("outer_of_a_panic")), Some(manual));
    // The hand-written span is untouched by the panic below it.
    assert_eq!(manual.status, Status::Unset);
}

#[traced]
fn catches_a_child_panic() -> bool {
    catch_unwind(AssertUnwindSafe(|| panics_with_string(2))).is_err()
}

#[test]
fn a_panic_caught_by_the_caller_fails_only_the_panicking_span() {
    let capture = Capture::new();
    let caught = capture.run(catches_a_child_panic);
    let spans = capture.spans();
    assert!(caught);
    assert_panicked(
        &spans,
        spans.only("panics_with_string"),
        "failed with code 2",
    );
    let outer = spans.only("catches_a_child_panic");
    assert_eq!(outer.status, Status::Unset);
    assert!(outer.events.is_empty());
}

#[traced(args(code))]
fn never_returns(code: u32) -> ! {
    panic!("gave up with {code}");
}

#[test]
fn a_fn_that_never_returns_records_its_panic() {
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            never_returns(3);
        })
    });
    let spans = capture.spans();
    assert_eq!(message, "gave up with 3");
    let span = spans.only("never_returns");
    assert_panicked(&spans, span, "gave up with 3");
    assert_eq!(spans.attribute(span, "code"), Some(Value::I64(3)));
}
