//! The text limit is configurable (a binary of its own: the limit is global),
//! and bounds every recorded text: `args`, `attrs`, `ret`, error and panic
//! messages.

use traced::traced;
use traced_tests::{SpanExt, capture, capture_panic};

#[traced(args(?items, name))]
fn store(items: &[u32], name: &str) -> usize {
    items.len() + name.len()
}

#[test]
fn set_max_text_len_bounds_every_recorded_text() {
    traced::set_max_text_len(8);
    let ((), spans) = capture(|| {
        store(&[1, 2, 3, 4, 5], "a rather long name");
        store(&[1], "short");
    });
    let spans = spans.all_named("store");
    assert_eq!(spans[0].attr_str("items"), Some("[1, 2, 3…".into()));
    assert_eq!(spans[0].attr_str("name"), Some("a rather…".into()));
    assert_eq!(spans[1].attr_str("items"), Some("[1]".into()));
    assert_eq!(spans[1].attr_str("name"), Some("short".into()));
}

#[traced(
    attrs(label = %text, quoted = ?text, given = opentelemetry::Value::from(text.to_owned())),
    ret
)]
fn describe(text: &str) -> String {
    text.to_owned()
}

#[traced(ret = display)]
fn greet(name: &str) -> String {
    format!("hello {name}")
}

#[traced(err = display)]
fn refuse(reason: &str) -> Result<(), String> {
    Err(reason.to_owned())
}

#[traced(err = debug)]
fn refuse_debug(reason: &str) -> Result<(), String> {
    Err(reason.to_owned())
}

#[traced]
fn give_up(reason: &str) {
    panic!("{reason}");
}

#[test]
fn the_limit_applies_to_returns_attrs_errors_and_panics() {
    // The same limit as the other test of this binary: they may run at once.
    traced::set_max_text_len(8);
    let ((), spans) = capture(|| {
        describe("a rather long name");
        greet("world");
        let _ = refuse("a rather long reason");
        let _ = refuse_debug("a rather long reason");
    });
    let span = spans.named("describe");
    assert_eq!(span.attr_str("label"), Some("a rather…".into()));
    assert_eq!(span.attr_str("quoted"), Some("\"a rathe…".into()));
    assert_eq!(span.attr_str("given"), Some("a rather…".into()));
    assert_eq!(span.attr_str("return"), Some("\"a rathe…".into()));
    assert_eq!(
        spans.named("greet").attr_str("return"),
        Some("hello wo…".into())
    );
    for (name, text) in [("refuse", "a rather…"), ("refuse_debug", "\"a rathe…")] {
        let span = spans.named(name);
        assert_eq!(span.error_description(), Some(text.into()), "{name}");
        assert_eq!(
            span.event_attr("exception", "exception.message"),
            Some(text.into()),
            "{name}"
        );
    }

    let (message, spans) = capture_panic(|| give_up("a rather long panic"));
    assert_eq!(message, "a rather long panic", "the panic itself is whole");
    let span = spans.named("give_up");
    assert_eq!(span.error_description(), Some("a rather…".into()));
    assert_eq!(
        span.event_attr("exception", "exception.message"),
        Some("a rather…".into())
    );
}
