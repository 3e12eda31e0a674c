//! The text limit is configurable (a binary of its own: the limit is global),
//! and bounds every recorded text: `args`, `attrs`, `ret`, error and panic
//! messages.

use opentelemetry::Value;
use opentelemetry::trace::Status;
use traced::testing::Capture;
use traced::traced;
use traced_tests::panic_message;

#[traced(args(?items, name))]
fn store(items: &[u32], name: &str) -> usize {
    items.len() + name.len()
}

#[test]
fn set_max_text_len_bounds_every_recorded_text() {
    traced::set_max_text_len(8);
    let capture = Capture::new();
    capture.run(|| {
        store(&[1, 2, 3, 4, 5], "a rather long name");
        store(&[1], "short");
    });
    let spans = capture.spans();
    let text = |span, key| spans.attribute_text(span, key);
    let stores = spans.named("store");
    assert_eq!(text(stores[0], "items"), Some("[1, 2, 3…".into()));
    assert_eq!(text(stores[0], "name"), Some("a rather…".into()));
    assert_eq!(text(stores[1], "items"), Some("[1]".into()));
    assert_eq!(text(stores[1], "name"), Some("short".into()));
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
    let capture = Capture::new();
    capture.run(|| {
        describe("a rather long name");
        greet("world");
        let _ = refuse("a rather long reason");
        let _ = refuse_debug("a rather long reason");
    });
    let spans = capture.spans();
    let span = spans.only("describe");
    let text = |span, key| spans.attribute_text(span, key);
    assert_eq!(text(span, "label"), Some("a rather…".into()));
    assert_eq!(text(span, "quoted"), Some("\"a rathe…".into()));
    assert_eq!(text(span, "given"), Some("a rather…".into()));
    assert_eq!(text(span, "return"), Some("\"a rathe…".into()));
    assert_eq!(
        text(spans.only("greet"), "return"),
        Some("hello wo…".into())
    );
    for (name, text) in [("refuse", "a rather…"), ("refuse_debug", "\"a rathe…")] {
        let span = spans.only(name);
        assert_eq!(span.status, Status::error(text), "{name}");
        assert_eq!(
            spans.event_attribute(span, "exception", "exception.message"),
            Some(Value::from(text)),
            "{name}"
        );
    }

    let capture = Capture::new();
    let message = capture.run(|| panic_message(|| give_up("a rather long panic")));
    let spans = capture.spans();
    assert_eq!(message, "a rather long panic", "the panic itself is whole");
    let span = spans.only("give_up");
    assert_eq!(span.status, Status::error("a rather…"));
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.message"),
        Some(Value::from("a rather…"))
    );
}
