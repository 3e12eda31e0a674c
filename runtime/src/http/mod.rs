//! Trace context in HTTP headers, so one trace spans several services.
//!
//! **Servers** on tower (axum, hyper with tower, tonic) get their server
//! spans from the ecosystem's layer, `opentelemetry-instrumentation-tower`
//! (OpenTelemetry-native, HTTP semantic conventions, on opentelemetry 0.33):
//! it continues the caller's `traceparent`, makes its span current while the
//! handler runs, so a `#[traced]` handler is its child, and fails the span on
//! a 5xx answer. Put it after the routes, so it names spans by the matched
//! route (`POST /charge`), and build it after `traced::init()` (it asks for
//! its tracer once, when built):
//!
//! ```
//! use axum::{Router, routing::post};
//! use opentelemetry_instrumentation_tower::http::server::Layer as OtelLayer;
//!
//! #[traced::traced]
//! async fn handle_charge(body: String) -> Result<String, String> {
//!     Ok(format!("charged: {body}"))
//! }
//!
//! // after `let _guard = traced::init()?;`
//! let app: Router = Router::new()
//!     .route("/charge", post(handle_charge))
//!     .layer(OtelLayer::new()); // server span `POST /charge`, parent of `handle_charge`
//! # let _ = app;
//! ```
//!
//! A stack without tower reads the caller's context with [`extract`] and
//! makes it the parent of the handler's span:
//!
//! ```
//! use traced::traced;
//!
//! #[traced(kind = server, parent = &traced::http::extract(&headers))]
//! async fn handle(headers: http::HeaderMap) -> Result<String, String> {
//!     Ok("handled".to_owned())
//! }
//! # let _ = handle;
//! ```
//!
//! **Clients** with reqwest (feature `reqwest`) send through
//! [`TracedRequest::send_traced`], which makes the HTTP client span and puts
//! it in `traceparent`; any other client puts the current span in the
//! outgoing headers with [`inject`], inside a `#[traced(kind = client)]` fn:
//!
//! ```
//! #[traced::traced(kind = client)]
//! fn call_payment() -> http::HeaderMap {
//!     let mut outgoing = http::HeaderMap::new();
//!     traced::http::inject(&mut outgoing); // `traceparent` of this span
//!     outgoing
//! }
//! # let _ = call_payment;
//! ```
//!
//! The functions here use the global propagator. `traced::init()` (feature
//! `otlp`) and `traced::testing::Capture` install the W3C `traceparent` +
//! `baggage` one; without it (or
//! `opentelemetry::global::set_text_map_propagator`) OpenTelemetry's default
//! propagator writes and reads nothing.
//!
//! Any HTTP stack built on the `http` 1 crate works: `axum` 0.8 and `hyper` 1
//! servers (`request.headers()`), `reqwest` 0.13 clients
//! (`RequestBuilder::headers`), `tonic` metadata via `into_headers()` (or
//! the layers of [`traced::grpc`](crate::grpc), feature `grpc`).

#[cfg(feature = "reqwest")]
mod client;
#[cfg(feature = "reqwest")]
mod redact;

#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use client::TracedRequest;

use http::HeaderMap;
use opentelemetry::Context;
use opentelemetry::global;
use opentelemetry_http::{HeaderExtractor, HeaderInjector};

/// Writes the current context (its span and baggage) into `headers`.
///
/// Call it inside the `#[traced(kind = client)]` fn that makes the request,
/// so the receiving service's span becomes a child of that span.
pub fn inject(headers: &mut HeaderMap) {
    inject_context(&Context::current(), headers);
}

/// Writes `context` (its span and baggage) into `headers`.
pub fn inject_context(context: &Context, headers: &mut HeaderMap) {
    global::get_text_map_propagator(|propagator| {
        propagator.inject_context(context, &mut HeaderInjector(headers));
    });
}

/// Reads the caller's trace context from `headers`.
///
/// The result is a context whose span is the remote caller's, to pass as
/// `parent = &traced::http::extract(headers)`. It is built from the headers
/// alone, never from whatever context is current where it is called: headers
/// without a valid `traceparent` give a context with no span (only their
/// `baggage`), so the handler's span starts a new trace.
pub fn extract(headers: &HeaderMap) -> Context {
    global::get_text_map_propagator(|propagator| {
        propagator.extract_with_context(&Context::new(), &HeaderExtractor(headers))
    })
}
