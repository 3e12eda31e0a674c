//! gRPC spans and trace context for tonic 0.14, or any gRPC stack on
//! `http` 1 and tower.
//!
//! [`ServerLayer`] makes a span of kind `server` per RPC a server answers,
//! continuing the caller's trace from the request metadata (`traceparent`,
//! `baggage`), and current while the handler runs, so a `#[traced]` fn it
//! calls is its child. [`ClientLayer`] makes a span of kind `client` per RPC
//! sent through a channel, a child of the current span, and puts it in the
//! request metadata. Wiring with tonic:
//!
//! ```no_run
//! # use std::task::{Context, Poll};
//! # use tonic::body::Body;
//! # /// Stands in for a generated server.
//! # #[derive(Clone)]
//! # struct InventoryServer;
//! # impl tonic::server::NamedService for InventoryServer {
//! #     const NAME: &'static str = "checkout.Inventory";
//! # }
//! # impl tower_service::Service<http::Request<Body>> for InventoryServer {
//! #     type Response = http::Response<Body>;
//! #     type Error = std::convert::Infallible;
//! #     type Future = std::future::Ready<Result<http::Response<Body>, Self::Error>>;
//! #     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> { Poll::Ready(Ok(())) }
//! #     fn call(&mut self, _: http::Request<Body>) -> Self::Future {
//! #         std::future::ready(Ok(tonic::Status::unimplemented("").into_http()))
//! #     }
//! # }
//! use tower_layer::Layer as _;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // the server
//! tonic::transport::Server::builder()
//!     .layer(traced::grpc::ServerLayer::new())
//!     .add_service(InventoryServer)
//!     .serve("127.0.0.1:50051".parse()?)
//!     .await?;
//!
//! // a client: a generated `InventoryClient::new(channel)` takes it as well
//! let endpoint = tonic::transport::Endpoint::from_static("http://127.0.0.1:50051");
//! let channel = traced::grpc::ClientLayer::for_server(endpoint.uri())
//!     .layer(endpoint.connect().await?);
//! let mut client = tonic::client::Grpc::new(channel);
//! # let _ = client.ready().await;
//! # Ok(())
//! # }
//! ```
//!
//! Both follow the RPC semantic conventions for gRPC: the span is named by
//! the method, `package.Service/Method`, and records `rpc.system.name =
//! "grpc"`, `rpc.method`, `server.address` and `server.port` (on the client,
//! from [`ClientLayer::for_server`]), and `rpc.response.status_code`, the
//! status code's name (`OK`, `NOT_FOUND`, ...). A client span fails for every
//! status but `OK`; a server span only for those that say the server is at
//! fault (`UNKNOWN`, `DEADLINE_EXCEEDED`, `UNIMPLEMENTED`, `INTERNAL`,
//! `UNAVAILABLE`, `DATA_LOSS`). A failed span has `error.type` set to the
//! code's name and the status message (`grpc-message`) as its description.
//! The status is read where gRPC puts it, in the trailers, so a span ends
//! when the response's trailers pass (or at once for a trailers-only
//! response, the usual form of an error); a response dropped before them
//! ends it with a `cancelled` event. A path that is not
//! `/package.Service/Method` is recorded as the method `_OTHER` (with
//! `rpc.method_original`), so span names stay few.
//!
//! A round trip, server and client in one process (the test suite runs them
//! in two, with tonic):
//!
//! ```
//! # use std::convert::Infallible;
//! # use std::future::{Ready, ready};
//! # use std::task::{Context, Poll};
//! use tower_layer::Layer as _;
//! use tower_service::Service as _;
//! use traced::grpc::{ClientLayer, ServerLayer};
//! use traced::testing::Capture;
//!
//! /// Stands in for a tonic server: answers every RPC `NOT_FOUND`, from a `#[traced]` fn.
//! # #[derive(Clone)]
//! struct Inventory;
//!
//! #[traced::traced]
//! fn lookup() -> http::Response<String> {
//!     let mut response = http::Response::new(String::new());
//!     response.headers_mut().insert("grpc-status", http::HeaderValue::from_static("5"));
//!     response
//! }
//!
//! impl tower_service::Service<http::Request<String>> for Inventory {
//! #   type Response = http::Response<String>;
//! #   type Error = Infallible;
//! #   type Future = Ready<Result<http::Response<String>, Infallible>>;
//! #   fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> { Poll::Ready(Ok(())) }
//!     // ...
//!     fn call(&mut self, _request: http::Request<String>) -> Self::Future {
//!         ready(Ok(lookup()))
//!     }
//! }
//!
//! /// Stands in for a tonic channel: hands each request to the server.
//! # #[derive(Clone)]
//! struct Channel<S>(S);
//! # impl<S: tower_service::Service<http::Request<String>>> tower_service::Service<http::Request<String>> for Channel<S> {
//! #   type Response = S::Response;
//! #   type Error = S::Error;
//! #   type Future = S::Future;
//! #   fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> { self.0.poll_ready(cx) }
//! #   fn call(&mut self, request: http::Request<String>) -> S::Future { self.0.call(request) }
//! # }
//!
//! # fn block_on<F: std::future::Future>(future: F) -> F::Output {
//! #     let mut cx = Context::from_waker(std::task::Waker::noop());
//! #     let mut future = std::pin::pin!(future);
//! #     loop { if let Poll::Ready(out) = future.as_mut().poll(&mut cx) { return out; } }
//! # }
//! let server = ServerLayer::new().layer(Inventory);
//! let mut client = ClientLayer::new().layer(Channel(server));
//!
//! let capture = Capture::new();
//! let request = http::Request::builder()
//!     .uri("/checkout.Inventory/Reserve")
//!     .body(String::new())?;
//! let response = capture.run(|| block_on(client.call(request)))?;
//! assert_eq!(response.headers()["grpc-status"], "5");
//!
//! let spans = capture.spans();
//! // In order of start: the client's span, then the server's.
//! let [client_span, server_span] = &spans.named("checkout.Inventory/Reserve")[..] else {
//!     panic!("{:?}", spans.names());
//! };
//! assert_eq!(spans.parent(server_span).unwrap().span_context, client_span.span_context);
//! assert_eq!(spans.parent(spans.get("lookup")).unwrap().span_context, server_span.span_context);
//! assert!(spans.is_error(client_span)); // a client span fails for any status but OK
//! assert!(!spans.is_error(server_span)); // NOT_FOUND is not the server's fault
//! assert_eq!(
//!     spans.attribute(server_span, "rpc.response.status_code"),
//!     Some("NOT_FOUND".into())
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Behind feature `grpc`, which adds `tower-layer`, `tower-service` and
//! `http-body` (no tonic: any stack whose requests are `http::Request`s and
//! whose response bodies are `http_body::Body`s works). Spans go to the
//! global tracer provider, asked for at each RPC, under the instrumentation
//! scope `traced`; the metadata is written and read with the global
//! propagator, as in [`traced::http`](crate::http).

mod body;
mod call;
mod client;
mod future;
mod server;
mod status;

pub use body::TracedBody;
pub use client::{ClientLayer, ClientService};
pub use future::ResponseFuture;
pub use server::{ServerLayer, ServerService};
