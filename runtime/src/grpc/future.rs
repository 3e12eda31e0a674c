//! The response future of a traced RPC: it hands the span to the body, or
//! ends it when the response already says how the RPC ended.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use super::body::TracedBody;
use super::call::{Call, Side};
use super::status::GrpcStatus;

pin_project_lite::pin_project! {
    /// The future of [`ServerService`](super::ServerService) and
    /// [`ClientService`](super::ClientService) calls.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        call: Option<Call>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, call: Call) -> Self {
        ResponseFuture {
            inner,
            call: Some(call),
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    E: fmt::Display,
{
    type Output = Result<http::Response<TracedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The handler runs here: inside its server span, so a `#[traced]`
        // fn it calls is the span's child.
        let _current = this
            .call
            .as_ref()
            .filter(|call| call.side() == Side::Server)
            .map(|call| call.context().clone().attach());
        let result = ready!(this.inner.poll(cx));
        let mut call = this.call.take();
        Poll::Ready(match result {
            Ok(response) => {
                // A trailers-only response (how errors usually come) has
                // its status in the headers, and an empty body.
                if let Some(status) = GrpcStatus::from_headers(response.headers()) {
                    if let Some(call) = call.as_mut() {
                        call.finish(&status);
                    }
                    call = None;
                }
                Ok(response.map(|body| TracedBody::new(body, call)))
            }
            Err(error) => {
                if let Some(call) = call.as_mut() {
                    call.fail(
                        std::any::type_name::<E>(),
                        crate::text::display_text(&error),
                    );
                }
                Err(error)
            }
        })
    }
}
