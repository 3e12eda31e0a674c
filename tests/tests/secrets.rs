//! Secrets stay out of spans: nothing is recorded unless listed, whatever
//! the options, sync or async; a panic under `err = type` or `err = off`
//! records no payload text (an `unwrap` or `expect` would put the error's
//! text there); and a `traced::Secret` shows only its marker wherever it
//! goes.

use std::fmt;

use opentelemetry::trace::{Status, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, Value, global};
use opentelemetry_sdk::trace::SpanData;
use traced::testing::{Capture, Spans};
use traced::{Secret, traced};
use traced_tests::panic_message;

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

#[traced(args(user), err = display)]
fn err_display(user: &str, password: &str) -> Result<usize, Rejected> {
    let _ = password.len();
    Err(Rejected(user.to_owned()))
}

#[traced(args(%user), err = debug)]
fn err_debug(user: &str, password: &str) -> Result<usize, Rejected> {
    let _ = password.len();
    Err(Rejected(user.to_owned()))
}

#[traced(attrs(shown = %user, debugged = ?user, "user.name" = user), ret = display)]
fn ret_display(user: &str, password: &str) -> String {
    let _ = password.len();
    format!("hello {user}")
}

#[traced(ret = debug)]
fn ret_debug(user: &str, password: &str) -> Result<usize, Rejected> {
    Ok(user.len() + password.len())
}

/// Every option that captures something, on an async fn: `err = type`
/// keeps the password out of the error it returns.
#[traced(kind = client, args(user), attrs(user.len = user.len() as i64), ret, err = type)]
async fn async_everything(user: &str, password: &str, fail: bool) -> Result<usize, Rejected> {
    tokio::task::yield_now().await;
    if fail {
        Err(Rejected(password.to_owned()))
    } else {
        Ok(user.len() + password.len())
    }
}

#[traced(args(?user), ret = display, err = debug)]
async fn async_display(user: &str, password: &str, fail: bool) -> Result<String, Rejected> {
    tokio::task::yield_now().await;
    let _ = password.len();
    if fail {
        Err(Rejected(user.to_owned()))
    } else {
        Ok(format!("hello {user}"))
    }
}

#[traced]
async fn async_bare(user: &str, password: &str) -> usize {
    tokio::task::yield_now().await;
    user.len() + password.len()
}

#[traced(err = off)]
async fn async_err_off(password: &str) -> Result<(), Rejected> {
    tokio::task::yield_now().await;
    Err(Rejected(password.to_owned()))
}

#[traced(name = "async_renamed", parent = parent, args(user))]
async fn async_with_parent(parent: &Context, user: &str, password: &str) -> usize {
    tokio::task::yield_now().await;
    user.len() + password.len()
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
        .block_on(future)
}

#[traced]
fn panics_without_the_password(password: &str) {
    assert!(password.is_empty(), "a non-empty input");
}

#[test]
fn no_option_records_an_unlisted_parameter() {
    let capture = Capture::new();
    capture.run(|| {
        bare("ada", PASSWORD);
        named("ada", PASSWORD);
        with_args("ada", PASSWORD);
        let _ = with_ret("ada", PASSWORD);
        let _ = err_type(PASSWORD);
        let _ = err_off(PASSWORD);
        let _ = err_display("ada", PASSWORD);
        let _ = err_debug("ada", PASSWORD);
        ret_display("ada", PASSWORD);
        let _ = ret_debug("ada", PASSWORD);
        let outer = global::tracer("test").start("outer");
        let cx = Context::current_with_span(outer);
        with_parent(&cx, "ada", PASSWORD);
        block_on(async {
            assert_eq!(
                async_everything("ada", PASSWORD, false).await.ok(),
                Some(31)
            );
            assert!(async_everything("ada", PASSWORD, true).await.is_err());
            let _ = async_display("ada", PASSWORD, false).await;
            let _ = async_display("ada", PASSWORD, true).await;
            async_bare("ada", PASSWORD).await;
            let _ = async_err_off(PASSWORD).await;
            async_with_parent(&cx, "ada", PASSWORD).await;
        });
    });
    let spans = capture.spans();
    for name in [
        "bare",
        "renamed",
        "with_args",
        "with_ret",
        "err_type",
        "err_off",
        "err_display",
        "err_debug",
        "ret_display",
        "ret_debug",
        "with_parent",
        "async_bare",
        "async_err_off",
        "async_renamed",
    ] {
        assert_clean(spans.only(name));
    }
    // `root` fns start traces of their own, not captured: root_and_parent.rs
    // checks them.
    for name in ["async_everything", "async_display"] {
        let calls = spans.named(name);
        assert_eq!(calls.len(), 2, "{name}");
        calls.into_iter().for_each(assert_clean);
    }

    // The listed values are there, so the checks above are not vacuous.
    let text = |name, key| spans.attribute_text(spans.only(name), key);
    assert_eq!(text("with_args", "user"), Some("ada".into()));
    assert_eq!(text("with_ret", "return"), Some("31".into()));
    assert_eq!(
        spans.only("err_display").status,
        Status::error("rejected ada")
    );
    assert_eq!(text("err_display", "user"), Some("ada".into()));
    assert_eq!(
        spans.only("err_debug").status,
        Status::error("Rejected(\"ada\")")
    );
    assert_eq!(text("err_debug", "user"), Some("ada".into()));
    assert_eq!(text("ret_display", "return"), Some("hello ada".into()));
    assert_eq!(text("ret_display", "shown"), Some("ada".into()));
    assert_eq!(text("ret_display", "debugged"), Some("\"ada\"".into()));
    assert_eq!(text("ret_display", "user.name"), Some("ada".into()));
    assert_eq!(text("ret_debug", "return"), Some("31".into()));
    let everything = spans.named("async_everything");
    let (ok, failed) = (everything[0], everything[1]);
    for span in [ok, failed] {
        assert_eq!(spans.attribute_text(span, "user"), Some("ada".into()));
        assert_eq!(spans.attribute(span, "user.len"), Some(Value::I64(3)));
    }
    assert_eq!(spans.attribute_text(ok, "return"), Some("31".into()));
    assert_eq!(failed.status, Status::error("secrets::Rejected"));
    let display = spans.named("async_display");
    assert_eq!(
        spans.attribute_text(display[0], "return"),
        Some("hello ada".into())
    );
    assert_eq!(
        spans.attribute_text(display[0], "user"),
        Some("\"ada\"".into())
    );
    assert_eq!(display[1].status, Status::error("Rejected(\"ada\")"));
    assert_eq!(text("async_renamed", "user"), Some("ada".into()));
    assert_eq!(
        spans.only("async_err_off").status,
        Status::Unset,
        "err = off records nothing"
    );
}

