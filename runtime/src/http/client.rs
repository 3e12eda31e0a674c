//! reqwest requests sent in an HTTP client span that carries `traceparent`.
//!
//! Written here because the ecosystem's reqwest middleware
//! (`reqwest-middleware` + `reqwest-tracing`) makes `tracing` spans, and is
//! not on opentelemetry 0.33; this makes the OpenTelemetry span directly.

use std::borrow::Cow;
use std::future::Future;

use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{SpanKind, SpanRef, Status, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue};

use super::redact::full_url;

/// Sends a reqwest request in an HTTP client span, with the span's
/// context in the request's `traceparent` (and `baggage`) header.
///
/// `send_traced()` is `send()` plus a span of kind `client`, a child of the
/// current span, named `{METHOD}` (`send_traced_as(template)`: `{METHOD}
/// {template}`), with the HTTP client attributes of the semantic conventions:
/// `http.request.method`, `server.address`, `server.port`, `url.full`
/// (credentials and signature parameters replaced by `REDACTED`),
/// `url.template` when given, and once answered `http.response.status_code`
/// and `network.protocol.version`. A 4xx or 5xx answer fails the span, with
/// `error.type` set to the status code; so does a request that gets no
/// answer, with `error.type` saying why (`timeout`, `connect`, ...) and the
/// error's text. The span ends when the response headers arrive (reading the
/// body is up to the caller); a request dropped before that ends it with a
/// `cancelled` event. A request that cannot be built (`RequestBuilder`
/// errors) returns its error and makes no span.
///
/// ```
/// use traced::http::TracedRequest as _;
/// use traced::traced;
///
/// #[traced(args(sku))]
/// async fn stock_left(client: &reqwest::Client, base: &str, sku: &str) -> Result<String, reqwest::Error> {
///     let response = client
///         .get(format!("{base}/stock/{sku}"))
///         .send_traced_as("/stock/{sku}") // span `GET /stock/{sku}`, a child of `stock_left`
///         .await?;
///     response.text().await
/// }
/// # let _ = stock_left;
/// ```
///
/// Behind feature `reqwest`. The span goes to the global tracer provider,
/// asked for at each request, under the instrumentation scope `traced`.
pub trait TracedRequest: sealed::Sealed + Sized {
    /// `send()` in a client span named `{METHOD}`.
    fn send_traced(
        self,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static;

    /// `send()` in a client span named `{METHOD} {url_template}`, which is
    /// also recorded as `url.template`: a low-cardinality form of the path,
    /// such as `/users/{id}`, so spans of one endpoint group together.
    fn send_traced_as(
        self,
        url_template: impl Into<Cow<'static, str>>,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static;
}

impl TracedRequest for reqwest::RequestBuilder {
    fn send_traced(
        self,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static {
        send(self, None)
    }

    fn send_traced_as(
        self,
        url_template: impl Into<Cow<'static, str>>,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static {
        send(self, Some(url_template.into()))
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for reqwest::RequestBuilder {}
}

/// Starts the span now, at the call, so it is the child of the caller's
/// current span even if the future is polled elsewhere.
fn send(
    builder: reqwest::RequestBuilder,
    template: Option<Cow<'static, str>>,
) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static {
    let (client, request) = builder.build_split();
    let started = request.map(|mut request| {
        let cx = start(&request, template);
        super::inject_context(&cx, request.headers_mut());
        (request, Ending::new(cx))
    });
    async move {
        let (request, mut ending) = started?;
        let result = client
            .execute(request)
            .with_context(ending.cx.clone())
            .await;
        ending.finish(&result);
        result
    }
}

/// A request method as the conventions name it; `None` for other methods.
fn known_method(method: &reqwest::Method) -> Option<&'static str> {
    use reqwest::Method;
    Some(match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => return None,
    })
}

/// The client span of `request`, in a context that is the current one plus it.
fn start(request: &reqwest::Request, template: Option<Cow<'static, str>>) -> Context {
    let method = known_method(request.method());
    // Other methods are `_OTHER`, their spans `HTTP`: the conventions keep
    // names and the method attribute low-cardinality.
    let name = match (method, &template) {
        (Some(method), Some(template)) => format!("{method} {template}"),
        (Some(method), None) => method.to_owned(),
        (None, Some(template)) => format!("HTTP {template}"),
        (None, None) => "HTTP".to_owned(),
    };
    let url = request.url();
    let mut attributes = vec![
        KeyValue::new("http.request.method", method.unwrap_or("_OTHER")),
        KeyValue::new("url.full", full_url(url)),
    ];
    if method.is_none() {
        attributes.push(KeyValue::new(
            "http.request.method_original",
            request.method().as_str().to_owned(),
        ));
    }
    if let Some(host) = url.host_str() {
        attributes.push(KeyValue::new("server.address", host.to_owned()));
    }
    if let Some(port) = url.port_or_known_default() {
        attributes.push(KeyValue::new("server.port", i64::from(port)));
    }
    if let Some(template) = template {
        attributes.push(KeyValue::new("url.template", template));
    }
    let tracer = crate::instrumentation::tracer();
    let parent = Context::current();
    let span = tracer
        .span_builder(name)
        .with_kind(SpanKind::Client)
        .with_attributes(attributes)
        .start_with_context(&tracer, &parent);
    parent.with_span(span)
}

/// Ends the span once: with the outcome, or as cancelled when dropped first.
struct Ending {
    cx: Context,
    done: bool,
}

impl Ending {
    fn new(cx: Context) -> Self {
        Ending { cx, done: false }
    }

    fn finish(&mut self, result: &reqwest::Result<reqwest::Response>) {
        let span = self.cx.span();
        match result {
            Ok(response) => answered(&span, response),
            Err(error) => unanswered(&span, error),
        }
        self.done = true;
        span.end();
    }
}

impl Drop for Ending {
    fn drop(&mut self) {
        if !self.done {
            let span = self.cx.span();
            span.add_event("cancelled", Vec::new());
            span.end();
        }
    }
}

fn answered(span: &SpanRef<'_>, response: &reqwest::Response) {
    let status = response.status();
    span.set_attribute(KeyValue::new(
        "http.response.status_code",
        i64::from(status.as_u16()),
    ));
    if let Some(version) = protocol_version(response.version()) {
        span.set_attribute(KeyValue::new("network.protocol.version", version));
    }
    if status.is_client_error() || status.is_server_error() {
        span.set_attribute(KeyValue::new("error.type", status.as_str().to_owned()));
        // No description: the conventions say so when the status code tells why.
        span.set_status(Status::error(""));
    }
}

fn unanswered(span: &SpanRef<'_>, error: &reqwest::Error) {
    span.set_attribute(KeyValue::new("error.type", error_type(error)));
    let mut text = crate::text::display_text(error);
    // The error quotes the URL as given; the span keeps only the redacted one.
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), &full_url(url));
    }
    span.set_status(Status::error(text));
}

/// A low-cardinality reason, as `error.type` wants.
fn error_type(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_redirect() {
        "redirect"
    } else if error.is_body() {
        "body"
    } else if error.is_request() {
        "request"
    } else {
        "_OTHER"
    }
}

fn protocol_version(version: reqwest::Version) -> Option<&'static str> {
    use reqwest::Version;
    Some(match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_11 => "1.1",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => return None,
    })
}
