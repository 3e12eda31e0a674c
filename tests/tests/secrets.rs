//! Secrets stay out of spans: nothing is recorded unless listed, whatever
//! the options, and a `traced::Secret` shows only its marker wherever it goes.

use std::fmt;

use opentelemetry::trace::{TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, Value, global};
use opentelemetry_sdk::trace::SpanData;
use traced::{Secret, traced};
use traced_tests::{SpanExt, capture, capture_panic};

const PASSWORD: &str = "correct-horse-battery-staple";

/// Asserts the password appears nowhere in `span`: name, attributes,
/// events, status.
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

/// An error whose `Debug`/`Display` would show whatever it was given.
#[derive(Debug)]
struct Rejected(String);

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rejected {}", self.0)
    }
}

#[traced]
fn bare(user: &str, password: &str) -> usize {
    user.len() + password.len()
}

#[traced(name = "renamed", kind = server, tracer = "auth")]
fn named(user: &str, password: &str) -> usize {
    user.len() + password.len()
}

#[traced(args(user), attrs(user.len = user.len() as i64))]
fn with_args(user: &str, password: &str) -> usize {
    user.len() + password.len()
}

#[traced(args(?user), ret)]
fn with_ret(user: &str, password: &str) -> Result<usize, Rejected> {
    Ok(user.len() + password.len())
}

#[traced(err = type)]
fn err_type(password: &str) -> Result<(), Rejected> {
    Err(Rejected(password.to_owned()))
}

#[traced(err = off)]
fn err_off(password: &str) -> Result<(), Rejected> {
    Err(Rejected(password.to_owned()))
}

#[traced(parent = parent, args(user))]
fn with_parent(parent: &Context, user: &str, password: &str) -> usize {
    user.len() + password.len()
}

#[traced(root)]
fn as_root(password: &str) -> usize {
    password.len()
}

#[traced]
fn panics_without_the_password(password: &str) {
    assert!(password.is_empty(), "a non-empty input");
}

#[test]
fn no_option_records_an_unlisted_parameter() {
    let ((), spans) = capture(|| {
        bare("ada", PASSWORD);
        named("ada", PASSWORD);
        with_args("ada", PASSWORD);
        let _ = with_ret("ada", PASSWORD);
        let _ = err_type(PASSWORD);
        let _ = err_off(PASSWORD);
        let outer = global::tracer("test").start("outer");
        let cx = Context::current_with_span(outer);
        with_parent(&cx, "ada", PASSWORD);
        as_root(PASSWORD);
    });
    for name in [
        "bare",
        "renamed",
        "with_args",
        "with_ret",
        "err_type",
        "err_off",
        "with_parent",
        "as_root",
    ] {
        assert_clean(spans.named(name));
    }
    // The listed values are there, so the check above is not vacuous.
    assert_eq!(
        spans.named("with_args").attr_str("user"),
        Some("ada".into())
    );
    assert_eq!(
        spans.named("with_ret").attr_str("return"),
        Some("31".into())
    );
}

#[test]
fn a_panic_records_only_its_own_message() {
    let (message, spans) = capture_panic(|| panics_without_the_password(PASSWORD));
    assert_eq!(message, "a non-empty input");
    assert_clean(spans.named("panics_without_the_password"));
}

#[traced(args(token, ?copy, %shown))]
fn login(token: Secret<String>, copy: Secret<String>, shown: Secret<&str>) -> bool {
    token.expose() == copy.expose() && !shown.expose().is_empty()
}

#[traced(ret)]
fn issue_token() -> Secret<String> {
    Secret::new(PASSWORD.to_owned())
}

#[traced(err = debug)]
fn refuse(token: Secret<&str>) -> Result<(), Secret<&str>> {
    Err(token)
}

#[test]
fn a_secret_records_only_the_marker_whichever_way_it_is_listed() {
    let (accepted, spans) = capture(|| {
        login(
            Secret::new(PASSWORD.into()),
            Secret::new(PASSWORD.into()),
            Secret::new(PASSWORD),
        )
    });
    assert!(accepted, "the wrapped values are still usable");
    let span = spans.named("login");
    for key in ["token", "copy", "shown"] {
        assert_eq!(span.attr(key), Some(&Value::from("[redacted]")), "{key}");
    }
    assert_clean(span);
}

#[test]
fn a_secret_is_redacted_in_returns_and_errors() {
    let ((), spans) = capture(|| {
        assert_eq!(issue_token().expose(), PASSWORD);
        assert!(refuse(Secret::new(PASSWORD)).is_err());
    });
    let issued = spans.named("issue_token");
    assert_eq!(issued.attr("return"), Some(&Value::from("[redacted]")));
    assert_clean(issued);
    let refused = spans.named("refuse");
    assert_eq!(refused.error_description(), Some("[redacted]".into()));
    assert_clean(refused);
}

#[test]
fn a_secret_never_prints() {
    let secret = Secret::new(PASSWORD);
    assert_eq!(
        format!("{secret:?} {secret} {secret:#?}"),
        "[redacted] [redacted] [redacted]"
    );
    assert_eq!(format!("{:?}", Some(Secret::new(1))), "Some([redacted])");
    assert_eq!(
        Secret::new(3),
        Secret::from(3),
        "equality still uses the value"
    );
}
