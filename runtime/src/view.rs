//! Finished spans drawn as a waterfall in the terminal.
//!
//! Each trace is a block: a header line (trace id, span count, total
//! duration, services), then one line per span in tree order, with its
//! service, its name indented two spaces per level, a bar on the trace's
//! time axis, its duration and its marks:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use opentelemetry::trace::{SpanId, TraceId};
//! use traced::view::{SpanRecord, Waterfall};
//!
//! let at = |ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
//! let span = |id, parent, service: &str, name: &str, start, end| SpanRecord {
//!     trace_id: TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
//!     span_id: SpanId::from(id),
//!     parent_span_id: SpanId::from(parent),
//!     service: Some(service.into()),
//!     name: name.into(),
//!     start: at(start),
//!     end: at(end),
//!     error: None,
//! };
//! let mut waterfall = Waterfall::new();
//! waterfall
//!     .add_record(span(1, 0, "shop", "GET /cart", 0, 120))
//!     .add_record(span(2, 1, "shop", "load_cart", 5, 35))
//!     .add_record(span(3, 1, "prices", "price_items", 40, 115))
//!     .add_record(SpanRecord {
//!         error: Some("coupon expired".into()),
//!         ..span(4, 3, "prices", "apply_coupon", 42, 50)
//!     })
//!     .add_record(span(5, 3, "prices", "fetch_rates", 52, 110))
//!     .width(72)
//!     .color(false);
//!
//! assert_eq!(waterfall.render(), "\
//! trace 4bf92f3577b34da6a3ce929d0e0e4736 · 5 spans · 120 ms · shop, prices
//! shop   GET /cart        ███████████████████████  120 ms
//! shop     load_cart      ███████                 30.0 ms
//! prices   price_items           ████████████████ 75.0 ms
//! prices     apply_coupon         ██              8.00 ms ✗ coupon expired
//! prices     fetch_rates           █████████████  58.0 ms ◀ slowest
//! ");
//! ```
//!
//! # How it is drawn
//!
//! - **Tree.** Children are listed under their parent, by start time. A span
//!   whose parent is not among the spans (a remote parent, or one not
//!   exported) is a root of the block. Bad data cannot hang or crash it:
//!   each span is drawn once, and spans whose parents form a cycle are drawn
//!   after the other roots.
//! - **Time axis.** Every bar of a block is on the same axis, from the
//!   trace's earliest start to its latest end, so bars line up between
//!   lines; a span gets at least one cell however short it is.
//! - **Durations** have three significant digits in the unit that keeps
//!   them under 1000: `850 µs`, `12.3 ms`, `1.20 s`.
//! - **Failed spans** (status `Error`) are marked `✗` followed by the error
//!   description.
//! - **Slowest span.** The *critical path* is the chain of spans the
//!   trace's end waited on. It starts at the root that ends last (the
//!   longest, on a tie) and walks back from the root's end: the child that
//!   ended last (clipped to its parent), then the latest-ending child that
//!   ended before that one started, and so on; each chosen child is walked
//!   the same way, and the gaps between chosen children are the parent's own
//!   time. Children that ran alongside a chosen one are off the path; what a
//!   child did outside its parent's interval (clock skew) does not count.
//!   A span's *critical self time* is the time the path spends in it and in
//!   none of its children; the *slowest span* is the one with the most
//!   (the one nearest the root on a tie): where the trace did work rather
//!   than wait. It is marked `◀ slowest` (not in a trace of one span) and
//!   returned by [`Waterfall::slowest`].
//! - **Width.** No line is wider than the width, in terminal columns: text
//!   is measured by its display width (a CJK char or an emoji takes two
//!   columns) and cut only between chars, so a wide char is never split.
//!   The bar gets what the text columns leave; while that is under a quarter
//!   of the width, error texts, then names, then services are cut with `…`
//!   (each to no less than its share), and further still if the bar would
//!   get under 10 cells. Durations are never cut.
//! - **Colour** (ANSI) only when enabled: failed spans red, the slowest
//!   yellow, each service's bars in a colour derived from its name. With
//!   colour off the output holds no escape code; control chars in names and
//!   errors are drawn as spaces.
//! - **Deterministic.** With width and colour set, the output depends on the
//!   spans alone: nothing reads a clock.
//!
//! # Logs under their spans
//!
//! Log records written while a span was current are drawn under it, one
//! line each, indented like its children and in time order among their
//! rows: the time since the trace started, the level, the message. Up to 10
//! per span, earliest first, then a line counting the rest
//! ([`Waterfall::logs_per_span`]); each is cut to the width like every
//! line, none is drawn where fewer than 8 columns would be left for the
//! message, and records of spans not drawn are left out. The header counts
//! the records of the block's spans.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use opentelemetry::trace::{SpanId, TraceId};
//! use traced::view::{LogLine, SpanRecord, Waterfall};
//!
//! let at = |ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
//! let trace_id = TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736);
//! let span = |id, parent, name: &str, start, end| SpanRecord {
//!     trace_id,
//!     span_id: SpanId::from(id),
//!     parent_span_id: SpanId::from(parent),
//!     service: None,
//!     name: name.into(),
//!     start: at(start),
//!     end: at(end),
//!     error: None,
//! };
//! let log = |span, ms, level: &str, message: &str| LogLine {
//!     trace_id,
//!     span_id: SpanId::from(span),
//!     time: at(ms),
//!     level: level.into(),
//!     message: message.into(),
//! };
//! let mut waterfall = Waterfall::new();
//! waterfall
//!     .add_record(span(1, 0, "charge", 0, 40))
//!     .add_record(span(2, 1, "fraud_check", 5, 35))
//!     .add_log_line(log(1, 2, "INFO", "charging card=…9235"))
//!     .add_log_line(log(2, 30, "WARN", "card flagged for review score=0.91"))
//!     .add_log_line(log(1, 38, "INFO", "charged amount=1999"))
//!     .width(72)
//!     .color(false);
//!
//! assert_eq!(waterfall.render(), "\
//! trace 4bf92f3577b34da6a3ce929d0e0e4736 · 2 spans · 3 logs · 40.0 ms
//! charge        ████████████████████████████████████████ 40.0 ms
//!   +2.00 ms INFO  charging card=…9235
//!   fraud_check      ██████████████████████████████      30.0 ms ◀ slowest
//!     +30.0 ms WARN  card flagged for review score=0.91
//!   +38.0 ms INFO  charged amount=1999
//! ");
//! ```
//!
//! [`Waterfall::add_log`] takes the SDK's log records, as a log exporter
//! gets them and `traced::testing::Capture::logs` returns them.
//!
//! Spans come as SDK [`SpanData`] (from an exporter, or
//! `InMemorySpanExporter` in tests), or as [`SpanRecord`]s built by hand,
//! for example from OTLP spans received over the wire.

use opentelemetry_sdk::trace::SpanData;

mod block;
mod critical;
mod duration;
mod layout;
mod line;
mod logs;
mod paint;
mod record;
mod terminal;
mod tree;
mod waterfall;

pub use logs::LogLine;
pub use record::SpanRecord;
pub use waterfall::Waterfall;

/// The waterfall of `spans` at width 100, without colour.
pub fn render(spans: &[SpanData]) -> String {
    let mut waterfall = Waterfall::new();
    for span in spans {
        waterfall.add(span);
    }
    waterfall.width(100).color(false).render()
}

/// Prints the waterfall of `spans` to stdout, sized and coloured for it.
pub fn print(spans: &[SpanData]) {
    let mut waterfall = Waterfall::new();
    for span in spans {
        waterfall.add(span);
    }
    waterfall.print();
}
