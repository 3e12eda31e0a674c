//! Bad data at run time: huge values are cut at the limit, whatever records
//! them (`args`, `attrs`, `ret`, errors, panics, any `ToAttribute`), and a
//! `Debug`, `Display` or `ToAttribute` that panics, or an `attrs`
//! expression that panics, is recorded as a placeholder instead of crashing
//! the call.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry::trace::Status;
use opentelemetry::{Array, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;
use traced::testing::{Capture, Spans};
use traced::{ToAttribute, traced};
use traced_tests::panic_message;

const LIMIT: usize = traced::DEFAULT_MAX_TEXT_LEN;
/// Much more than the limit: 2 MiB.
const HUGE: usize = 2 * 1024 * 1024;
const PLACEHOLDER_KEY: &str = "traced.attributes.error";
const PLACEHOLDER: &str = "a value panicked while being recorded";

/// A long run of `c` as it is recorded: cut at the limit, `LIMIT` bytes
/// and `…`.
fn cut(c: char) -> String {
    format!("{}…", c.to_string().repeat(LIMIT))
}

/// Writes `len` bytes of `x` as its `Debug` and its `Display`, counting how
/// many it was asked to write.
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

    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for _ in 0..self.len / 64 {
            self.written.fetch_add(64, Ordering::Relaxed);
            f.write_str(&"x".repeat(64))?;
        }
        Ok(())
    }

    /// Formatting stopped within one write of the limit, not after all of
    /// `len`.
    #[track_caller]
    fn assert_stopped_at_the_limit(&self) {
        let written = self.written.load(Ordering::Relaxed);
        assert!(
            (LIMIT..=LIMIT + 64).contains(&written),
            "{written} bytes written"
        );
    }
}

impl fmt::Debug for Huge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

impl fmt::Display for Huge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
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

#[traced(args(%body))]
fn upload_shown(body: &Huge) -> usize {
    body.len
}

#[traced(attrs(debugged = ?first, shown = %second))]
fn upload_attrs(first: &Huge, second: &Huge) -> usize {
    first.len + second.len
}

#[traced(args(body))]
fn upload_text(body: &str) -> usize {
    body.len()
}

#[traced(ret)]
fn returns_huge(len: usize) -> Huge {
    Huge::new(len)
}

#[traced(ret = display)]
fn returns_huge_shown(len: usize) -> Result<Huge, String> {
    Ok(Huge::new(len))
}

#[traced(err = debug)]
fn fails_huge_debug(len: usize) -> Result<(), Huge> {
    Err(Huge::new(len))
}

#[traced(err = display)]
fn fails_huge_display(len: usize) -> Result<(), Huge> {
    Err(Huge::new(len))
}

#[test]
fn huge_values_are_cut_and_never_formatted_whole() {
    let body = Huge::new(8 * 1024 * 1024);
    let shown = Huge::new(HUGE);
    let (first, second) = (Huge::new(HUGE), Huge::new(HUGE));
    let text = "y".repeat(1024 * 1024);
    let capture = Capture::new();
    capture.run(|| {
        upload(&body);
        upload_shown(&shown);
        upload_attrs(&first, &second);
        upload_text(&text);
    });
    let spans = capture.spans();

    let text = |name, key| spans.attribute_text(spans.only(name), key);
    let recorded = text("upload", "body").unwrap();
    assert_eq!(recorded, cut('x'));
    body.assert_stopped_at_the_limit();

    let recorded = text("upload_shown", "body").unwrap();
    assert_eq!(recorded, cut('x'));
    shown.assert_stopped_at_the_limit();

    assert_eq!(text("upload_attrs", "debugged"), Some(cut('x')));
    assert_eq!(text("upload_attrs", "shown"), Some(cut('x')));
    first.assert_stopped_at_the_limit();
    second.assert_stopped_at_the_limit();

    let recorded = text("upload_text", "body").unwrap();
    assert_eq!(recorded, cut('y'));
}

