//! The client layer: a span per outgoing RPC, carried in its metadata.

use std::fmt;
use std::task::{Context as TaskContext, Poll};

use http::uri::Authority;
use opentelemetry::Context;

use super::body::TracedBody;
use super::call::{Call, Side};
use super::future::ResponseFuture;

/// A tower layer that traces every RPC sent through a gRPC channel; see
/// the [module docs](super).
#[derive(Debug, Clone, Default)]
pub struct ClientLayer {
    server: Option<Authority>,
}

impl ClientLayer {
    /// A layer whose spans name the server only if the requests' URIs do
    /// (a tonic `Channel` adds its origin inside, after this layer).
    pub fn new() -> Self {
        ClientLayer::default()
    }

    /// A layer whose spans record `server.address` and `server.port` from
    /// `uri`, the endpoint the channel connects to
    /// (`tonic::transport::Endpoint::uri`).
    pub fn for_server(uri: &http::Uri) -> Self {
        ClientLayer {
            server: uri.authority().cloned(),
        }
    }
}

impl<S> tower_layer::Layer<S> for ClientLayer {
    type Service = ClientService<S>;

    fn layer(&self, inner: S) -> ClientService<S> {
        ClientService {
            inner,
            server: self.server.clone(),
        }
    }
}

/// The service [`ClientLayer`] wraps around a channel.
#[derive(Debug, Clone)]
pub struct ClientService<S> {
    inner: S,
    server: Option<Authority>,
}

impl<S, ReqBody, ResBody> tower_service::Service<http::Request<ReqBody>> for ClientService<S>
where
    S: tower_service::Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Error: fmt::Display,
{
    type Response = http::Response<TracedBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        // Called inside the caller's poll, so the current span is the caller's.
        let call = Call::start(
            Side::Client,
            &request,
            self.server.as_ref(),
            Context::current(),
        );
        crate::http::inject_context(call.context(), request.headers_mut());
        ResponseFuture::new(self.inner.call(request), call)
    }
}
