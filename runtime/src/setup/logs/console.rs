//! `OTEL_LOGS_EXPORTER=console`: every log record written to standard
//! output, with the trace and span it belongs to.
//!
//! Written here rather than taken from `opentelemetry-stdout` for the reason
//! the span console exporter is: a closed standard output must be an export
//! error, counted and reported once, not a panic of the export thread.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::time::UNIX_EPOCH;

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLogRecord};

use crate::log_record::any_value_text;

/// Writes each record as one line.
#[derive(Debug, Default)]
pub(crate) struct Console {
    service: String,
}

impl LogExporter for Console {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let mut text = String::new();
        for (record, _) in batch.iter() {
            describe(&mut text, &self.service, record);
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

/// `log <LEVEL> (<service>) <seconds> trace <id> span <id>: <body> k=v ...`
fn describe(out: &mut String, service: &str, record: &SdkLogRecord) {
    let level = record
        .severity_text()
        .or_else(|| record.severity_number().map(|s| s.name()))
        .unwrap_or("-");
    let time = record
        .timestamp()
        .or(record.observed_timestamp())
        .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "log {level} ({service}) {}.{:06}",
        time.as_secs(),
        time.subsec_micros()
    );
    if let Some(context) = record.trace_context() {
        let _ = write!(out, " trace {} span {}", context.trace_id, context.span_id);
    }
    out.push(':');
    if let Some(body) = record.body() {
        let _ = write!(out, " {}", one_line(&any_value_text(body)));
    }
    for (key, value) in record.attributes_iter() {
        let _ = write!(out, " {key}={}", one_line(&any_value_text(value)));
    }
    out.push('\n');
}

/// A record is one line, whatever its text holds.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
    use opentelemetry::trace::{SpanId, TraceFlags, TraceId};
    use opentelemetry_sdk::logs::SdkLoggerProvider;

    use super::describe;

    #[test]
    fn a_record_is_one_line_with_its_trace_and_span() {
        let provider = SdkLoggerProvider::builder().build();
        let mut record = provider.logger("test").create_log_record();
        record.set_timestamp(UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456));
        record.set_severity_number(Severity::Warn);
        record.set_severity_text("WARN");
        record.set_body("card flagged\nfor review".into());
        record.add_attribute("score", 0.91);
        record.set_trace_context(
            TraceId::from(0x4bf92f3577b34da6a3ce929d0e0e4736),
            SpanId::from(0x00f067aa0ba902b7),
            Some(TraceFlags::SAMPLED),
        );
        let mut text = String::new();
        describe(&mut text, "payment", &record);
        assert_eq!(
            text,
            "log WARN (payment) 1700000000.123456 trace 4bf92f3577b34da6a3ce929d0e0e4736 \
             span 00f067aa0ba902b7: card flagged for review score=0.91\n"
        );
    }
}