#[test]
fn huge_returns_and_errors_are_cut_and_never_formatted_whole() {
    let capture = Capture::new();
    let (returned, shown, debug_error, display_error) = capture.run(|| {
        (
            returns_huge(HUGE),
            returns_huge_shown(HUGE).unwrap(),
            fails_huge_debug(HUGE).unwrap_err(),
            fails_huge_display(HUGE).unwrap_err(),
        )
    });
    let spans = capture.spans();

    let text = |name, key| spans.attribute_text(spans.only(name), key);
    assert_eq!(text("returns_huge", "return"), Some(cut('x')));
    returned.assert_stopped_at_the_limit();
    assert_eq!(text("returns_huge_shown", "return"), Some(cut('x')));
    shown.assert_stopped_at_the_limit();

    for (name, error) in [
        ("fails_huge_debug", debug_error),
        ("fails_huge_display", display_error),
    ] {
        let span = spans.only(name);
        assert_eq!(span.status, Status::error(cut('x')), "{name}");
        assert_eq!(
            spans.event_attribute(span, "exception", "exception.message"),
            Some(Value::from(cut('x'))),
            "{name}"
        );
        assert_eq!(
            text(name, "error.type"),
            Some(std::any::type_name::<Huge>().into())
        );
        // Formatted once, for both places it is recorded, and only up to
        // the limit.
        error.assert_stopped_at_the_limit();
    }
}

#[traced(args(?value, %shown), ret)]
fn survives(value: &PanicsInFmt, shown: &PanicsInFmt) -> u8 {
    let _ = (value, shown);
    7
}

#[traced(attrs(debugged = ?value, shown = %value, after = 1_i64))]
fn survives_attrs(value: &PanicsInFmt) -> u8 {
    let _ = value;
    8
}

#[traced(ret)]
fn returns_a_panicking_debug() -> PanicsInFmt {
    PanicsInFmt
}

#[traced(ret = display)]
fn returns_a_panicking_display() -> Result<PanicsInFmt, String> {
    Ok(PanicsInFmt)
}

#[traced]
fn fails_with_a_bad_error() -> Result<(), PanicsInFmt> {
    Err(PanicsInFmt)
}

#[traced(err = debug)]
fn fails_with_a_bad_debug_error() -> Result<(), PanicsInFmt> {
    Err(PanicsInFmt)
}

#[test]
fn a_panicking_debug_or_display_is_a_placeholder() {
    let capture = Capture::new();
    let value = capture.run(|| survives(&PanicsInFmt, &PanicsInFmt));
    let spans = capture.spans();
    assert_eq!(value, 7, "the call completed");
    let span = spans.only("survives");
    assert_eq!(
        spans.attribute(span, "value"),
        Some(Value::from("[Debug panicked]"))
    );
    assert_eq!(
        spans.attribute(span, "shown"),
        Some(Value::from("[Display panicked]"))
    );
    assert_eq!(spans.attribute_text(span, "return"), Some("7".into()));
    assert_eq!(span.status, Status::Unset, "{span:?}");
}

#[test]
fn a_panicking_debug_or_display_in_attrs_or_ret_is_a_placeholder() {
    let capture = Capture::new();
    let (value, _, _) = capture.run(|| {
        (
            survives_attrs(&PanicsInFmt),
            returns_a_panicking_debug(),
            returns_a_panicking_display(),
        )
    });
    let spans = capture.spans();
    assert_eq!(value, 8, "the call completed");
    let text = |name, key| spans.attribute_text(spans.only(name), key);
    let span = spans.only("survives_attrs");
    assert_eq!(
        text("survives_attrs", "debugged"),
        Some("[Debug panicked]".into())
    );
    assert_eq!(
        text("survives_attrs", "shown"),
        Some("[Display panicked]".into())
    );
    // Caught inside the formatting: the attributes after it are recorded,
    // and nothing says an attribute panicked.
    assert_eq!(spans.attribute(span, "after"), Some(Value::I64(1)));
    assert_eq!(spans.attribute(span, PLACEHOLDER_KEY), None);
    assert_eq!(span.status, Status::Unset, "{span:?}");
    assert_eq!(
        text("returns_a_panicking_debug", "return"),
        Some("[Debug panicked]".into())
    );
    assert_eq!(
        text("returns_a_panicking_display", "return"),
        Some("[Display panicked]".into())
    );
}

