//! Errors told in full: the cause chain of a `std::error::Error` and of an
//! `anyhow::Error`, outermost first, and a backtrace kept out of the status
//! description, in `exception.stacktrace`.

use std::fmt;

use opentelemetry::Value;
use opentelemetry::trace::Status;
use traced::testing::{Capture, Spans};
use traced::traced;

/// A `#[source]`-style error whose Display leaves the cause out.
#[derive(Debug)]
struct ConfigError {
    source: std::num::ParseIntError,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("config is not valid")
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[traced]
fn load_port(text: &str) -> Result<u16, ConfigError> {
    text.parse().map_err(|source| ConfigError { source })
}

#[traced]
fn load_json(text: &str) -> anyhow::Result<u16> {
    use anyhow::Context as _;
    let port: u16 = text
        .parse()
        .context("key must be a number at line 1 column 3")
        .context("config is not valid JSON")?;
    Ok(port)
}

#[traced(err = debug)]
fn load_debug(text: &str) -> anyhow::Result<u16> {
    use anyhow::Context as _;
    text.parse::<u16>().context("config is not valid")
}

#[traced(err = type)]
fn load_typed(text: &str) -> anyhow::Result<u16> {
    use anyhow::Context as _;
    text.parse::<u16>().context("config is not valid")
}

fn exception<'a>(spans: &'a Spans, name: &str) -> &'a opentelemetry::trace::Event {
    let span = spans.get(name);
    span.events
        .iter()
        .find(|event| event.name == "exception")
        .expect("an exception event")
}

fn event_attribute(event: &opentelemetry::trace::Event, key: &str) -> Option<Value> {
    event
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

#[test]
fn a_std_error_is_told_with_its_sources() {
    let capture = Capture::new();
    capture.run(|| assert!(load_port("eighty").is_err()));
    let spans = capture.spans();
    assert_eq!(
        spans.get("load_port").status,
        Status::error("config is not valid: invalid digit found in string")
    );
}

#[test]
fn an_anyhow_error_is_told_with_its_whole_chain() {
    let capture = Capture::new();
    capture.run(|| assert!(load_json("x").is_err()));
    let spans = capture.spans();
    let span = spans.get("load_json");
    assert_eq!(
        span.status,
        Status::error(
            "config is not valid JSON: key must be a number at line 1 column 3: invalid digit found in string"
        )
    );
    assert_eq!(
        spans.attribute(span, "error.type"),
        Some(Value::from("anyhow::Error"))
    );
}

#[test]
fn a_backtrace_goes_to_the_event_never_to_the_status() {
    // anyhow reads this once, when it first captures; this binary's tests
    // all want backtraces.
    unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "1") };
    let capture = Capture::new();
    capture.run(|| {
        assert!(load_debug("x").is_err());
        assert!(load_json("x").is_err());
        assert!(load_typed("x").is_err());
    });
    let spans = capture.spans();
    for name in ["load_debug", "load_json"] {
        let Status::Error { description } = &spans.get(name).status else {
            panic!("{name} did not fail");
        };
        assert!(!description.contains("backtrace"), "{name}: {description}");
        let stacktrace = event_attribute(exception(&spans, name), "exception.stacktrace");
        let Some(Value::String(stacktrace)) = stacktrace else {
            panic!("{name}: no exception.stacktrace");
        };
        assert!(
            stacktrace.as_str().contains("load_"),
            "{name}: {stacktrace}"
        );
    }
    let Status::Error { description } = &spans.get("load_debug").status else {
        unreachable!()
    };
    assert!(
        description.starts_with("config is not valid\n\nCaused by:"),
        "{description}"
    );
    // `err = type`: nothing but the type, no stack either.
    let typed = exception(&spans, "load_typed");
    assert_eq!(event_attribute(typed, "exception.stacktrace"), None);
    assert_eq!(
        spans.get("load_typed").status,
        Status::error("anyhow::Error")
    );
}