#[test]
fn a_panic_records_only_its_own_message() {
    let capture = Capture::new();
    let message = capture.run(|| panic_message(|| panics_without_the_password(PASSWORD)));
    assert_eq!(message, "a non-empty input");
    assert_clean(capture.spans().only("panics_without_the_password"));
}

/// An error whose `Debug` shows the secret it carries, as a derived `Debug`
/// does: `unwrap()` puts it in the panic message.
#[derive(Debug)]
#[allow(dead_code)] // read only by `Debug`
struct Leaky(String);

/// A check that fails with the password in its error.
fn check(password: &str) -> Result<(), Leaky> {
    Err(Leaky(password.to_owned()))
}

/// A lookup that finds nothing.
fn lookup(_: &str) -> Option<u8> {
    None
}

#[traced(err = type)]
fn unwraps_a_leaky_error(password: &str) -> Result<(), Leaky> {
    check(password).unwrap();
    Ok(())
}

#[traced(err = off)]
fn expects_with_the_password(password: &str) -> u8 {
    lookup(password).expect(password)
}

#[traced(err = type)]
async fn async_unwraps_a_leaky_error(password: &str) -> Result<(), Leaky> {
    tokio::task::yield_now().await;
    check(password).unwrap();
    Ok(())
}

/// Failed by a panic, recorded without its payload: status `Error`
/// "panic", `error.type` "panic", one `exception` event with type and
/// message "panic".
fn assert_panic_without_text(spans: &Spans, span: &SpanData) {
    assert_eq!(span.status, Status::error("panic"), "{}", span.name);
    assert_eq!(
        spans.attribute_text(span, "error.type"),
        Some("panic".into())
    );
    assert_eq!(spans.events(span, "exception").len(), 1, "{}", span.name);
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.type"),
        Some(Value::from("panic"))
    );
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.message"),
        Some(Value::from("panic"))
    );
}

#[test]
fn a_panic_under_err_type_or_off_records_no_payload_text() {
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            let _ = unwraps_a_leaky_error(PASSWORD);
        })
    });
    // The payload itself is untouched and does hold the password, so the
    // check is not vacuous.
    assert!(message.contains(PASSWORD), "{message}");
    let spans = capture.spans();
    let span = spans.only("unwraps_a_leaky_error");
    assert_clean(span);
    assert_panic_without_text(&spans, span);

    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            expects_with_the_password(PASSWORD);
        })
    });
    assert_eq!(message, PASSWORD);
    let spans = capture.spans();
    let span = spans.only("expects_with_the_password");
    assert_clean(span);
    assert_panic_without_text(&spans, span);

    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            let _ = block_on(async_unwraps_a_leaky_error(PASSWORD));
        })
    });
    assert!(message.contains(PASSWORD), "{message}");
    let spans = capture.spans();
    let span = spans.only("async_unwraps_a_leaky_error");
    assert_clean(span);
    assert_panic_without_text(&spans, span);
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
    let capture = Capture::new();
    let accepted = capture.run(|| {
        login(
            Secret::new(PASSWORD.into()),
            Secret::new(PASSWORD.into()),
            Secret::new(PASSWORD),
        )
    });
    let spans = capture.spans();
    assert!(accepted, "the wrapped values are still usable");
    let span = spans.only("login");
    for key in ["token", "copy", "shown"] {
        assert_eq!(
            spans.attribute(span, key),
            Some(Value::from("[redacted]")),
            "{key}"
        );
    }
    assert_clean(span);
}

#[test]
fn a_secret_is_redacted_in_returns_and_errors() {
    let capture = Capture::new();
    capture.run(|| {
        assert_eq!(issue_token().expose(), PASSWORD);
        assert!(refuse(Secret::new(PASSWORD)).is_err());
    });
    let spans = capture.spans();
    let issued = spans.only("issue_token");
    assert_eq!(
        spans.attribute(issued, "return"),
        Some(Value::from("[redacted]"))
    );
    assert_clean(issued);
    let refused = spans.only("refuse");
    assert_eq!(refused.status, Status::error("[redacted]"));
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