#[test]
fn a_panicking_error_display_or_debug_still_fails_the_span() {
    let capture = Capture::new();
    let (display, debug) = capture.run(|| {
        (
            fails_with_a_bad_error().is_err(),
            fails_with_a_bad_debug_error().is_err(),
        )
    });
    let spans = capture.spans();
    assert!(display && debug);
    for (name, placeholder) in [
        ("fails_with_a_bad_error", "[Display panicked]"),
        ("fails_with_a_bad_debug_error", "[Debug panicked]"),
    ] {
        let span = spans.only(name);
        assert_eq!(span.status, Status::error(placeholder));
        assert_eq!(
            spans.event_attribute(span, "exception", "exception.message"),
            Some(Value::from(placeholder))
        );
    }
}

// ---------------------------------------------------------------------------
// Huge panic messages

#[traced(args(len))]
fn panics_at_length(len: usize) {
    panic!("{}", "p".repeat(len));
}

#[traced]
fn panics_with_a_static_str(message: &'static str) {
    std::panic::panic_any(message);
}

#[traced(args(len))]
async fn panics_at_length_async(len: usize) {
    tokio::task::yield_now().await;
    panic!("{}", "é".repeat(len / 2));
}

/// Failed by a panic whose message was cut to `expected`.
#[track_caller]
fn assert_panic_cut(spans: &Spans, span: &SpanData, expected: &str) {
    assert_eq!(span.status, Status::error(expected.to_owned()));
    assert_eq!(
        spans.attribute_text(span, "error.type"),
        Some("panic".into())
    );
    assert_eq!(spans.events(span, "exception").len(), 1);
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.message"),
        Some(Value::from(expected.to_owned()))
    );
}

#[test]
fn a_huge_panic_message_is_cut_at_the_limit() {
    let capture = Capture::new();
    let message = capture.run(|| panic_message(|| panics_at_length(HUGE)));
    // The panic goes on with its whole message.
    assert_eq!(message.len(), HUGE);
    let spans = capture.spans();
    assert_panic_cut(&spans, spans.only("panics_at_length"), &cut('p'));

    let leaked: &'static str = Box::leak("s".repeat(HUGE).into_boxed_str());
    let capture = Capture::new();
    let message = capture.run(|| panic_message(|| panics_with_a_static_str(leaked)));
    assert_eq!(message.len(), HUGE);
    let spans = capture.spans();
    assert_panic_cut(&spans, spans.only("panics_with_a_static_str"), &cut('s'));
}

#[test]
fn a_huge_panic_message_in_an_async_fn_is_cut_at_the_limit() {
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(panics_at_length_async(HUGE))
        })
    });
    assert_eq!(message.len(), HUGE);
    // Two bytes a char: cut at a char boundary, `LIMIT` bytes in.
    let expected = format!("{}…", "é".repeat(LIMIT / 2));
    let spans = capture.spans();
    assert_panic_cut(&spans, spans.only("panics_at_length_async"), &expected);
}

// ---------------------------------------------------------------------------
// Strings from any `ToAttribute`

/// A `ToAttribute` of the user's that makes a huge string.
struct HugeAttribute(usize);

impl ToAttribute for HugeAttribute {
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::String("z".repeat(self.0).into()))
    }
}

/// A `ToAttribute` of the user's that makes a list of strings, one of them
/// huge, one of them cut inside a two-byte char.
struct HugeList(usize);

impl ToAttribute for HugeList {
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::Array(Array::String(vec![
            StringValue::from("short"),
            StringValue::from("w".repeat(self.0)),
            StringValue::from(format!("a{}", "é".repeat(self.0 / 2))),
        ])))
    }
}

#[traced(
    args(string_value, value, custom, list, len),
    attrs(from_attrs = Value::String(StringValue::from("v".repeat(len))))
)]
fn records_strings(
    string_value: &StringValue,
    value: &Value,
    custom: &HugeAttribute,
    list: &HugeList,
    len: usize,
) -> usize {
    let _ = (string_value, value, custom, list);
    len
}

