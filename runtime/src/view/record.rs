//! The one span type the waterfall draws, whatever the spans came from.

use std::time::SystemTime;

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry_sdk::trace::SpanData;

/// One finished span, as the waterfall needs it.
///
/// Build it from an SDK [`SpanData`] with [`SpanRecord::from_span_data`] (or
/// `From<&SpanData>`), or by hand from spans that arrived some other way,
/// such as OTLP protobuf spans received over the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRecord {
    /// The trace the span belongs to; each trace is drawn as its own block.
    pub trace_id: TraceId,
    /// The span's own id.
    pub span_id: SpanId,
    /// The parent's id, [`SpanId::INVALID`] for a root. A parent that is not
    /// among the drawn spans (remote, or not exported) makes the span a root
    /// of its block.
    pub parent_span_id: SpanId,
    /// The service that produced the span (the resource's `service.name`), if
    /// known.
    pub service: Option<String>,
    /// The span name.
    pub name: String,
    /// When the span started.
    pub start: SystemTime,
    /// When the span ended. An end before the start is drawn as a zero-length
    /// span.
    pub end: SystemTime,
    /// `Some(description)` when the span's status is `Error`; the description
    /// may be empty.
    pub error: Option<String>,
}

impl SpanRecord {
    /// The record of an SDK span. `service` is given by the caller because a
    /// [`SpanData`] does not carry its resource.
    pub fn from_span_data(span: &SpanData, service: Option<&str>) -> Self {
        let error = match &span.status {
            Status::Error { description } => Some(description.to_string()),
            Status::Unset | Status::Ok => None,
        };
        SpanRecord {
            trace_id: span.span_context.trace_id(),
            span_id: span.span_context.span_id(),
            parent_span_id: span.parent_span_id,
            service: service.map(str::to_owned),
            name: span.name.to_string(),
            start: span.start_time,
            end: span.end_time,
            error,
        }
    }

    /// The span's interval; `end` is never before `start`, so bad clocks
    /// cannot produce a negative length.
    pub(crate) fn interval(&self) -> (SystemTime, SystemTime) {
        (self.start, self.end.max(self.start))
    }
}

impl From<&SpanData> for SpanRecord {
    /// The record of an SDK span, without a service name.
    fn from(span: &SpanData) -> Self {
        SpanRecord::from_span_data(span, None)
    }
}
