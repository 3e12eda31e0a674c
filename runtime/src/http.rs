//! Trace context in HTTP headers, so one trace spans several services.
//!
//! A client puts the current span in the outgoing request's headers with
//! [`inject`]; a server reads it back with [`extract`] and makes it the parent
//! of its handler's span:
//!
//! ```
//! use traced::traced;
//!
//! #[traced(kind = server, parent = &traced::http::extract(&headers))]
//! async fn handle(headers: http::HeaderMap) -> Result<String, String> {
//!     let mut outgoing = http::HeaderMap::new();
//!     traced::http::inject(&mut outgoing); // `traceparent` of this handler's span
//!     Ok("sent".to_owned())
//! }
//! # let _ = handle;
//! ```
//!
//! Both use the global propagator. `traced::init()` (feature `otlp`) installs the
//! W3C `traceparent` + `baggage` one; without it (or
//! `opentelemetry::global::set_text_map_propagator`) OpenTelemetry's default
//! propagator writes and reads nothing.
//!
//! Any HTTP stack built on the `http` 1 crate works: `axum` 0.8 and `hyper` 1
//! servers (`request.headers()`), `reqwest` 0.13 clients
//! (`RequestBuilder::headers`), `tonic` metadata via `into_headers()`.

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
