//! The response body of a traced RPC: the status comes in its trailers, so
//! the span ends when they pass (or the body ends or fails).

use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use http_body::{Body, Frame, SizeHint};

use super::call::{Call, Side};
use super::status::GrpcStatus;

pin_project_lite::pin_project! {
    /// A gRPC response body that ends its RPC's span at the trailers.
    ///
    /// The body of the responses of [`ServerService`](super::ServerService)
    /// and [`ClientService`](super::ClientService); the frames are passed on
    /// unchanged.
    pub struct TracedBody<B> {
        #[pin]
        inner: B,
        // `None` once the span has ended (or for a trailers-only response).
        call: Option<Call>,
    }
}

impl<B> TracedBody<B> {
    pub(crate) fn new(inner: B, call: Option<Call>) -> Self {
        TracedBody { inner, call }
    }
}

impl<B: fmt::Debug> fmt::Debug for TracedBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracedBody")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<B: Default> Default for TracedBody<B> {
    fn default() -> Self {
        TracedBody::new(B::default(), None)
    }
}

impl<B> Body for TracedBody<B>
where
    B: Body,
    B::Error: fmt::Display,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        // A streaming handler makes its messages here: inside its server span.
        let _current = this
            .call
            .as_ref()
            .filter(|call| call.side() == Side::Server)
            .map(|call| call.context().clone().attach());
        let frame = ready!(this.inner.poll_frame(cx));
        if let Some(call) = this.call {
            match &frame {
                Some(Ok(frame)) => {
                    if let Some(trailers) = frame.trailers_ref() {
                        match GrpcStatus::from_headers(trailers) {
                            Some(status) => call.finish(&status),
                            None => call.fail("_OTHER", NO_STATUS.to_owned()),
                        }
                    }
                }
                Some(Err(error)) => call.fail("_OTHER", crate::text::display_text(error)),
                None => call.fail("_OTHER", NO_STATUS.to_owned()),
            }
            if call.is_done() {
                *this.call = None;
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

const NO_STATUS: &str = "the response ended without a grpc-status";
