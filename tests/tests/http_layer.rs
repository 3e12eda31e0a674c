//! HTTP across services with the ecosystem's layers: an axum 0.8 server
//! under `opentelemetry-instrumentation-tower` (the OpenTelemetry HTTP
//! server span) with `#[traced]` handlers, called by reqwest 0.13 through
//! `traced::http::TracedRequest` (the HTTP client span), all on 127.0.0.1.
//!
//! Each test captures its own trace with `traced::testing::Capture`; the
//! server is stopped (its connections closed) before the spans are read, so
//! every server span has ended by then.

use std::net::{Ipv4Addr, SocketAddr};

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use http::StatusCode;
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_instrumentation_tower::http::server::Layer as OtelLayer;
use opentelemetry_sdk::trace::SpanData;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use traced::http::TracedRequest as _;
use traced::testing::{Capture, Spans};
use traced::traced;

// ---- the server ----

#[traced(args(sku))]
async fn handle_stock(Path(sku): Path<String>) -> Result<String, (StatusCode, String)> {
    tokio::task::yield_now().await;
    match sku.as_str() {
        "lamp" => Ok("12".to_owned()),
        _ => Err((StatusCode::NOT_FOUND, format!("no sku {sku}"))),
    }
}

/// No `Result`: only the answer's status says it failed.
#[traced]
async fn handle_broken() -> StatusCode {
    StatusCode::INTERNAL_SERVER_ERROR
}

#[traced]
async fn handle_gone() -> StatusCode {
    StatusCode::NOT_FOUND
}