#[test]
fn strings_from_any_to_attribute_are_cut_at_the_limit() {
    let string_value = StringValue::from("s".repeat(HUGE));
    let value = Value::String("t".repeat(HUGE).into());
    let capture = Capture::new();
    capture.run(|| {
        records_strings(
            &string_value,
            &value,
            &HugeAttribute(HUGE),
            &HugeList(HUGE),
            HUGE,
        );
    });
    let spans = capture.spans();
    let span = spans.only("records_strings");
    let text = |key| spans.attribute_text(span, key);
    assert_eq!(text("string_value"), Some(cut('s')));
    assert_eq!(text("value"), Some(cut('t')));
    assert_eq!(text("custom"), Some(cut('z')));
    assert_eq!(text("from_attrs"), Some(cut('v')));
    assert_eq!(spans.attribute(span, "len"), Some(Value::I64(HUGE as i64)));
    // `a` and then two-byte chars: the cut falls on the char boundary just
    // before the limit.
    let odd = format!("a{}…", "é".repeat((LIMIT - 1) / 2));
    assert_eq!(
        spans.attribute(span, "list"),
        Some(Value::Array(Array::String(vec![
            StringValue::from("short"),
            StringValue::from(cut('w')),
            StringValue::from(odd),
        ])))
    );
}

// ---------------------------------------------------------------------------
// Values that panic while they are recorded

/// A `ToAttribute` of the user's that panics.
struct PanicsInToAttribute;

impl ToAttribute for PanicsInToAttribute {
    fn to_attribute(&self) -> Option<Value> {
        panic!("to_attribute exploded")
    }
}

#[traced(args(before, bad, after))]
fn records_a_panicking_value(before: u32, bad: &PanicsInToAttribute, after: u32) -> u32 {
    let _ = bad;
    before + after
}

#[traced(args(count), attrs(first = items[0]))]
fn first_item(count: usize, items: &[u32]) -> usize {
    count + items.len()
}

#[test]
fn a_panicking_to_attribute_or_attrs_expression_leaves_a_placeholder() {
    let capture = Capture::new();
    let (sum, empty, full) = capture.run(|| {
        (
            records_a_panicking_value(1, &PanicsInToAttribute, 2),
            first_item(5, &[]),
            first_item(6, &[9]),
        )
    });
    let spans = capture.spans();
    assert_eq!((sum, empty, full), (3, 5, 7), "the calls completed");

    let attr = |span, key| spans.attribute(span, key);
    let span = spans.only("records_a_panicking_value");
    assert_eq!(attr(span, PLACEHOLDER_KEY), Some(Value::from(PLACEHOLDER)));
    // Recorded before the panic: kept.
    assert_eq!(attr(span, "before"), Some(Value::I64(1)));
    assert_eq!(attr(span, "bad"), None);
    assert_eq!(span.status, Status::Unset, "{span:?}");
    assert!(span.events.is_empty(), "{span:?}");

    let calls = spans.named("first_item");
    let (empty, full) = (calls[0], calls[1]);
    assert_eq!(attr(empty, PLACEHOLDER_KEY), Some(Value::from(PLACEHOLDER)));
    assert_eq!(attr(empty, "count"), Some(Value::I64(5)));
    assert_eq!(attr(empty, "first"), None);
    assert_eq!(empty.status, Status::Unset, "{empty:?}");
    assert!(empty.events.is_empty(), "{empty:?}");
    // Not a placeholder for every call: with an item, it is recorded.
    assert_eq!(attr(full, "first"), Some(Value::I64(9)));
    assert_eq!(attr(full, PLACEHOLDER_KEY), None);
}

#[test]
fn the_call_after_a_panicking_value_records_normally() {
    let capture = Capture::new();
    capture.run(|| {
        records_a_panicking_value(1, &PanicsInToAttribute, 2);
        first_item(3, &[4]);
    });
    let spans = capture.spans();
    let span = spans.only("first_item");
    assert_eq!(spans.attribute(span, "count"), Some(Value::I64(3)));
    assert_eq!(spans.attribute(span, "first"), Some(Value::I64(4)));
    assert_eq!(spans.attribute(span, PLACEHOLDER_KEY), None);
    assert!(
        spans.roots().contains(&span),
        "no span of the call whose recording panicked was left current"
    );
}
