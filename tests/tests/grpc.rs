//! gRPC with tonic 0.14 under `traced::grpc`: `ClientLayer` on the channel,
//! `ServerLayer` on the server, the `checkout.Inventory` service of
//! `traced_tests::grpc_inventory` on 127.0.0.1.
//!
//! In one process, the spans of both sides are captured with
//! `traced::testing::Capture` and checked attribute by attribute. In two,
//! the server is `src/bin/grpc_server.rs`, exporting over OTLP/HTTP to a
//! receiver here, and its spans must continue the client's trace.

mod support;

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;
use support::sink::{Behaviour, Sink};
use tonic::Code;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tower_layer::Layer as _;
use traced::grpc::{ClientLayer, ClientService, ServerLayer};
use traced::testing::{Capture, Spans};
use traced::traced;
use traced_tests::grpc_inventory::{InventoryServer, RESERVE_METHOD, call_reserve};

/// A channel to `address` whose RPCs are traced.
async fn traced_channel(address: SocketAddr) -> ClientService<Channel> {
    let endpoint = Endpoint::from_shared(format!("http://{address}")).unwrap();
    let channel = endpoint.connect().await.unwrap();
    ClientLayer::for_server(endpoint.uri()).layer(channel)
}

/// The caller: reserves twice, the second time something that fails.
#[traced(args(sku))]
async fn place(channel: ClientService<Channel>, sku: &str) -> Result<u32, Code> {
    call_reserve(channel, sku, 2)
        .await
        .map_err(|status| status.code())
}

fn text(value: &str) -> Option<Value> {
    Some(value.to_owned().into())
}

fn of_kind(spans: &Spans, kind: SpanKind) -> &SpanData {
    let found: Vec<_> = spans.all().iter().filter(|s| s.span_kind == kind).collect();
    assert_eq!(found.len(), 1, "one {kind:?} span in {:?}", spans.names());
    found[0]
}

