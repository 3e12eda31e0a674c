//! Bad data at run time: huge values are cut at the limit, and a `Debug` or
//! `Display` that panics is recorded as a placeholder instead of crashing
//! the call.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry::Value;
use traced::traced;
use traced_tests::{SpanExt, capture};

/// Writes `len` bytes, counting how many it was asked to write.
struct Huge {
    len: usize,
    written: AtomicUsize,
}

impl Huge {
    fn new(len: usize) -> Self {
        Self {
            len,
            written: AtomicUsize::new(0),
        }
    }
}

impl fmt::Debug for Huge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for _ in 0..self.len / 64 {
            self.written.fetch_add(64, Ordering::Relaxed);
            f.write_str(&"x".repeat(64))?;
        }
        Ok(())
    }
}

struct PanicsInFmt;

impl fmt::Debug for PanicsInFmt {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Debug exploded")
    }
}

impl fmt::Display for PanicsInFmt {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Display exploded")
    }
}

#[traced(args(?body))]
fn upload(body: &Huge) -> usize {
    body.len
}

#[traced(args(body))]
fn upload_text(body: &str) -> usize {
    body.len()
}

#[traced(args(?value, %shown), ret)]
fn survives(value: &PanicsInFmt, shown: &PanicsInFmt) -> u8 {
    let _ = (value, shown);
    7
}

#[traced]
fn fails_with_a_bad_error() -> Result<(), PanicsInFmt> {
    Err(PanicsInFmt)
}

#[test]
fn huge_values_are_cut_and_never_formatted_whole() {
    let body = Huge::new(8 * 1024 * 1024);
    let text = "y".repeat(1024 * 1024);
    let ((), spans) = capture(|| {
        upload(&body);
        upload_text(&text);
    });

    let limit = traced::DEFAULT_MAX_TEXT_LEN;
    let recorded = spans.named("upload").attr_str("body").unwrap();
    assert_eq!(recorded, format!("{}…", "x".repeat(limit)));
    // Formatting stopped within one write of the limit, not after 8 MiB.
    assert!(body.written.load(Ordering::Relaxed) <= limit + 64);

    let recorded = spans.named("upload_text").attr_str("body").unwrap();
    assert_eq!(recorded, format!("{}…", "y".repeat(limit)));
}

#[test]
fn a_panicking_debug_or_display_is_a_placeholder() {
    let (value, spans) = capture(|| survives(&PanicsInFmt, &PanicsInFmt));
    assert_eq!(value, 7, "the call completed");
    let span = spans.named("survives");
    assert_eq!(span.attr("value"), Some(&Value::from("[Debug panicked]")));
    assert_eq!(span.attr("shown"), Some(&Value::from("[Display panicked]")));
    assert_eq!(span.status, opentelemetry::trace::Status::Unset, "{span:?}");
}

#[test]
fn a_panicking_error_display_still_fails_the_span() {
    let (result, spans) = capture(fails_with_a_bad_error);
    assert!(result.is_err());
    let span = spans.named("fails_with_a_bad_error");
    assert_eq!(span.error_description(), Some("[Display panicked]".into()));
}
