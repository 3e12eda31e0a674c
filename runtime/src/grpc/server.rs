//! The server layer: a span per incoming RPC, continuing the caller's trace.

use std::fmt;
use std::task::{Context as TaskContext, Poll};

use super::body::TracedBody;
use super::call::{Call, Side};
use super::future::ResponseFuture;

/// A tower layer that traces every RPC a gRPC server answers; see the
/// [module docs](super).
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerLayer;

impl ServerLayer {
    pub fn new() -> Self {
        ServerLayer
    }
}

impl<S> tower_layer::Layer<S> for ServerLayer {
    type Service = ServerService<S>;

    fn layer(&self, inner: S) -> ServerService<S> {
        ServerService { inner }
    }
}

/// The service [`ServerLayer`] wraps around a server's routes.
#[derive(Debug, Clone)]
pub struct ServerService<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> tower_service::Service<http::Request<ReqBody>> for ServerService<S>
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

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        // From the metadata alone: without a `traceparent` the RPC starts a trace.
        let parent = crate::http::extract(request.headers());
        let call = Call::start(Side::Server, &request, None, parent);
        let inner = {
            let _current = call.context().clone().attach();
            self.inner.call(request)
        };
        ResponseFuture::new(inner, call)
    }
}
