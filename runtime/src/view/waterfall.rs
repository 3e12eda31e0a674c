//! The collection of spans to draw, and the settings to draw them with.

use std::collections::HashMap;
use std::io::Write;
use std::time::SystemTime;

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::trace::SpanData;

use super::tree::Tree;
use super::{LogLine, SpanRecord, block, critical, terminal};

/// Log lines drawn under each span unless [`Waterfall::logs_per_span`] says otherwise.
const DEFAULT_LOGS_PER_SPAN: usize = 10;

/// Finished spans, drawn as one waterfall block per trace.
///
/// Add spans with [`add`](Self::add), [`add_service`](Self::add_service) or
/// [`add_record`](Self::add_record), then [`render`](Self::render) or
/// [`print`](Self::print). A span added twice (same trace and span id)
/// replaces the first. Log records added with [`add_log`](Self::add_log)
/// or [`add_log_line`](Self::add_log_line) are drawn under their span.
///
/// Width and colour default to what stdout allows, read when rendering;
/// set both for output that depends on the spans alone.
#[derive(Clone, Debug, Default)]
pub struct Waterfall {
    records: Vec<SpanRecord>,
    /// Where each span is in `records`, to replace a span added again.
    index: HashMap<(TraceId, SpanId), usize>,
    logs: Vec<LogLine>,
    logs_per_span: Option<usize>,
    width: Option<usize>,
    color: Option<bool>,
}

impl Waterfall {
    /// An empty waterfall with terminal defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an SDK span, without a service name.
    pub fn add(&mut self, span: &SpanData) -> &mut Self {
        self.add_record(SpanRecord::from(span))
    }

    /// Adds SDK spans that all come from `service` (a [`SpanData`] does not
    /// carry its resource, so the caller names it).
    pub fn add_service<'a>(
        &mut self,
        service: &str,
        spans: impl IntoIterator<Item = &'a SpanData>,
    ) -> &mut Self {
        for span in spans {
            self.add_record(SpanRecord::from_span_data(span, Some(service)));
        }
        self
    }

    /// Adds a span record, replacing one with the same trace and span id.
    pub fn add_record(&mut self, record: SpanRecord) -> &mut Self {
        let key = (record.trace_id, record.span_id);
        match self.index.get(&key) {
            Some(&at) => self.records[at] = record,
            None => {
                self.index.insert(key, self.records.len());
                self.records.push(record);
            }
        }
        self
    }

    /// Adds a log line, drawn under its span (its trace and span id) as
    /// `+offset LEVEL message`, the offset from the trace's start. A line
    /// whose span is not drawn is left out.
    pub fn add_log_line(&mut self, line: LogLine) -> &mut Self {
        self.logs.push(line);
        self
    }

    /// Adds an SDK log record (from a log exporter, or
    /// `traced::testing::Capture::logs`); a record written
    /// outside any span is left out.
    pub fn add_log(&mut self, record: &opentelemetry_sdk::logs::SdkLogRecord) -> &mut Self {
        if let Some(line) = LogLine::from_log_record(record) {
            self.logs.push(line);
        }
        self
    }

    /// At most this many log lines under each span, earliest first, and a
    /// line counting the rest (default 10; 0 draws no logs).
    pub fn logs_per_span(&mut self, lines: usize) -> &mut Self {
        self.logs_per_span = Some(lines);
        self
    }

    /// The width of every line, in columns (from 40 to 1000). Default: the
    /// width of stdout's terminal, else `$COLUMNS`, else 100.
    pub fn width(&mut self, columns: usize) -> &mut Self {
        self.width = Some(terminal::clamp(columns));
        self
    }

    /// Whether to colour with ANSI codes. Default: only when stdout is a
    /// terminal and `NO_COLOR` is unset or empty.
    pub fn color(&mut self, on: bool) -> &mut Self {
        self.color = Some(on);
        self
    }

    /// The traces, in the order of their first span's start.
    pub fn trace_ids(&self) -> Vec<TraceId> {
        let mut first: HashMap<TraceId, SystemTime> = HashMap::new();
        for record in &self.records {
            first
                .entry(record.trace_id)
                .and_modify(|start| *start = (*start).min(record.start))
                .or_insert(record.start);
        }
        let mut traces: Vec<_> = first.into_iter().collect();
        // Why the id: traces starting together still get one fixed order.
        traces.sort_by_key(|&(trace, start)| (start, trace.to_bytes()));
        traces.into_iter().map(|(trace, _)| trace).collect()
    }

    /// Every trace, one block each in the order of [`trace_ids`](Self::trace_ids),
    /// separated by a blank line. Empty when there are no spans.
    pub fn render(&self) -> String {
        let (width, color) = self.settings();
        // Grouped once, so that many traces cost no more than one.
        let mut by_trace: HashMap<TraceId, Vec<&SpanRecord>> = HashMap::new();
        for record in &self.records {
            by_trace.entry(record.trace_id).or_default().push(record);
        }
        let mut logs_by_trace: HashMap<TraceId, Vec<&LogLine>> = HashMap::new();
        for log in &self.logs {
            logs_by_trace.entry(log.trace_id).or_default().push(log);
        }
        let blocks: Vec<String> = self
            .trace_ids()
            .into_iter()
            .filter_map(|trace| {
                let logs = logs_by_trace.remove(&trace).unwrap_or_default();
                Some((by_trace.remove(&trace)?, logs))
            })
            .map(|(spans, logs)| block::render(spans, logs, width, color, self.per_span()))
            .collect();
        blocks.join("\n")
    }

    /// The block of one trace: a header line, then one line per span. Empty
    /// when no span belongs to `trace`.
    pub fn render_trace(&self, trace: TraceId) -> String {
        let (width, color) = self.settings();
        let logs = self.logs.iter().filter(|l| l.trace_id == trace).collect();
        block::render(self.spans(trace), logs, width, color, self.per_span())
    }

    /// The slowest span of the trace's critical path: the span with the most
    /// time on the path that is its own, not its children's (see the
    /// [module docs](super) for the definitions). `None` when no span
    /// belongs to `trace`.
    pub fn slowest(&self, trace: TraceId) -> Option<&SpanRecord> {
        let tree = Tree::new(self.spans(trace));
        critical::slowest(&tree).map(|row| tree.rows[row].record)
    }

    /// Writes [`render`](Self::render) to stdout. Write errors (a closed
    /// pipe) are ignored: this is a view, not data.
    pub fn print(&self) {
        let _ = std::io::stdout().lock().write_all(self.render().as_bytes());
    }

    /// Width and colour as set, else as stdout allows.
    fn settings(&self) -> (usize, bool) {
        let width = self.width.unwrap_or_else(terminal::width);
        (width, self.color.unwrap_or_else(terminal::color))
    }

    fn per_span(&self) -> usize {
        self.logs_per_span.unwrap_or(DEFAULT_LOGS_PER_SPAN)
    }

    fn spans(&self, trace: TraceId) -> Vec<&SpanRecord> {
        self.records
            .iter()
            .filter(|r| r.trace_id == trace)
            .collect()
    }
}
