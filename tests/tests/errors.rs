//! Returned errors: status, `error.type` and the `exception` event, for a
//! `Result` under any name, with the error text chosen without trait bounds.

use std::any::type_name;
use std::fmt;

use opentelemetry::Value;
use opentelemetry::trace::Status;
use opentelemetry_sdk::trace::SpanData;
use traced::testing::{Capture, Spans};
use traced::traced;

/// Asserts `span` records a returned error of type `E` with text `text`, as
/// the semantic conventions ask.
fn assert_error<E: ?Sized>(spans: &Spans, span: &SpanData, text: &str) {
    let type_name = type_name::<E>();
    assert_eq!(span.status, Status::error(text.to_owned()), "status");
    assert_eq!(
        spans.attribute(span, "error.type"),
        Some(Value::from(type_name))
    );
    let events: Vec<&str> = span
        .events
        .iter()
        .map(|event| event.name.as_ref())
        .collect();
    assert_eq!(events, ["exception"]);
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.type"),
        Some(Value::from(type_name))
    );
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.message"),
        Some(Value::from(text.to_owned()))
    );
}

fn assert_no_error(spans: &Spans, span: &SpanData) {
    assert_eq!(span.status, Status::Unset);
    assert_eq!(spans.attribute(span, "error.type"), None);
    assert!(span.events.is_empty());
}

/// Display and Debug differ, to tell which one was used.
#[derive(Debug)]
struct Both;

impl fmt::Display for Both {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("displayed both")
    }
}

impl std::error::Error for Both {}

#[derive(Debug)]
#[allow(dead_code)] // read through Debug only
struct DebugOnly {
    code: u8,
}

struct Opaque;

type LocalResult<T> = Result<T, Both>;

#[traced]
fn std_result(fail: bool) -> Result<u8, Both> {
    if fail { Err(Both) } else { Ok(1) }
}

#[traced]
fn io_result() -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        "no access",
    ))
}

#[traced]
fn anyhow_result() -> anyhow::Result<u8> {
    Err(anyhow::anyhow!("anyhow text"))
}

#[traced]
fn alias_result() -> LocalResult<()> {
    Err(Both)
}

#[traced]
fn boxed_result() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err(Box::new(Both))
}

#[traced(err = debug)]
fn err_debug() -> Result<(), Both> {
    Err(Both)
}

#[traced(err = display)]
fn err_display() -> Result<(), Both> {
    Err(Both)
}

#[traced]
fn debug_only() -> Result<(), DebugOnly> {
    Err(DebugOnly { code: 3 })
}

#[traced(err = debug)]
fn debug_only_err_debug() -> Result<(), DebugOnly> {
    Err(DebugOnly { code: 4 })
}

#[traced]
fn opaque() -> Result<(), Opaque> {
    Err(Opaque)
}

/// No bound on `E`: the macro must not need one.
#[traced]
fn generic<E>(error: E) -> Result<(), E> {
    Err(error)
}

/// With a Display bound, the generic fn uses it.
#[traced]
fn generic_display<E: fmt::Display>(error: E) -> Result<(), E> {
    Err(error)
}

#[traced(err = off)]
fn err_off() -> Result<(), Both> {
    Err(Both)
}

#[traced]
fn not_a_result() -> Option<Both> {
    Some(Both)
}

#[test]
fn err_sets_status_error_type_and_exception_event() {
    let capture = Capture::new();
    let outcomes = capture.run(|| (std_result(true).is_err(), std_result(false).is_ok()));
    let spans = capture.spans();
    assert_eq!(outcomes, (true, true));
    let calls = spans.named("std_result");
    assert_error::<Both>(&spans, calls[0], "displayed both");
    assert_no_error(&spans, calls[1]);
}

#[test]
fn result_under_any_name() {
    let capture = Capture::new();
    capture.run(|| {
        let _ = io_result();
        let _ = anyhow_result();
        let _ = alias_result();
        let _ = boxed_result();
    });
    let spans = capture.spans();
    assert_error::<std::io::Error>(&spans, spans.only("io_result"), "no access");
    assert_error::<anyhow::Error>(&spans, spans.only("anyhow_result"), "anyhow text");
    assert_error::<Both>(&spans, spans.only("alias_result"), "displayed both");
    assert_error::<Box<dyn std::error::Error + Send + Sync>>(
        &spans,
        spans.only("boxed_result"),
        "displayed both",
    );
}

#[test]
fn err_mode_picks_display_or_debug() {
    let capture = Capture::new();
    capture.run(|| {
        let _ = err_debug();
        let _ = err_display();
    });
    let spans = capture.spans();
    assert_error::<Both>(&spans, spans.only("err_debug"), "Both");
    assert_error::<Both>(&spans, spans.only("err_display"), "displayed both");
}

#[test]
fn without_display_the_text_is_debug() {
    let capture = Capture::new();
    capture.run(|| {
        let _ = debug_only();
        let _ = debug_only_err_debug();
    });
    let spans = capture.spans();
    assert_error::<DebugOnly>(&spans, spans.only("debug_only"), "DebugOnly { code: 3 }");
    assert_error::<DebugOnly>(
        &spans,
        spans.only("debug_only_err_debug"),
        "DebugOnly { code: 4 }",
    );
}

