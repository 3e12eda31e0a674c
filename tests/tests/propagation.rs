//! Trace context across an HTTP hop, in one process: a reqwest 0.13 client
//! in a `#[traced(kind = client)]` fn injects `traceparent` and `baggage`
//! with `traced::http::inject`; an axum 0.8 handler with
//! `#[traced(kind = server, parent = &traced::http::extract(&headers))]`
//! continues the trace. Spans are read with `traced::testing::Capture`,
//! which installs the W3C propagator itself (nothing else here does).

use std::str::FromStr as _;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use http::{HeaderMap, HeaderValue, StatusCode};
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Context, KeyValue, Value};
use traced::testing::Capture;
use traced::traced;

/// What the handler saw as its own span, and the baggage it could read.
#[derive(Debug, PartialEq)]
struct Reply {
    trace_id: TraceId,
    span_id: SpanId,
    tenant: String,
    trace_state: String,
}

impl Reply {
    fn parse(text: &str) -> Reply {
        let field = |name: &str| -> String {
            let prefix = format!("{name}=");
            text.split(';')
                .find_map(|part| part.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("no {name} in {text:?}"))
                .to_owned()
        };
        Reply {
            trace_id: TraceId::from_hex(&field("trace")).unwrap(),
            span_id: SpanId::from_hex(&field("span")).unwrap(),
            tenant: field("tenant"),
            trace_state: field("state"),
        }
    }
}

#[traced(kind = server, parent = &traced::http::extract(&headers), args(sku))]
async fn stock(
    Path(sku): Path<String>,
    headers: HeaderMap,
) -> Result<String, (StatusCode, String)> {
    tokio::task::yield_now().await;
    if sku == "missing" {
        return Err((StatusCode::NOT_FOUND, format!("no {sku}")));
    }
    let cx = Context::current();
    let own = cx.span().span_context().clone();
    let tenant = cx.baggage().get("tenant").map(|v| v.to_string());
    Ok(format!(
        "trace={};span={};tenant={};state={}",
        own.trace_id(),
        own.span_id(),
        tenant.unwrap_or_default(),
        own.trace_state().header()
    ))
}

