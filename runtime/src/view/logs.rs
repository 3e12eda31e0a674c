//! Log lines drawn under the span they were written in.

use std::time::SystemTime;

use opentelemetry::trace::{SpanId, TraceId};

use super::duration;
use super::line::{Line, pad, width as text_width};
use super::paint::Paint;

/// One log record, as the waterfall draws it under its span.
///
/// Build it from an SDK log record with [`LogLine::from_log_record`], or
/// by hand from records that arrived some other way, such as OTLP protobuf
/// logs received over the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// The trace of the span the record was written in.
    pub trace_id: TraceId,
    /// The span it was written in; a record whose span is not drawn is left out.
    pub span_id: SpanId,
    /// When it was written.
    pub time: SystemTime,
    /// The level as written, such as `INFO`, `WARN` or `ERROR`.
    pub level: String,
    /// The message, with any fields after it.
    pub message: String,
}

impl LogLine {
    /// The line of an SDK log record: its body, then its attributes as
    /// `key=value`, at its timestamp (else the time it was observed).
    /// `None` for a record written outside any span.
    pub fn from_log_record(record: &opentelemetry_sdk::logs::SdkLogRecord) -> Option<Self> {
        let context = record.trace_context()?;
        use crate::log_record::any_value_text;
        let mut message = record.body().map(any_value_text).unwrap_or_default();
        for (key, value) in record.attributes_iter() {
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(&format!("{key}={}", any_value_text(value)));
        }
        let level = match (record.severity_text(), record.severity_number()) {
            (Some(text), _) => text.to_owned(),
            (None, Some(severity)) => severity.name().to_owned(),
            (None, None) => String::new(),
        };
        Some(LogLine {
            trace_id: context.trace_id,
            span_id: context.span_id,
            time: record
                .timestamp()
                .or(record.observed_timestamp())
                .unwrap_or(SystemTime::UNIX_EPOCH),
            level,
            message,
        })
    }
}

/// A line shows no log text with fewer columns left than this for it.
const MIN_MESSAGE: usize = 8;

/// The widest level name (`ERROR`, `DEBUG`, `TRACE`), so messages line up.
const LEVEL_WIDTH: usize = 5;

/// The widest offset below 1000 s: `+12.3 ms`.
const OFFSET_WIDTH: usize = 8;

/// Where the log lines of a span go on the page.
pub(crate) struct Placement {
    /// Columns before the log text: the service column, and the span's
    /// name indent one level deeper.
    pub(crate) indent: usize,
    /// The line width.
    pub(crate) width: usize,
    /// The start of the trace's time axis, which times are offsets from.
    pub(crate) axis_start: SystemTime,
    /// At most this many lines per span; the rest are counted in one line.
    pub(crate) per_span: usize,
}

/// One span's log lines, earliest first, handed out in time order between
/// its children's rows: `+offset LEVEL message`, cut to the width.
pub(crate) struct Pending<'a> {
    logs: Vec<&'a LogLine>,
    next: usize,
    at: Placement,
}

impl<'a> Pending<'a> {
    /// Nothing is drawn when the width leaves no room for the text, or the
    /// limit is 0.
    pub(crate) fn new(mut logs: Vec<&'a LogLine>, at: Placement) -> Self {
        let prefix = at.indent + OFFSET_WIDTH + 1 + LEVEL_WIDTH + 1;
        if at.per_span == 0 || at.width < prefix + MIN_MESSAGE {
            logs.clear();
        }
        // Stable, so records written at the same instant keep their order.
        logs.sort_by_key(|log| log.time);
        Pending { logs, next: 0, at }
    }

    /// The lines written before `time` (when the next child span started)
    /// that are not drawn yet.
    pub(crate) fn before(&mut self, time: SystemTime) -> Vec<Line> {
        let end = self.next + self.logs[self.next..].partition_point(|log| log.time < time);
        self.take(end)
    }

    /// Every line not drawn yet, then the count of those over the limit.
    pub(crate) fn rest(&mut self) -> Vec<Line> {
        let mut lines = self.take(self.logs.len());
        let hidden = self.logs.len().saturating_sub(self.at.per_span);
        if hidden > 0 {
            let mut more = Line::default();
            let plural = if hidden == 1 { "" } else { "s" };
            more.push(" ".repeat(self.at.indent), Paint::Plain)
                .push(format!("… {hidden} more log line{plural}"), Paint::Dim);
            more.fit(self.at.width);
            lines.push(more);
        }
        lines
    }

    /// The lines up to `end`, as far as the limit allows.
    fn take(&mut self, end: usize) -> Vec<Line> {
        let shown = self.next.min(self.at.per_span)..end.min(self.at.per_span);
        self.next = self.next.max(end);
        self.logs[shown]
            .iter()
            .map(|log| {
                let mut line = line(log, &self.at);
                line.fit(self.at.width);
                line
            })
            .collect()
    }
}

fn line(log: &LogLine, at: &Placement) -> Line {
    let offset = match log.time.duration_since(at.axis_start) {
        Ok(after) => format!("+{}", duration::format(after)),
        // A clock that disagrees with the spans' (another host).
        Err(before) => format!("-{}", duration::format(before.duration())),
    };
    // Right-aligned, so the levels of a span's lines line up.
    let offset = format!("{offset:>OFFSET_WIDTH$}");
    let level = clean(&log.level);
    let level_paint = match level.to_ascii_uppercase().as_str() {
        l if l.starts_with("ERROR") || l.starts_with("FATAL") => Paint::Red,
        l if l.starts_with("WARN") => Paint::Yellow,
        _ => Paint::Dim,
    };
    let mut line = Line::default();
    line.push(" ".repeat(at.indent), Paint::Plain)
        .push(offset, Paint::Dim)
        .push(" ", Paint::Plain)
        .push(
            pad(&level, LEVEL_WIDTH.max(text_width(&level))),
            level_paint,
        )
        .push(" ", Paint::Plain)
        .push(clean(&log.message), Paint::Plain);
    line
}

/// Control chars (a multi-line message, an escape) as spaces, as in span names.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
