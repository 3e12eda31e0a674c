//! `OTEL_TRACES_EXPORTER=console`: every span written to standard output.
//!
//! Written here rather than taken from `opentelemetry-stdout`, which prints
//! with `println!`: a closed standard output (`app | head`) would panic the
//! export thread. Here a failed write is an export error, counted and
//! reported once like any other.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::time::{Duration, UNIX_EPOCH};

use opentelemetry::trace::{SpanId, Status};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

/// Writes each span as a short block of text.
#[derive(Debug, Default)]
pub(crate) struct Console {
    service: String,
}

impl SpanExporter for Console {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut text = String::new();
        for span in &batch {
            describe(&mut text, &self.service, span);
        }
        io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|error| {
                OTelSdkError::InternalFailure(format!("writing to standard output: {error}"))
            })
    }

    fn set_resource(&mut self, resource: &Resource) {
        let key = opentelemetry::Key::from_static_str("service.name");
        self.service = resource
            .get(&key)
            .map_or_else(String::new, |name| name.to_string());
    }
}

/// One span: name and service, ids, timing, status, attributes, events.
fn describe(out: &mut String, service: &str, span: &SpanData) {
    let context = &span.span_context;
    let start = span
        .start_time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let duration = span
        .end_time
        .duration_since(span.start_time)
        .unwrap_or(Duration::ZERO);
    // Writing to a String cannot fail.
    let _ = writeln!(out, "span {} ({service})", span.name);
    let _ = write!(
        out,
        "  trace {} span {}",
        context.trace_id(),
        context.span_id()
    );
    if span.parent_span_id != SpanId::INVALID {
        let _ = write!(out, " parent {}", span.parent_span_id);
    }
    let _ = writeln!(
        out,
        "\n  kind {:?}, started {}.{:06} s after the epoch, took {duration:?}",
        span.span_kind,
        start.as_secs(),
        start.subsec_micros()
    );
    match &span.status {
        Status::Unset => {}
        Status::Ok => out.push_str("  status Ok\n"),
        Status::Error { description } => {
            let _ = writeln!(out, "  status Error: {description}");
        }
    }
    for attribute in &span.attributes {
        let _ = writeln!(out, "  {} = {}", attribute.key, attribute.value);
    }
    for event in &span.events.events {
        let _ = write!(out, "  event {}", event.name);
        for attribute in &event.attributes {
            let _ = write!(out, ", {} = {}", attribute.key, attribute.value);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::time::{Duration, UNIX_EPOCH};

    use opentelemetry::KeyValue;
    use opentelemetry::trace::{
        SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
    };
    use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};

    use super::describe;

    #[test]
    fn a_span_is_described_in_full() {
        let start = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        let span = SpanData {
            span_context: SpanContext::new(
                TraceId::from(0x4bf92f3577b34da6a3ce929d0e0e4736),
                SpanId::from(0x00f067aa0ba902b7),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from(0x1),
            parent_span_is_remote: false,
            span_kind: SpanKind::Server,
            name: Cow::Borrowed("charge"),
            start_time: start,
            end_time: start + Duration::from_millis(3),
            attributes: vec![KeyValue::new("amount", 1999)],
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: Status::error("card declined"),
            instrumentation_scope: Default::default(),
        };
        let mut text = String::new();
        describe(&mut text, "payment", &span);
        assert_eq!(
            text,
            "span charge (payment)\n\
             \x20 trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7 parent 0000000000000001\n\
             \x20 kind Server, started 1700000000.123456 s after the epoch, took 3ms\n\
             \x20 status Error: card declined\n\
             \x20 amount = 1999\n"
        );
    }
}
