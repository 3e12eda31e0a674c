//! One trace drawn as a block: a header line, then one line per span.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use opentelemetry::trace::SpanId;

use super::layout::{Columns, bar_cells};
use super::line::{Line, pad, truncate, width as text_width};
use super::logs::{LogLine, Pending, Placement};
use super::paint::{self, Paint};
use super::tree::Tree;
use super::{SpanRecord, critical, duration};

const FAILED: &str = "✗";
const SLOWEST: &str = "◀ slowest";
const BAR: &str = "█";

/// The block of one trace's spans, each line at most `width` columns wide,
/// with at most `logs_per_span` of its log lines under each span.
pub(crate) fn render(
    spans: Vec<&SpanRecord>,
    logs: Vec<&LogLine>,
    width: usize,
    color: bool,
    logs_per_span: usize,
) -> String {
    let tree = Tree::new(spans);
    let Some(axis) = Axis::of(&tree) else {
        return String::new();
    };
    // Why not for a lone span: it is trivially the slowest, and says nothing.
    let slowest = critical::slowest(&tree).filter(|_| tree.rows.len() > 1);
    let rows: Vec<Cells> = (0..tree.rows.len())
        .map(|row| Cells::new(&tree, row, slowest == Some(row)))
        .collect();
    let wanted = Columns {
        service: rows
            .iter()
            .map(|r| text_width(&r.service))
            .max()
            .unwrap_or(0),
        name: rows
            .iter()
            .map(|r| 2 * r.depth + text_width(&r.name))
            .max()
            .unwrap_or(0),
        bar: 0,
        duration: rows
            .iter()
            .map(|r| text_width(&r.duration))
            .max()
            .unwrap_or(0),
        marks: rows.iter().map(Cells::marks_width).max().unwrap_or(0),
    };
    let columns = Columns::fit(width, wanted);

    let mut by_span = logs_by_span(&tree, logs);
    let logs_drawn = match logs_per_span {
        0 => 0,
        _ => by_span.values().map(Vec::len).sum(),
    };

    let mut out = String::new();
    let mut header = header(&tree, &axis, width, logs_drawn);
    header.fit(width);
    header.write(&mut out, color);
    // The spans above this row whose log lines are not all drawn: a span's
    // lines go between its children's rows, in time order.
    let mut open: Vec<(usize, Pending<'_>)> = Vec::new();
    let write = |lines: Vec<Line>, out: &mut String| {
        for line in lines {
            line.write(out, color);
        }
    };
    for (cells, row) in rows.iter().zip(&tree.rows) {
        while let Some((_, mut done)) = open.pop_if(|(depth, _)| *depth >= row.depth) {
            write(done.rest(), &mut out);
        }
        if let Some((_, parent)) = open.last_mut() {
            write(parent.before(row.record.start), &mut out);
        }
        let mut line = cells.line(&columns, &axis, row.record);
        line.fit(width);
        line.write(&mut out, color);
        // Drawn once, under the first span with this id.
        let logs = by_span.remove(&row.record.span_id).unwrap_or_default();
        let service = if columns.service > 0 {
            columns.service + 1
        } else {
            0
        };
        let placement = Placement {
            indent: service + (2 * (row.depth + 1)).min(columns.name),
            width,
            axis_start: axis.start,
            per_span: logs_per_span,
        };
        open.push((row.depth, Pending::new(logs, placement)));
    }
    while let Some((_, mut done)) = open.pop() {
        write(done.rest(), &mut out);
    }
    out
}

/// The log lines of each drawn span; lines of spans not drawn are left out.
fn logs_by_span<'a>(tree: &Tree<'_>, logs: Vec<&'a LogLine>) -> HashMap<SpanId, Vec<&'a LogLine>> {
    let drawn: HashSet<SpanId> = tree.rows.iter().map(|r| r.record.span_id).collect();
    let mut by_span: HashMap<SpanId, Vec<&LogLine>> = HashMap::new();
    for log in logs.into_iter().filter(|log| drawn.contains(&log.span_id)) {
        by_span.entry(log.span_id).or_default().push(log);
    }
    by_span
}

/// The trace's shared time axis: from its earliest start to its latest end.
struct Axis {
    start: SystemTime,
    length: Duration,
}

impl Axis {
    fn of(tree: &Tree<'_>) -> Option<Axis> {
        let intervals = tree.rows.iter().map(|r| r.record.interval());
        let start = intervals.clone().map(|(s, _)| s).min()?;
        let end = intervals.map(|(_, e)| e).max()?;
        let length = end.duration_since(start).unwrap_or_default();
        Some(Axis { start, length })
    }

    fn offset(&self, at: SystemTime) -> u128 {
        at.duration_since(self.start).unwrap_or_default().as_nanos()
    }
}

/// `trace <id> · <n> spans[ · <n> logs] · <duration> · <services>`, the
/// services cut to the width, or left out when hardly any would show.
fn header(tree: &Tree<'_>, axis: &Axis, width: usize, logs: usize) -> Line {
    let first = tree.rows[0].record;
    let count = tree.rows.len();
    let plural = if count == 1 { "" } else { "s" };
    let mut text = format!("trace {} · {count} span{plural}", first.trace_id);
    if logs > 0 {
        let plural = if logs == 1 { "" } else { "s" };
        text.push_str(&format!(" · {logs} log{plural}"));
    }
    text.push_str(&format!(" · {}", duration::format(axis.length)));
    // Services in order of their first span's start.
    let mut by_start: Vec<_> = tree.rows.iter().map(|r| r.record).collect();
    by_start.sort_by_key(|r| r.start);
    let mut services: Vec<String> = Vec::new();
    for service in by_start.iter().filter_map(|r| r.service.as_deref()) {
        let service = clean(service);
        if !services.contains(&service) {
            services.push(service);
        }
    }
    let room = width.saturating_sub(text_width(&text) + 3);
    if !services.is_empty() && room >= 8 {
        text = format!("{text} · {}", truncate(&services.join(", "), room));
    }
    let mut line = Line::default();
    line.push(text, Paint::Bold);
    line
}

/// The text of one span line, before it is cut to the columns.
struct Cells {
    depth: usize,
    service: String,
    name: String,
    duration: String,
    slowest: bool,
    error: Option<String>,
}

impl Cells {
    fn new(tree: &Tree<'_>, row: usize, slowest: bool) -> Self {
        let row = &tree.rows[row];
        let (start, end) = row.record.interval();
        Cells {
            depth: row.depth,
            service: row.record.service.as_deref().map(clean).unwrap_or_default(),
            name: clean(&row.record.name),
            duration: duration::format(end.duration_since(start).unwrap_or_default()),
            slowest,
            error: row.record.error.as_deref().map(|e| match clean(e).trim() {
                "" => format!("{FAILED} error"),
                text => format!("{FAILED} {text}"),
            }),
        }
    }

    /// `◀ slowest ✗ <error>`, either part present or not.
    fn marks_width(&self) -> usize {
        let slowest = if self.slowest { text_width(SLOWEST) } else { 0 };
        let error = self.error.as_deref().map_or(0, text_width);
        slowest + error + usize::from(slowest > 0 && error > 0)
    }

    fn line(&self, columns: &Columns, axis: &Axis, record: &SpanRecord) -> Line {
        let service_paint = match self.service.as_str() {
            "" => Paint::Plain,
            name => paint::service(name),
        };
        let (text_paint, bar_paint) = match (&self.error, self.slowest) {
            (Some(_), _) => (Paint::Red, Paint::Red),
            (None, true) => (Paint::Yellow, service_paint),
            (None, false) => (Paint::Plain, service_paint),
        };
        let mut line = Line::default();
        if columns.service > 0 {
            line.push(pad(&self.service, columns.service), service_paint);
            line.push(" ", Paint::Plain);
        }
        // Deep trees keep at least a few columns of the name visible.
        let indent = (2 * self.depth).min(columns.name.saturating_sub(4));
        let name = format!("{}{}", " ".repeat(indent), self.name);
        line.push(pad(&name, columns.name), text_paint);
        line.push(" ", Paint::Plain);

        let (start, end) = record.interval();
        let (first, last) = bar_cells(
            axis.offset(start),
            axis.offset(end),
            axis.length.as_nanos(),
            columns.bar,
        );
        line.push(" ".repeat(first), Paint::Plain);
        line.push(BAR.repeat(last - first), bar_paint);
        line.push(" ".repeat(columns.bar - last), Paint::Plain);
        line.push(" ", Paint::Plain);

        let duration_paint = if self.slowest {
            Paint::Yellow
        } else {
            Paint::Dim
        };
        let duration = format!("{:>width$}", self.duration, width = columns.duration);
        line.push(duration, duration_paint);

        if columns.marks > 0 && self.marks_width() > 0 {
            line.push(" ", Paint::Plain);
            if self.slowest {
                line.push(SLOWEST, Paint::Yellow);
            }
            if let Some(error) = &self.error {
                if self.slowest {
                    line.push(" ", Paint::Plain);
                }
                // Cut to the width with the rest of the line, by `fit`.
                line.push(error.as_str(), Paint::Red);
            }
        }
        line
    }
}

/// Control chars (newlines, tabs, escapes) as spaces: one record can neither
/// break a line nor slip an escape code into the plain output.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