/// Serves `stock` on 127.0.0.1; returns the base URL.
async fn serve() -> String {
    let app = Router::new().route("/stock/{sku}", get(stock));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[traced(kind = client, args(sku))]
async fn fetch_stock(client: &reqwest::Client, base: &str, sku: &str) -> reqwest::Result<String> {
    let mut headers = HeaderMap::new();
    traced::http::inject(&mut headers);
    assert!(headers.contains_key("traceparent"), "{headers:?}");
    let response = client
        .get(format!("{base}/stock/{sku}"))
        .headers(headers)
        .send()
        .await?;
    response.error_for_status()?.text().await
}

/// A client span that sends no trace context.
#[traced(kind = client, args(sku))]
async fn fetch_without_context(
    client: &reqwest::Client,
    base: &str,
    sku: &str,
) -> reqwest::Result<String> {
    let response = client.get(format!("{base}/stock/{sku}")).send().await?;
    response.error_for_status()?.text().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_span_is_a_child_of_the_client_span() {
    let capture = Capture::new();
    let base = serve().await;
    let client = local_client();

    let text = capture
        .run_async(fetch_stock(&client, &base, "book"))
        .await
        .expect("the request succeeds");
    let reply = Reply::parse(&text);

    let spans = capture.spans();
    assert_eq!(
        spans.names(),
        ["fetch_stock", "stock"],
        "{}",
        spans.waterfall()
    );
    let client_span = spans.get("fetch_stock");
    let server_span = spans.get("stock");

    // One trace: the capture's; the server span hangs under the client span,
    // through a remote parent.
    for span in [client_span, server_span] {
        assert_eq!(span.span_context.trace_id(), capture.trace_id());
    }
    assert_eq!(spans.roots().len(), 1);
    assert_eq!(spans.roots()[0].name, "fetch_stock");
    assert_eq!(
        server_span.parent_span_id,
        client_span.span_context.span_id()
    );
    assert!(server_span.parent_span_is_remote);
    // The client span's parent is the capture's span, a remote one.
    assert!(client_span.parent_span_is_remote);
    assert_eq!(client_span.span_kind, SpanKind::Client);
    assert_eq!(server_span.span_kind, SpanKind::Server);
    assert_eq!(
        spans.attribute(server_span, "sku"),
        Some(Value::from("book"))
    );
    assert_eq!(
        spans.attribute(client_span, "sku"),
        Some(Value::from("book"))
    );
    assert!(!spans.is_error(client_span) && !spans.is_error(server_span));

    // The handler ran inside its span: what it saw is what was recorded.
    assert_eq!(reply.trace_id, capture.trace_id());
    assert_eq!(reply.span_id, server_span.span_context.span_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baggage_and_tracestate_reach_the_handler() {
    let capture = Capture::new();
    let base = serve().await;
    let client = local_client();

    // A caller upstream of the client sent vendor state and baggage.
    let upstream = SpanContext::new(
        capture.trace_id(),
        upstream_span_id(),
        TraceFlags::SAMPLED,
        true,
        TraceState::from_str("vendor=v1").unwrap(),
    );
    let context = Context::new()
        .with_remote_span_context(upstream)
        .with_baggage([KeyValue::new("tenant", "acme")]);
    let text = fetch_stock(&client, &base, "book")
        .with_context(context)
        .await
        .expect("the request succeeds");
    let reply = Reply::parse(&text);

    assert_eq!(reply.tenant, "acme");
    assert_eq!(reply.trace_state, "vendor=v1");
    assert_eq!(reply.trace_id, capture.trace_id());
    let spans = capture.spans();
    let client_span = spans.get("fetch_stock");
    let server_span = spans.get("stock");
    assert_eq!(client_span.parent_span_id, upstream_span_id());
    assert_eq!(
        server_span.parent_span_id,
        client_span.span_context.span_id()
    );
    assert_eq!(server_span.span_context.trace_state().header(), "vendor=v1");
}

fn upstream_span_id() -> SpanId {
    SpanId::from_hex("00f067aa0ba902b7").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_trace_context_starts_a_new_trace() {
    let capture = Capture::new();
    let base = serve().await;
    let client = local_client();

    let text = capture
        .run_async(fetch_without_context(&client, &base, "book"))
        .await
        .expect("the request succeeds");
    let reply = Reply::parse(&text);

    // The handler had a span of its own, in a trace of its own: not the
    // client's, so the capture holds only the client span.
    assert!(reply.trace_id != TraceId::INVALID && reply.span_id != SpanId::INVALID);
    assert_ne!(reply.trace_id, capture.trace_id());
    assert_eq!(capture.spans().names(), ["fetch_without_context"]);

    // Headers that are not valid trace context are ignored the same way.
    for traceparent in [
        "00-zzzz-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    ] {
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", HeaderValue::from_static(traceparent));
        let text = client
            .get(format!("{base}/stock/pen"))
            .headers(headers)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .text()
            .await
            .unwrap();
        let reply = Reply::parse(&text);
        assert!(reply.trace_id != TraceId::INVALID, "{traceparent}");
        assert_ne!(
            reply.trace_id,
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
            "{traceparent}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_request_fails_the_server_and_the_client_span() {
    let capture = Capture::new();
    let base = serve().await;
    let client = local_client();

    let error = capture
        .run_async(fetch_stock(&client, &base, "missing"))
        .await
        .expect_err("the server answers 404");
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));

    let spans = capture.spans();
    let client_span = spans.get("fetch_stock");
    let server_span = spans.get("stock");
    assert_eq!(
        server_span.parent_span_id,
        client_span.span_context.span_id()
    );
    let description = |span: &opentelemetry_sdk::trace::SpanData| match &span.status {
        opentelemetry::trace::Status::Error { description } => description.to_string(),
        other => panic!("{}: status {other:?}", span.name),
    };
    assert!(
        description(server_span).contains("no missing"),
        "{}",
        description(server_span)
    );
    assert!(
        description(client_span).contains("404"),
        "{}",
        description(client_span)
    );
    assert_eq!(
        spans.attribute(client_span, "error.type"),
        Some(Value::from(std::any::type_name::<reqwest::Error>()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_under_two_captures_stay_apart() {
    let (first, second) = (Capture::new(), Capture::new());
    let base = serve().await;
    let client = local_client();

    let (a, b) = tokio::join!(
        first.run_async(fetch_stock(&client, &base, "apple")),
        second.run_async(fetch_stock(&client, &base, "pear")),
    );
    assert_eq!(Reply::parse(&a.unwrap()).trace_id, first.trace_id());
    assert_eq!(Reply::parse(&b.unwrap()).trace_id, second.trace_id());

    for (capture, sku) in [(&first, "apple"), (&second, "pear")] {
        let spans = capture.spans();
        assert_eq!(spans.names(), ["fetch_stock", "stock"], "{sku}");
        let server_span = spans.get("stock");
        assert_eq!(spans.attribute(server_span, "sku"), Some(Value::from(sku)));
        assert_eq!(
            server_span.parent_span_id,
            spans.get("fetch_stock").span_context.span_id()
        );
    }
}

/// A client for servers on this host: never through `HTTP_PROXY`.
fn local_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}
