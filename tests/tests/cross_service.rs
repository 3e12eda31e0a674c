//! One trace across two services, each with its own `traced::init()` and
//! `service.name`, both exporting to one OTLP receiver (`mock-collector`):
//! the "frontend" (this test, OTLP gRPC, settings through
//! `Setup::environment`) calls the "backend" (this binary again, in a child
//! process, OTLP HTTP/protobuf, settings from its real process environment
//! through plain `traced::init()`) over HTTP with reqwest 0.13 and axum 0.8.

mod support;

use std::io::Read as _;
use std::process::Stdio;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use http::{HeaderMap, StatusCode};
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{SpanId, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode as OtlpStatus;
use support::{
    ARRIVAL, Attr, Collector, Protocol, Received, child, is_child, named, names, read_marker, the,
    wait_within,
};
use traced::traced;

const LISTENING: &str = "BACKEND_LISTENING=";

// ---- the backend service (child process) ----

#[derive(Debug)]
struct NotFound(String);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no {}", self.0)
    }
}

#[traced(args(sku))]
fn lookup(sku: &str) -> Result<u32, NotFound> {
    if sku == "missing" {
        Err(NotFound(sku.to_owned()))
    } else {
        Ok(3)
    }
}

#[traced(kind = server, parent = &traced::http::extract(&headers), args(sku))]
async fn stock(
    Path(sku): Path<String>,
    headers: HeaderMap,
) -> Result<String, (StatusCode, String)> {
    let cx = Context::current();
    let tenant = cx.baggage().get("tenant").map(|v| v.to_string());
    if let Some(tenant) = &tenant {
        cx.span()
            .set_attribute(KeyValue::new("tenant", tenant.clone()));
    }
    tokio::task::yield_now().await;
    let count = lookup(&sku).map_err(|e| (StatusCode::NOT_FOUND, e.to_string()))?;
    Ok(format!(
        "{sku}={count};tenant={}",
        tenant.unwrap_or_default()
    ))
}

#[test]
#[ignore = "the backend service, run by `one_trace_spans_two_services` in a child process"]
fn backend_service() {
    if !is_child() {
        return;
    }
    let guard = traced::init().expect("init from the process environment");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{LISTENING}{}", listener.local_addr().unwrap());
        // Serve until the parent closes our standard input.
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            let _ = stop.send(());
        });
        let app = Router::new().route("/stock/{sku}", get(stock));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
            .unwrap();
    });
    let stats = guard.shutdown().expect("backend shutdown");
    assert_eq!((stats.ended, stats.exported), (6, 6), "{stats:?}");
}

// ---- the frontend service (this test) ----

#[traced(kind = client, args(sku))]
async fn call_backend(client: &reqwest::Client, base: &str, sku: &str) -> reqwest::Result<String> {
    let mut headers = HeaderMap::new();
    traced::http::inject(&mut headers);
    let response = client
        .get(format!("{base}/stock/{sku}"))
        .headers(headers)
        .send()
        .await?;
    response.error_for_status()?.text().await
}

#[traced(args(sku))]
async fn checkout_page(client: &reqwest::Client, base: &str, sku: &str) -> reqwest::Result<String> {
    call_backend(client, base, sku).await
}

fn by_sku<'a>(spans: &'a [Received], name: &str, sku: &str) -> &'a Received {
    let matching: Vec<&Received> = named(spans, name)
        .into_iter()
        .filter(|span| span.attr_str("sku").as_deref() == Some(sku))
        .collect();
    assert_eq!(matching.len(), 1, "{name} {sku}: {:?}", names(spans));
    matching[0]
}

