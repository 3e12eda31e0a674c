//! The current trace, for response headers and log lines.

use opentelemetry::Context;
use opentelemetry::trace::{TraceContextExt as _, TraceId};

/// The trace id of the current span, if there is a valid one.
///
/// Handy for a response header or a log line that lets someone find the
/// trace later:
///
/// ```
/// #[traced::traced]
/// fn handle() -> String {
///     match traced::current_trace_id() {
///         Some(id) => format!("trace {id}"),
///         None => "not traced".to_owned(), // e.g. no provider installed
///     }
/// }
/// # handle();
/// ```
pub fn current_trace_id() -> Option<TraceId> {
    let cx = Context::current();
    let span = cx.span();
    let span_context = span.span_context();
    span_context.is_valid().then(|| span_context.trace_id())
}
