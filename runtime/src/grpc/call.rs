//! One RPC's span: started from the request, ended once with its outcome.

use opentelemetry::trace::{SpanKind, Status, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue};

use super::status::GrpcStatus;

/// Which end of the RPC the span is; they fail for different codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Server,
    Client,
}

/// The span of one RPC, in its context; ends once, at the latest when dropped.
#[derive(Debug)]
pub(crate) struct Call {
    cx: Context,
    side: Side,
    done: bool,
}

impl Call {
    /// Starts the span of `request`: a child of `parent`, named by the
    /// method (`package.Service/Method`), with the RPC attributes.
    pub fn start<B>(
        side: Side,
        request: &http::Request<B>,
        server: Option<&http::uri::Authority>,
        parent: Context,
    ) -> Self {
        let path = request.uri().path();
        let method = method_of(path);
        let mut attributes = vec![
            KeyValue::new("rpc.system.name", "grpc"),
            KeyValue::new("rpc.method", method.unwrap_or("_OTHER").to_owned()),
        ];
        if method.is_none() {
            attributes.push(KeyValue::new("rpc.method_original", path.to_owned()));
        }
        if let Some(server) = request.uri().authority().or(server) {
            attributes.push(KeyValue::new("server.address", server.host().to_owned()));
            if let Some(port) = server.port_u16() {
                attributes.push(KeyValue::new("server.port", i64::from(port)));
            }
        }
        let tracer = crate::instrumentation::tracer();
        let span = tracer
            .span_builder(method.unwrap_or("_OTHER").to_owned())
            .with_kind(match side {
                Side::Server => SpanKind::Server,
                Side::Client => SpanKind::Client,
            })
            .with_attributes(attributes)
            .start_with_context(&tracer, &parent);
        Call {
            cx: parent.with_span(span),
            side,
            done: false,
        }
    }

    /// The context with the RPC's span, to make current or to inject.
    pub fn context(&self) -> &Context {
        &self.cx
    }

    /// Ends the span with the status the server sent.
    pub fn finish(&mut self, status: &GrpcStatus) {
        let span = self.cx.span();
        span.set_attribute(KeyValue::new("rpc.response.status_code", status.name()));
        let failed = match self.side {
            Side::Server => status.fails_server(),
            Side::Client => !status.is_ok(),
        };
        if failed {
            span.set_attribute(KeyValue::new("error.type", status.name()));
            let message = crate::text::cut_str(&status.message);
            span.set_status(Status::error(
                message.unwrap_or_else(|| status.message.clone()),
            ));
        }
        self.end();
    }

    /// Ends the span of an RPC that failed without a gRPC status: the
    /// connection or the stream broke, or the response had no `grpc-status`.
    pub fn fail(&mut self, error_type: &'static str, message: String) {
        let span = self.cx.span();
        span.set_attribute(KeyValue::new("error.type", error_type));
        span.set_status(Status::error(message));
        self.end();
    }

    pub fn side(&self) -> Side {
        self.side
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    fn end(&mut self) {
        self.done = true;
        self.cx.span().end();
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        // The response was dropped before its status: the caller (or, on
        // the server, the client) went away; not a failure of this side.
        if !self.done {
            self.cx.span().add_event("cancelled", Vec::new());
            self.end();
        }
    }
}

/// `package.Service/Method` from `/package.Service/Method`; `None` for any
/// other path (the conventions' `_OTHER`, so span names stay few).
fn method_of(path: &str) -> Option<&str> {
    let method = path.strip_prefix('/')?;
    let (service, name) = method.split_once('/')?;
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    };
    (valid(service) && valid(name)).then_some(method)
}

#[cfg(test)]
mod tests {
    use super::method_of;

    #[test]
    fn methods_from_paths() {
        assert_eq!(
            method_of("/checkout.Inventory/Reserve"),
            Some("checkout.Inventory/Reserve")
        );
        assert_eq!(method_of("/Echo/Say_it2"), Some("Echo/Say_it2"));
        for other in [
            "", "/", "/Echo", "/Echo/", "//Say", "/a/b/c", "/a b/c", "Echo/Say",
        ] {
            assert_eq!(method_of(other), None, "{other:?}");
        }
    }
}
