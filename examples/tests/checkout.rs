//! Runs the checkout demo with its three services as child processes of
//! this test binary (re-run with `CHECKOUT_ROLE` and `--exact` this test),
//! and checks the spans and duration histograms the embedded receiver got
//! back, and the per-function table the launcher prints.

use std::collections::HashSet;
use std::time::Duration;

use axum::http::StatusCode;
use opentelemetry::trace::{SpanId, TraceId};
use traced::traced;
use traced::view::{SpanRecord, Waterfall};
use traced_examples::checkout::payment::REVIEW_TIME;
use traced_examples::checkout::{Export, Report, Role, ServiceCommand, launcher, service};

const TEST_NAME: &str = "orders_are_traced_across_three_services";

/// A span by (service, name).
type Named = (&'static str, &'static str);

/// Every trace's spans, each with its parent: each service's server span
/// (made by the tower layer) under the caller's HTTP client span (made by
/// `send_traced_as`), and the `#[traced]` handler under the server span.
const TREE: [(Named, Option<Named>); 17] = [
    (("client", "place_order"), None),
    (
        ("client", "POST /checkout"),
        Some(("client", "place_order")),
    ),
    (
        ("gateway", "POST /checkout"),
        Some(("client", "POST /checkout")),
    ),
    (
        ("gateway", "handle_checkout"),
        Some(("gateway", "POST /checkout")),
    ),
    (
        ("gateway", "price_order"),
        Some(("gateway", "handle_checkout")),
    ),
    (
        ("gateway", "reserve_stock"),
        Some(("gateway", "handle_checkout")),
    ),
    (
        ("gateway", "POST /reserve"),
        Some(("gateway", "reserve_stock")),
    ),
    (
        ("inventory", "POST /reserve"),
        Some(("gateway", "POST /reserve")),
    ),
    (
        ("inventory", "handle_reserve"),
        Some(("inventory", "POST /reserve")),
    ),
    (
        ("inventory", "Stock::reserve"),
        Some(("inventory", "handle_reserve")),
    ),
    (
        ("inventory", "Stock::lookup_sku"),
        Some(("inventory", "Stock::reserve")),
    ),
    (
        ("gateway", "charge_card"),
        Some(("gateway", "handle_checkout")),
    ),
    (
        ("gateway", "POST /charge"),
        Some(("gateway", "charge_card")),
    ),
    (
        ("payment", "POST /charge"),
        Some(("gateway", "POST /charge")),
    ),
    (
        ("payment", "handle_charge"),
        Some(("payment", "POST /charge")),
    ),
    (("payment", "charge"), Some(("payment", "handle_charge"))),
    (("payment", "fraud_check"), Some(("payment", "charge"))),
];

#[test]
fn orders_are_traced_across_three_services() {
    if let Some(role) = Role::from_env().unwrap() {
        // A child process: be that service until the launcher stops it.
        return service::run(role).unwrap();
    }
    let (report, malformed) = run_demo();

    assert!(report.clean(), "{:?}", report.exits);
    assert_eq!(report.exits.len(), 3);
    let statuses: Vec<StatusCode> = report.placed.iter().map(|p| p.status).collect();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::OK, StatusCode::PAYMENT_REQUIRED]
    );

    let traces: Vec<TraceId> = report.placed.iter().map(|p| p.trace_id).collect();
    let received: HashSet<TraceId> = report.spans.iter().map(|s| s.trace_id).collect();
    let expected: HashSet<TraceId> = traces
        .iter()
        .chain([&malformed.trace_id])
        .copied()
        .collect();
    assert_eq!(
        received, expected,
        "one trace per order, and the malformed one"
    );
    assert_eq!(received.len(), 4);
    for &trace in &traces {
        check_tree(&spans_of(&report, trace));
    }

    let [normal, slow, declined] = [0, 1, 2].map(|i| spans_of(&report, traces[i]));
    assert!(normal.iter().chain(&slow).all(|s| s.error.is_none()));
    check_declined(&declined);
    let waterfall = report.waterfall();
    check_slowest(&waterfall, traces[1], &slow);
    for (trace, spans) in [
        (traces[0], &normal),
        (traces[1], &slow),
        (traces[2], &declined),
    ] {
        check_slowest_has_the_most_self_time(&waterfall, trace, spans);
    }
    check_malformed(&malformed, &spans_of(&report, malformed.trace_id));
    check_metrics(&report);
}

/// Each `#[traced(metrics)]` fn of the services measured once per call,
/// failures by their error type: three orders (one declined) and the
/// malformed request, which fails at the gateway before any call.
fn check_metrics(report: &Report) {
    let rows: Vec<(String, String, u64, u64)> = report
        .durations
        .rows()
        .into_iter()
        .map(|r| (r.service, r.function, r.calls, r.errors))
        .collect();
    let expected = [
        ("gateway", "gateway::handle_checkout", 4, 2),
        ("inventory", "inventory::Stock::reserve", 3, 0),
        ("payment", "payment::charge", 3, 1),
        ("payment", "payment::fraud_check", 3, 0),
    ]
    .map(|(s, f, calls, errors)| (s.to_owned(), f.to_owned(), calls, errors));
    assert_eq!(rows, expected);

    // The printed table has the same rows, with p50 and p99 in ms.
    let table = report.durations.table();
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        ["service", "function", "calls", "errors", "p50", "p99"],
        "{table}"
    );
    assert_eq!(lines.len(), 1 + expected.len(), "{table}");
    for (line, (service, function, calls, errors)) in lines[1..].iter().zip(&expected) {
        assert_eq!(
            line[..4],
            [
                service.as_str(),
                function,
                &calls.to_string(),
                &errors.to_string()
            ],
            "{table}"
        );
        assert!(line[4].parse::<f64>().is_ok() && line[5] == "ms", "{table}");
    }
    // The review of the slow order is the slowest of fraud_check's calls:
    // its p99 is at least the review time (an estimate kept within the max).
    let review = report
        .durations
        .rows()
        .into_iter()
        .find(|r| r.function == "payment::fraud_check")
        .unwrap();
    let p99 = review.all.quantile(0.99).unwrap();
    assert!(p99 >= REVIEW_TIME.as_secs_f64(), "p99 {p99} s\n{table}");
    let error_types: Vec<String> = report.durations.error_types("gateway::handle_checkout");
    assert_eq!(
        error_types,
        ["traced_examples::checkout::gateway::CheckoutError"]
    );
}

