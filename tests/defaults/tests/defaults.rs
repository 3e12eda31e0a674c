//! The crate's `[package.metadata.traced]` defaults reach every
//! `#[traced]` in it, and options on a fn or block win over them.

use opentelemetry::Value;
use opentelemetry::trace::Status;
use traced::testing::Capture;
use traced_tests_defaults::{Ledger, charge, refund};

#[test]
fn every_span_takes_the_crate_defaults() {
    let capture = Capture::new();
    capture.run(|| {
        assert!(charge("4242").is_err());
        assert!(Ledger.post(0).is_err());
    });
    let spans = capture.spans();
    assert_eq!(spans.names(), ["billing::charge", "billing::Ledger::post"]);
    for span in spans.all() {
        assert_eq!(span.instrumentation_scope.name(), "billing");
        // `err = "type"`: the type, never the message with the card in it.
        assert_eq!(
            span.status,
            Status::error("traced_tests_defaults::Declined".to_owned())
        );
    }
}

#[test]
fn options_on_the_fn_win() {
    let capture = Capture::new();
    capture.run(|| assert!(refund("4242").is_err()));
    let spans = capture.spans();
    let refund = spans.get("refund");
    assert_eq!(refund.instrumentation_scope.name(), "payments");
    assert_eq!(refund.status, Status::error("declined for 4242"));
    assert_eq!(
        spans.attribute(refund, "code.function.name"),
        Some(Value::from("traced_tests_defaults::refund"))
    );
}