#[test]
fn one_trace_spans_two_services() {
    let collector = Collector::start(&[Protocol::Grpc, Protocol::HttpBinary]);
    let http_endpoint = collector.endpoint(Protocol::HttpBinary);
    let mut backend = child(
        "backend_service",
        &[
            ("OTEL_SERVICE_NAME", "backend"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", http_endpoint.as_str()),
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("the backend starts");
    let mut stderr = backend.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let (addr, stdout) = read_marker(backend.stdout.take().unwrap(), LISTENING, ARRIVAL);
    let base = format!("http://{addr}");

    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "frontend"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::Grpc),
            ),
        ])
        .init()
        .expect("frontend init");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = local_client();
    runtime.block_on(async {
        // 1: a traced page, with baggage, calls the backend.
        let with_baggage = Context::current().with_baggage([KeyValue::new("tenant", "acme")]);
        let text = checkout_page(&client, &base, "book")
            .with_context(with_baggage)
            .await
            .expect("book is in stock");
        assert_eq!(text, "book=3;tenant=acme");
        // 2: the backend fails.
        let error = call_backend(&client, &base, "missing").await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
        // 3: a request with no trace context.
        let text = client
            .get(format!("{base}/stock/pen"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(text, "pen=3;tenant=");
    });
    let stats = guard.shutdown().expect("frontend shutdown");
    assert_eq!((stats.ended, stats.exported), (3, 3), "{stats:?}");

    drop(backend.stdin.take()); // the backend stops, exports and exits
    let status = wait_within(&mut backend, Duration::from_secs(30));
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.success(), "backend: {status}\n{stdout}\n{stderr}");

    let spans = collector.wait_for(9, ARRIVAL);
    assert_eq!(spans.len(), 9, "{:?}", names(&spans));
    for span in &spans {
        let service = match span.name() {
            "checkout_page" | "call_backend" => "frontend",
            _ => "backend",
        };
        assert_eq!(span.service(), Some(Attr::from(service)), "{}", span.name());
    }

    // 1: frontend page -> frontend client -> backend server -> backend lookup.
    let page = the(&spans, "checkout_page");
    let client_span = by_sku(&spans, "call_backend", "book");
    let server_span = by_sku(&spans, "stock", "book");
    let lookup_span = by_sku(&spans, "lookup", "book");
    assert_eq!(page.parent_span_id(), SpanId::INVALID);
    assert!(client_span.is_child_of(page));
    assert!(
        server_span.is_child_of(client_span),
        "the backend joined the frontend's trace"
    );
    assert_eq!(server_span.parent_is_remote(), Some(true));
    assert_eq!(client_span.parent_is_remote(), Some(false));
    assert!(lookup_span.is_child_of(server_span));
    assert_eq!(client_span.kind(), SpanKind::Client);
    assert_eq!(server_span.kind(), SpanKind::Server);
    assert_eq!(server_span.attr("tenant"), Some(Attr::from("acme")));
    for span in [page, client_span, server_span, lookup_span] {
        assert_eq!(span.status().0, OtlpStatus::Unset, "{}", span.name());
    }

    // 2: the backend's failure fails its spans, and the client's.
    let failed_client = by_sku(&spans, "call_backend", "missing");
    let failed_server = by_sku(&spans, "stock", "missing");
    let failed_lookup = by_sku(&spans, "lookup", "missing");
    assert_eq!(failed_client.parent_span_id(), SpanId::INVALID);
    assert!(failed_server.is_child_of(failed_client));
    assert!(failed_lookup.is_child_of(failed_server));
    assert_ne!(failed_client.trace_id(), page.trace_id());
    let (code, message) = failed_lookup.status();
    assert_eq!((code, message.as_str()), (OtlpStatus::Error, "no missing"));
    let (code, message) = failed_server.status();
    assert!(
        code == OtlpStatus::Error && message.contains("no missing"),
        "{message}"
    );
    let (code, message) = failed_client.status();
    assert!(
        code == OtlpStatus::Error && message.contains("404"),
        "{message}"
    );

    // 3: no trace context: the backend starts a trace of its own.
    let fresh = by_sku(&spans, "stock", "pen");
    assert_eq!(fresh.parent_span_id(), SpanId::INVALID);
    assert_eq!(fresh.parent_is_remote(), Some(false));
    assert!(fresh.trace_id() != page.trace_id() && fresh.trace_id() != failed_client.trace_id());
    assert!(by_sku(&spans, "lookup", "pen").is_child_of(fresh));
}

/// A client for servers on this host: never through `HTTP_PROXY`.
fn local_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}