/// An axum server with the layer after the routes (so it sees the matched
/// route), on a free port; stop it with [`Server::stop`].
struct Server {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Server {
    /// Call it after `Capture::new()`: the layer asks for its tracer when
    /// built, and the first capture installs the provider.
    async fn start() -> Server {
        let app = Router::new()
            .route("/stock/{sku}", get(handle_stock))
            .route("/broken", get(handle_broken))
            .route("/gone", get(handle_gone))
            .layer(OtelLayer::new());
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Server {
            address,
            stop,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Waits until every connection has closed, so every request has ended.
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

// ---- the client side ----

/// What the test's caller sees of one request.
#[traced(args(url))]
async fn fetch(url: &str, template: Option<&'static str>) -> (StatusCode, String) {
    let request = client().get(url);
    let response = match template {
        Some(template) => request.send_traced_as(template).await,
        None => request.send_traced().await,
    }
    .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// What a round trip gave back.
struct Trip {
    status: StatusCode,
    spans: Spans,
    server: SocketAddr,
}

/// Runs `fetch(path)` against a fresh server in a capture of its own.
async fn round_trip(path: &str, template: Option<&'static str>) -> Trip {
    let capture = Capture::new();
    let server = Server::start().await;
    let address = server.address;
    let url = server.url(path);
    let (status, _) = capture.run_async(fetch(&url, template)).await;
    server.stop().await;
    Trip {
        status,
        spans: capture.spans(),
        server: address,
    }
}

fn of_kind(spans: &Spans, kind: SpanKind) -> &SpanData {
    let found: Vec<_> = spans.all().iter().filter(|s| s.span_kind == kind).collect();
    assert_eq!(found.len(), 1, "one {kind:?} span in {:?}", spans.names());
    found[0]
}

fn text(value: &str) -> Option<Value> {
    Some(value.to_owned().into())
}

// ---- the tests ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_span_continues_the_callers_trace_and_parents_the_handler() {
    let trip = round_trip("/stock/lamp?verbose=1", Some("/stock/{sku}")).await;
    let spans = &trip.spans;
    assert_eq!(trip.status, StatusCode::OK);

    let fetch = spans.get("fetch");
    let client = of_kind(spans, SpanKind::Client);
    let server = of_kind(spans, SpanKind::Server);
    let handler = spans.get("handle_stock");
    // One trace, the capture's: caller → client span → (traceparent) →
    // server span → the `#[traced]` handler.
    assert_eq!(
        spans.parent(client).unwrap().span_context,
        fetch.span_context
    );
    assert_eq!(
        spans.parent(server).unwrap().span_context,
        client.span_context
    );
    assert!(server.parent_span_is_remote);
    assert_eq!(
        spans.parent(handler).unwrap().span_context,
        server.span_context
    );
    assert_eq!(spans.len(), 4, "{}", spans.waterfall());

    // The client span: named by the template, HTTP client conventions.
    assert_eq!(client.name, "GET /stock/{sku}");
    let port = trip.server.port();
    let url = format!("http://127.0.0.1:{port}/stock/lamp?verbose=1");
    for (key, value) in [
        ("http.request.method", text("GET")),
        ("server.address", text("127.0.0.1")),
        ("server.port", Some(i64::from(port).into())),
        ("url.full", text(&url)),
        ("url.template", text("/stock/{sku}")),
        ("http.response.status_code", Some(200.into())),
        ("network.protocol.version", text("1.1")),
        ("error.type", None),
    ] {
        assert_eq!(spans.attribute(client, key), value, "client {key}");
    }
    assert_eq!(client.status, Status::Unset);

    // The server span: named by the matched route, HTTP server conventions.
    assert_eq!(server.name, "GET /stock/{sku}");
    for (key, value) in [
        ("http.request.method", text("GET")),
        ("url.path", text("/stock/lamp")),
        ("url.query", text("verbose=1")),
        ("http.route", text("/stock/{sku}")),
        ("http.response.status_code", Some(200.into())),
    ] {
        assert_eq!(spans.attribute(server, key), value, "server {key}");
    }
    assert_eq!(server.status, Status::Unset);
    assert_eq!(spans.attribute(handler, "sku"), text("lamp"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_answer_fails_the_server_span_though_the_handler_returns_no_result() {
    let Trip { status, spans, .. } = round_trip("/broken", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);

    let server = of_kind(&spans, SpanKind::Server);
    assert_eq!(server.name, "GET /broken");
    assert!(spans.is_error(server), "{:?}", server.status);
    assert_eq!(
        spans.attribute(server, "http.response.status_code"),
        Some(500.into())
    );
    // The handler returned a plain status code: nothing failed in it.
    let handler = spans.get("handle_broken");
    assert_eq!(handler.status, Status::Unset);
    assert_eq!(
        spans.parent(handler).unwrap().span_context,
        server.span_context
    );

    let client = of_kind(&spans, SpanKind::Client);
    assert_eq!(client.name, "GET");
    assert!(spans.is_error(client));
    assert_eq!(spans.attribute(client, "error.type"), text("500"));
    assert_eq!(
        spans.parent(server).unwrap().span_context,
        client.span_context
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_answer_fails_the_client_span_but_not_the_server_span() {
    for path in ["/gone", "/stock/desk"] {
        let Trip { status, spans, .. } = round_trip(path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");

        let server = of_kind(&spans, SpanKind::Server);
        assert_eq!(server.status, Status::Unset, "{path}: the caller's mistake");
        assert_eq!(
            spans.attribute(server, "http.response.status_code"),
            Some(404.into())
        );
        let client = of_kind(&spans, SpanKind::Client);
        assert!(spans.is_error(client), "{path}");
        assert_eq!(spans.attribute(client, "error.type"), text("404"));
        assert_eq!(
            spans.attribute(client, "http.response.status_code"),
            Some(404.into())
        );
    }
    // Where the handler returns an `Err`, its own span says why.
    let spans = round_trip("/stock/desk", None).await.spans;
    let handler = spans.get("handle_stock");
    assert!(spans.is_error(handler));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_an_answer_fails_the_client_span_and_keeps_credentials_out() {
    // A port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://ann:hunter2@127.0.0.1:{port}/stock/lamp?sig=s3cret&qty=2");

    let capture = Capture::new();
    let result = capture
        .run_async(async { client().get(&url).send_traced().await })
        .await;
    let error = result.expect_err("nothing listens there");
    assert!(error.is_connect(), "{error}");

    let spans = capture.spans();
    let client = of_kind(&spans, SpanKind::Client);
    // reqwest moves the URL's credentials into an `Authorization` header
    // (which is not recorded); the signature is redacted.
    assert_eq!(
        spans.attribute(client, "url.full"),
        text(&format!(
            "http://127.0.0.1:{port}/stock/lamp?sig=REDACTED&qty=2"
        ))
    );
    assert_eq!(spans.attribute(client, "error.type"), text("connect"));
    assert_eq!(spans.attribute(client, "http.response.status_code"), None);
    let Status::Error { description } = &client.status else {
        panic!("{:?}", client.status);
    };
    assert!(
        description.contains("error sending request"),
        "{description}"
    );
    assert!(
        !description.contains("hunter2") && !description.contains("s3cret"),
        "{description}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_span_starts_at_the_call_in_the_callers_context() {
    // The future is made in the capture's context and awaited on a task
    // that is not: the span still belongs to the capture's trace.
    let capture = Capture::new();
    let server = Server::start().await;
    let url = server.url("/stock/lamp");

    let sending = capture.run(|| client().get(&url).send_traced());
    let response = tokio::spawn(sending).await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.stop().await;

    let spans = capture.spans();
    let client = of_kind(&spans, SpanKind::Client);
    assert_eq!(spans.roots(), [client]);
    let server = of_kind(&spans, SpanKind::Server);
    assert_eq!(
        spans.parent(server).unwrap().span_context,
        client.span_context
    );
}