/// The launcher's run, with this binary as the services, and a malformed
/// request sent to the gateway once the orders are placed.
fn run_demo() -> (Report, Malformed) {
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
        .block_on(launcher::run_with(
            &command,
            &Export::Embedded,
            send_malformed,
        ))
        .unwrap()
}

/// A body without `qty=`.
const MALFORMED_BODY: &str = "sku=lamp&card=4242424242424242";

/// The answer to [`MALFORMED_BODY`], and the trace it was sent in.
struct Malformed {
    status: StatusCode,
    body: String,
    trace_id: TraceId,
}

/// POSTs [`MALFORMED_BODY`] to the gateway's `/checkout`, in a client span
/// (exported with the launcher's own) that starts a trace of its own.
#[traced(kind = client, root)]
async fn send_malformed(gateway: &str) -> Malformed {
    let trace_id = traced::current_trace_id().expect("the launcher's tracing is installed");
    let mut headers = http::HeaderMap::new();
    traced::http::inject(&mut headers);
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let response = client
        .post(format!("{gateway}/checkout"))
        .headers(headers)
        .body(MALFORMED_BODY)
        .send()
        .await
        .unwrap();
    Malformed {
        status: response.status(),
        body: response.text().await.unwrap(),
        trace_id,
    }
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

/// The refusal fails `charge` with its message, and every `#[traced]` fn it
/// returns through. The answer is a 402: as the HTTP conventions say, it
/// fails each HTTP client span that gets it (with no message: the status
/// code says why) but no server span (the caller's card, not the server, is
/// at fault).
fn check_declined(spans: &[&SpanRecord]) {
    let message = "card declined: insufficient funds";
    for (service, name) in [
        ("payment", "charge"),
        ("payment", "handle_charge"),
        ("gateway", "charge_card"),
        ("gateway", "handle_checkout"),
    ] {
        let span = find(spans, service, name);
        assert_eq!(span.error.as_deref(), Some(message), "{service} {name}");
    }
    for (service, name) in [("gateway", "POST /charge"), ("client", "POST /checkout")] {
        let span = find(spans, service, name);
        assert_eq!(
            span.error.as_deref(),
            Some(""),
            "client span {service} {name}"
        );
    }
    for (service, name) in [
        ("payment", "POST /charge"),
        ("gateway", "POST /checkout"),
        ("payment", "fraud_check"),
        ("inventory", "Stock::reserve"),
        ("gateway", "POST /reserve"),
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

/// The body is parsed inside the gateway's handler span, so a malformed one
/// is answered 400 and fails that span: the trace is the test's client span
/// (its `traceparent` written with `traced::http::inject`), the gateway's
/// server span `POST /checkout` (a 4xx: not failed), and the failed handler,
/// which called nothing.
fn check_malformed(malformed: &Malformed, spans: &[&SpanRecord]) {
    let message = "bad request: the body has no `qty=`";
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.body
    );
    assert_eq!(spans.len(), 3, "{spans:#?}");
    let client = find(spans, "client", "send_malformed");
    let server = find(spans, "gateway", "POST /checkout");
    let handler = find(spans, "gateway", "handle_checkout");
    assert_eq!(server.parent_span_id, client.span_id);
    assert_eq!(handler.parent_span_id, server.span_id);
    assert_eq!(handler.error.as_deref(), Some(message));
    assert_eq!(server.error, None);
    assert_eq!(client.error, None);
    assert_eq!(malformed.body, message);
}

/// In these traces each span's children ran one after another, inside it
/// (checked first). Then the critical path goes through every span, and
/// each span's time on it that is its own is its self time: its duration
/// minus its children's. So the slowest span must be one with the most self
/// time, wherever in the trace it is; which one that is depends on timing
/// (in the normal order it is usually inventory's `lookup_sku`, ahead of
/// payment's shorter `fraud_check`).
fn check_slowest_has_the_most_self_time(
    waterfall: &Waterfall,
    trace: TraceId,
    spans: &[&SpanRecord],
) {
    let length = |s: &SpanRecord| s.end.duration_since(s.start).unwrap();
    let children = |parent: &SpanRecord| {
        let mut children: Vec<&SpanRecord> = spans
            .iter()
            .copied()
            .filter(|s| s.parent_span_id == parent.span_id)
            .collect();
        children.sort_by_key(|s| s.start);
        children
    };
    for parent in spans {
        let children = children(parent);
        for child in &children {
            assert!(
                parent.start <= child.start && child.end <= parent.end,
                "{} inside {}",
                child.name,
                parent.name
            );
        }
        for pair in children.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }
    let self_time = |span: &SpanRecord| {
        let busy: Duration = children(span).into_iter().map(length).sum();
        length(span) - busy
    };
    let most = spans.iter().map(|s| self_time(s)).max().unwrap();
    let slowest = waterfall.slowest(trace).unwrap();
    let table: Vec<_> = spans.iter().map(|s| (&s.name, self_time(s))).collect();
    assert_eq!(
        self_time(slowest),
        most,
        "slowest is {}; self times: {table:#?}",
        slowest.name
    );
}