/// One RPC for `sku` against an in-process server, in a capture of its own.
async fn one_rpc(sku: &str) -> (Result<u32, Code>, Spans, SocketAddr) {
    let capture = Capture::new();
    let incoming = TcpIncoming::bind(([127, 0, 0, 1], 0).into()).unwrap();
    let address = incoming.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        Server::builder()
            .layer(ServerLayer::new())
            .add_service(InventoryServer)
            .serve_with_incoming_shutdown(incoming, async {
                let _ = stopped.await;
            }),
    );
    let channel = traced_channel(address).await;
    let result = capture.run_async(place(channel, sku)).await;
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    (result, capture.spans(), address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rpc_is_one_trace_with_the_rpc_conventions() {
    let (result, spans, address) = one_rpc("lamp").await;
    assert_eq!(result, Ok(10));

    let place = spans.get("place");
    let client = of_kind(&spans, SpanKind::Client);
    let server = of_kind(&spans, SpanKind::Server);
    let handler = spans.get("reserve");
    assert_eq!(
        spans.parent(client).unwrap().span_context,
        place.span_context
    );
    assert_eq!(
        spans.parent(server).unwrap().span_context,
        client.span_context
    );
    assert!(server.parent_span_is_remote, "from the metadata");
    assert_eq!(
        spans.parent(handler).unwrap().span_context,
        server.span_context
    );
    assert_eq!(spans.len(), 4, "{}", spans.waterfall());

    for span in [client, server] {
        assert_eq!(span.name, RESERVE_METHOD);
        for (key, value) in [
            ("rpc.system.name", text("grpc")),
            ("rpc.method", text(RESERVE_METHOD)),
            ("rpc.response.status_code", text("OK")),
            ("server.address", text("127.0.0.1")),
            ("server.port", Some(i64::from(address.port()).into())),
            ("error.type", None),
        ] {
            assert_eq!(
                spans.attribute(span, key),
                value,
                "{:?} {key}",
                span.span_kind
            );
        }
        assert_eq!(span.status, Status::Unset);
    }
    // The client span lasts until the answer's trailers: around the server's.
    assert!(client.start_time <= server.start_time && server.end_time <= client.end_time);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_fails_the_client_span_but_not_the_server_span() {
    let (result, spans, _) = one_rpc("gone").await;
    assert_eq!(result, Err(Code::NotFound));

    let client = of_kind(&spans, SpanKind::Client);
    let server = of_kind(&spans, SpanKind::Server);
    assert_eq!(
        client.status,
        Status::error("no sku “gone”"),
        "the status message, decoded"
    );
    assert_eq!(spans.attribute(client, "error.type"), text("NOT_FOUND"));
    assert_eq!(server.status, Status::Unset, "the caller's mistake");
    assert_eq!(spans.attribute(server, "error.type"), None);
    for span in [client, server] {
        assert_eq!(
            spans.attribute(span, "rpc.response.status_code"),
            text("NOT_FOUND")
        );
    }
    // The handler returned the `Err`: its own span says so.
    assert!(spans.is_error(spans.get("reserve")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_fails_both_spans() {
    let (result, spans, _) = one_rpc("broken").await;
    assert_eq!(result, Err(Code::Internal));
    for kind in [SpanKind::Client, SpanKind::Server] {
        let span = of_kind(&spans, kind.clone());
        assert_eq!(
            span.status,
            Status::error("the stock table is broken"),
            "{kind:?}"
        );
        assert_eq!(spans.attribute(span, "error.type"), text("INTERNAL"));
    }
}

// ---- two processes ----

/// `src/bin/grpc_server.rs`, exporting to `sink`, until its stdin closes.
struct ServerProcess {
    child: std::process::Child,
    address: SocketAddr,
}

impl ServerProcess {
    fn start(sink: &Sink) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_grpc_server"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("OTEL_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", sink.endpoint())
            .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .env("OTEL_SERVICE_NAME", "inventory")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("not an address: {line:?}"))
            .parse()
            .unwrap();
        ServerProcess { child, address }
    }

    /// Closes its stdin and waits: it flushes its spans before it exits.
    fn stop(mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exited with {status}");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Only on a failed assertion: don't leave it running.
        let _ = self.child.kill();
    }
}

#[test]
fn a_trace_crosses_two_processes_over_grpc() {
    // The sink runs on a runtime of its own, so this test is not async.
    let sink = Sink::start(Behaviour::PROMPT, &["qty"]);
    let server = ServerProcess::start(&sink);
    let capture = Capture::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (ok, failed) = runtime.block_on(async {
        let channel = traced_channel(server.address).await;
        let ok = capture.run_async(place(channel.clone(), "lamp")).await;
        let failed = capture.run_async(place(channel, "broken")).await;
        (ok, failed)
    });
    drop(runtime);
    assert_eq!((ok, failed), (Ok(10), Err(Code::Internal)));
    server.stop();

    let trace_id = u128::from_be_bytes(capture.trace_id().to_bytes());
    let span_id = |span: &SpanData| u64::from_be_bytes(span.span_context.span_id().to_bytes());
    let ours = capture.spans();
    let clients: Vec<_> = ours
        .all()
        .iter()
        .filter(|s| s.span_kind == SpanKind::Client)
        .collect();
    assert_eq!(clients.len(), 2, "{}", ours.waterfall());

    let theirs = sink.take();
    assert_eq!(
        theirs.len(),
        4,
        "a server span and a handler span per RPC: {theirs:#?}"
    );
    for (client, fails) in clients.into_iter().zip([false, true]) {
        let server: Vec<_> = theirs
            .iter()
            .filter(|s| s.parent_span_id == span_id(client))
            .collect();
        let [server] = server[..] else {
            panic!("one server span under {client:?}: {theirs:#?}");
        };
        assert_eq!(server.trace_id, trace_id, "the capture's trace");
        assert_eq!(server.name, RESERVE_METHOD);
        assert_eq!(server.status_code, if fails { 2 } else { 0 });
        let handler: Vec<_> = theirs
            .iter()
            .filter(|s| s.parent_span_id == server.span_id)
            .collect();
        let [handler] = handler[..] else {
            panic!("one handler span under {server:?}: {theirs:#?}");
        };
        assert_eq!(handler.name, "reserve");
        assert_eq!(handler.trace_id, trace_id);
        assert_eq!(handler.int("qty"), Some(2));
        assert_eq!(ours.is_error(client), fails);
    }
}
