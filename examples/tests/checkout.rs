//! Runs the checkout demo with its three services as child processes of
//! this test binary (re-run with `CHECKOUT_ROLE` and `--exact` this test),
//! and checks the spans the embedded receiver got back.

use std::collections::HashSet;

use axum::http::StatusCode;
use opentelemetry::trace::{SpanId, TraceId};
use traced::view::{SpanRecord, Waterfall};
use traced_examples::checkout::payment::REVIEW_TIME;
use traced_examples::checkout::{Export, Report, Role, ServiceCommand, launcher, service};

const TEST_NAME: &str = "orders_are_traced_across_three_services";

/// A span by (service, name).
type Named = (&'static str, &'static str);

/// Every trace's spans, each with its parent.
const TREE: [(Named, Option<Named>); 11] = [
    (("client", "place_order"), None),
    (
        ("gateway", "POST /checkout"),
        Some(("client", "place_order")),
    ),
    (
        ("gateway", "price_order"),
        Some(("gateway", "POST /checkout")),
    ),
    (
        ("gateway", "reserve_stock"),
        Some(("gateway", "POST /checkout")),
    ),
    (
        ("inventory", "POST /reserve"),
        Some(("gateway", "reserve_stock")),
    ),
    (
        ("inventory", "reserve"),
        Some(("inventory", "POST /reserve")),
    ),
    (("inventory", "lookup_sku"), Some(("inventory", "reserve"))),
    (
        ("gateway", "charge_card"),
        Some(("gateway", "POST /checkout")),
    ),
    (
        ("payment", "POST /charge"),
        Some(("gateway", "charge_card")),
    ),
    (("payment", "charge"), Some(("payment", "POST /charge"))),
    (("payment", "fraud_check"), Some(("payment", "charge"))),
];

#[test]
fn orders_are_traced_across_three_services() {
    if let Some(role) = Role::from_env().unwrap() {
        // A child process: be that service until the launcher stops it.
        return service::run(role).unwrap();
    }
    let report = run_demo();

    assert!(report.clean(), "{:?}", report.exits);
    assert_eq!(report.exits.len(), 3);
    let statuses: Vec<StatusCode> = report.placed.iter().map(|p| p.status).collect();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::OK, StatusCode::PAYMENT_REQUIRED]
    );

    let traces: Vec<TraceId> = report.placed.iter().map(|p| p.trace_id).collect();
    let received: HashSet<TraceId> = report.spans.iter().map(|s| s.trace_id).collect();
    assert_eq!(
        received,
        traces.iter().copied().collect(),
        "one trace per order"
    );
    assert_eq!(received.len(), 3);
    for &trace in &traces {
        check_tree(&spans_of(&report, trace));
    }

    let [normal, slow, declined] = [0, 1, 2].map(|i| spans_of(&report, traces[i]));
    assert!(normal.iter().chain(&slow).all(|s| s.error.is_none()));
    check_declined(&declined);
    check_slowest(&report.waterfall(), traces[1], &slow);
}

/// The launcher's run, with this binary as the services.
fn run_demo() -> Report {
    let command = ServiceCommand {
        program: std::env::current_exe().unwrap(),
        args: [TEST_NAME, "--exact", "--nocapture"]
            .map(String::from)
            .to_vec(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(launcher::run(&command, &Export::Embedded))
        .unwrap()
}

fn spans_of(report: &Report, trace: TraceId) -> Vec<&SpanRecord> {
    report
        .spans
        .iter()
        .filter(|s| s.trace_id == trace)
        .collect()
}

fn find<'a>(spans: &[&'a SpanRecord], service: &str, name: &str) -> &'a SpanRecord {
    let found: Vec<_> = spans
        .iter()
        .filter(|s| s.service.as_deref() == Some(service) && s.name == name)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one `{name}` span of {service} in {spans:#?}"
    );
    found[0]
}

/// Exactly the spans of `TREE`, each the child of the span that called it,
/// across the process boundaries too.
fn check_tree(spans: &[&SpanRecord]) {
    assert_eq!(spans.len(), TREE.len(), "{spans:#?}");
    for ((service, name), parent) in TREE {
        let span = find(spans, service, name);
        let expected = parent.map_or(SpanId::INVALID, |(s, n)| find(spans, s, n).span_id);
        assert_eq!(span.parent_span_id, expected, "parent of {service} {name}");
    }
}

/// The refusal fails `charge` with its message, and every span it returns through.
fn check_declined(spans: &[&SpanRecord]) {
    let message = "card declined: insufficient funds";
    for (service, name) in [
        ("payment", "charge"),
        ("payment", "POST /charge"),
        ("gateway", "charge_card"),
        ("gateway", "POST /checkout"),
    ] {
        let span = find(spans, service, name);
        assert_eq!(span.error.as_deref(), Some(message), "{service} {name}");
    }
    for (service, name) in [
        ("payment", "fraud_check"),
        ("inventory", "reserve"),
        ("client", "place_order"),
    ] {
        assert_eq!(find(spans, service, name).error, None, "{service} {name}");
    }
}

/// The fraud review is where the slow trace spent its time, and the
/// waterfall says so.
fn check_slowest(waterfall: &Waterfall, trace: TraceId, spans: &[&SpanRecord]) {
    let review = find(spans, "payment", "fraud_check");
    assert!(review.end.duration_since(review.start).unwrap() >= REVIEW_TIME);
    assert_eq!(waterfall.slowest(trace), Some(review));

    let text = waterfall
        .clone()
        .width(120)
        .color(false)
        .render_trace(trace);
    let marked: Vec<&str> = text.lines().filter(|l| l.contains("◀ slowest")).collect();
    assert_eq!(marked.len(), 1, "{text}");
    assert!(marked[0].contains("fraud_check"), "{text}");
}