#[test]
fn without_display_or_debug_the_text_is_the_type_name() {
    let capture = Capture::new();
    capture.run(|| {
        let _ = opaque();
    });
    let spans = capture.spans();
    assert_error::<Opaque>(&spans, spans.only("opaque"), type_name::<Opaque>());
}

#[test]
fn generic_error_without_bounds_falls_back_to_the_type_name() {
    let capture = Capture::new();
    capture.run(|| {
        let _ = generic(Both);
        let _ = generic_display(Both);
    });
    let spans = capture.spans();
    // `E` has no bound in `generic`, so nothing but its name is known there.
    assert_error::<Both>(&spans, spans.only("generic"), type_name::<Both>());
    assert_error::<Both>(&spans, spans.only("generic_display"), "displayed both");
}

/// An error whose text holds what must not leave the process.
#[derive(Debug)]
struct LeakyError(String);

impl fmt::Display for LeakyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no account for {}", self.0)
    }
}

#[traced(err = type)]
fn err_type_only(email: &str) -> Result<(), LeakyError> {
    Err(LeakyError(email.to_owned()))
}

#[traced(err = type)]
fn err_type_only_ok() -> Result<u8, LeakyError> {
    Ok(1)
}

#[traced(err = type)]
fn err_type_only_plain() -> u8 {
    2
}

#[test]
fn err_type_records_the_type_name_and_never_the_message() {
    let capture = Capture::new();
    capture.run(|| {
        let _ = err_type_only("alice@example.com");
        let _ = err_type_only_ok();
        let _ = err_type_only_plain();
    });
    let spans = capture.spans();
    let span = spans.only("err_type_only");
    assert_error::<LeakyError>(&spans, span, type_name::<LeakyError>());
    assert!(
        !format!("{span:?}").contains("alice@example.com"),
        "the message leaked: {span:?}"
    );
    assert_no_error(&spans, spans.only("err_type_only_ok"));
    assert_no_error(&spans, spans.only("err_type_only_plain"));
}

#[test]
fn err_off_records_nothing() {
    let capture = Capture::new();
    let outcome = capture.run(err_off);
    let spans = capture.spans();
    assert!(outcome.is_err());
    assert_no_error(&spans, spans.only("err_off"));
}

#[test]
fn a_non_result_return_is_never_an_error() {
    let capture = Capture::new();
    let outcome = capture.run(not_a_result);
    let spans = capture.spans();
    assert!(outcome.is_some());
    assert_no_error(&spans, spans.only("not_a_result"));
}

/// Declared opaque: callers cannot tell it is a `Result`, so neither can the
/// span.
#[traced(ret)]
fn opaque_result() -> impl std::fmt::Debug {
    Err::<u32, String>("hidden".to_owned())
}

#[test]
fn an_opaque_return_is_never_an_error() {
    let capture = Capture::new();
    let _ = capture.run(opaque_result);
    let spans = capture.spans();
    let span = spans.only("opaque_result");
    assert_no_error(&spans, span);
    assert_eq!(
        spans.attribute_text(span, "return").as_deref(),
        Some("Err(\"hidden\")")
    );
}

#[traced]
fn fails_inside() -> Result<(), Both> {
    std_result(true)?;
    Ok(())
}

#[test]
fn each_span_records_its_own_error() {
    let capture = Capture::new();
    capture.run(|| {
        let _ = fails_inside();
    });
    let spans = capture.spans();
    let inner = spans.only("std_result");
    let outer = spans.only("fails_inside");
    assert_eq!(spans.parent(inner), Some(outer));
    assert_error::<Both>(&spans, inner, "displayed both");
    assert_error::<Both>(&spans, outer, "displayed both");
}

// ---- the same in async fns ----

#[traced]
async fn async_io() -> std::io::Result<u8> {
    tokio::task::yield_now().await;
    Err(std::io::Error::other("async io"))
}

#[traced(err = debug)]
async fn async_err_debug() -> LocalResult<()> {
    tokio::task::yield_now().await;
    Err(Both)
}

#[traced(err = off)]
async fn async_err_off() -> Result<(), Both> {
    Err(Both)
}

#[traced]
async fn async_ok() -> anyhow::Result<u8> {
    tokio::task::yield_now().await;
    Ok(1)
}

#[test]
fn async_errors_are_recorded_the_same_way() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let capture = Capture::new();
    capture.run(|| {
        runtime.block_on(async {
            assert!(async_io().await.is_err());
            assert!(async_err_debug().await.is_err());
            assert!(async_err_off().await.is_err());
            assert!(async_ok().await.is_ok());
        })
    });
    let spans = capture.spans();
    assert_error::<std::io::Error>(&spans, spans.only("async_io"), "async io");
    assert_error::<Both>(&spans, spans.only("async_err_debug"), "Both");
    assert_no_error(&spans, spans.only("async_err_off"));
    assert_no_error(&spans, spans.only("async_ok"));
}
