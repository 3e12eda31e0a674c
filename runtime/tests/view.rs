//! The waterfall of a fixed set of spans: snapshots of the drawing, and the
//! properties every drawing must have.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use opentelemetry::Context;
use opentelemetry::trace::{
    Span, SpanContext, SpanId, Status, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer,
    TracerProvider,
};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use traced::view::{self, SpanRecord, Waterfall};

const CHECKOUT: TraceId =
    TraceId::from_bytes(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128.to_be_bytes());
const NIGHTLY: TraceId =
    TraceId::from_bytes(0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c_u128.to_be_bytes());
/// The parent of the worker's span: in another process, not among the spans.
const REMOTE_PARENT: SpanId = SpanId::from_bytes(0x00f0_67aa_0ba9_02b7_u64.to_be_bytes());
const DECLINED: &str = "card declined: insufficient funds";

/// A span of `trace` from `start` to `end` milliseconds after the epoch.
fn span(
    trace: TraceId,
    id: u64,
    parent: SpanId,
    service: &str,
    name: &str,
    start: u64,
    end: u64,
) -> SpanRecord {
    let at = |ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
    SpanRecord {
        trace_id: trace,
        span_id: SpanId::from(id),
        parent_span_id: parent,
        service: Some(service.into()),
        name: name.into(),
        start: at(start),
        end: at(end),
        error: None,
    }
}

/// A checkout across three services, where the payment service checks for
/// fraud (slowly) while the card is declined; then a nightly job started
/// from a remote parent.
fn spans() -> Vec<SpanRecord> {
    let root = SpanId::INVALID;
    let id = SpanId::from;
    let checkout =
        |i, parent, service, name, start, end| span(CHECKOUT, i, parent, service, name, start, end);
    let nightly =
        |i, parent, service, name, start, end| span(NIGHTLY, i, parent, service, name, start, end);
    vec![
        checkout(0x11, root, "gateway", "POST /checkout", 0, 480),
        checkout(0x12, id(0x11), "gateway", "authenticate", 5, 25),
        checkout(0x13, id(0x11), "inventory", "reserve_items", 30, 110),
        checkout(
            0x14,
            id(0x13),
            "inventory",
            "SELECT stock FROM warehouse_items WHERE sku = ANY($1) FOR UPDATE",
            34,
            96,
        ),
        checkout(0x15, id(0x11), "payment", "charge", 120, 470),
        SpanRecord {
            error: Some(DECLINED.into()),
            ..checkout(0x16, id(0x15), "payment", "authorize_card", 125, 175)
        },
        checkout(0x17, id(0x15), "payment", "fraud_check", 125, 460),
        checkout(0x18, id(0x17), "payment", "load_rules", 130, 160),
        nightly(
            0x21,
            REMOTE_PARENT,
            "worker",
            "reindex_catalog",
            2_000,
            3_250,
        ),
        nightly(0x22, id(0x21), "worker", "scan", 2_010, 2_600),
        nightly(0x23, id(0x21), "search", "bulk_upsert", 2_600, 3_240),
    ]
}

fn waterfall(width: usize, color: bool) -> Waterfall {
    let mut waterfall = Waterfall::new();
    for record in spans() {
        waterfall.add_record(record);
    }
    waterfall.width(width).color(color);
    waterfall
}

#[test]
fn snapshot_width_100() {
    insta::assert_snapshot!(waterfall(100, false).render());
}

#[test]
fn snapshot_width_60() {
    insta::assert_snapshot!(waterfall(60, false).render());
}

#[test]
fn snapshot_colored() {
    // Escapes made visible so the snapshot file stays readable.
    let colored = waterfall(100, true).render().replace('\x1b', "␛");
    insta::assert_snapshot!(colored);
}

#[test]
fn no_line_is_wider_than_the_width() {
    use unicode_width::UnicodeWidthStr;

    for width in [40, 41, 55, 60, 73, 80, 100, 120, 200] {
        let text = waterfall(width, false).render();
        for line in text.lines() {
            assert!(line.width() <= width, "{width}: {line:?}");
        }
    }
    // Narrower than the minimum draws at the minimum.
    let text = waterfall(10, false).render();
    assert!(text.lines().all(|l| l.width() <= 40));
}

#[test]
fn bars_share_the_time_axis() {
    let text = waterfall(100, false).render_trace(CHECKOUT);
    let bar = |line: &str| {
        let cells: Vec<char> = line.chars().collect();
        let first = cells.iter().position(|&c| c == '█').unwrap();
        let last = cells.iter().rposition(|&c| c == '█').unwrap();
        (first, last)
    };
    let bar_of = |name: &str| bar(text.lines().find(|l| l.contains(name)).unwrap());
    // The root covers the whole axis; every other bar lies inside it.
    let (axis_start, axis_end) = bar_of("POST /checkout");
    for line in text.lines().skip(1) {
        let (first, last) = bar(line);
        assert!(axis_start <= first && last <= axis_end, "{line}");
    }
    // Later spans start further right, on the same scale on every line.
    assert!(bar_of("authenticate").0 < bar_of("reserve_items").0);
    assert!(bar_of("reserve_items").0 < bar_of("charge").0);
    assert_eq!(bar_of("authorize_card").0, bar_of("fraud_check").0);
    assert!(bar_of("fraud_check").1 <= bar_of("charge").1);
}

#[test]
fn the_slowest_mark_is_on_fraud_check() {
    let waterfall = waterfall(100, false);
    assert_eq!(waterfall.slowest(CHECKOUT).unwrap().name, "fraud_check");
    let text = waterfall.render();
    let marked: Vec<_> = text.lines().filter(|l| l.contains("◀ slowest")).collect();
    assert_eq!(marked.len(), 2, "one per trace:\n{text}");
    assert!(marked[0].contains("fraud_check"), "{text}");
    assert_eq!(waterfall.slowest(NIGHTLY).unwrap().name, "bulk_upsert");
}

#[test]
fn failed_spans_show_their_error() {
    let text = waterfall(200, false).render();
    let line = text.lines().find(|l| l.contains("authorize_card")).unwrap();
    assert!(line.ends_with(&format!("✗ {DECLINED}")), "{line}");
    // Narrower, the text is cut, never dropped.
    let narrow = waterfall(60, false).render();
    let line = narrow
        .lines()
        .find(|l| l.contains("authorize_card"))
        .unwrap();
    assert!(line.contains("✗ card") && line.ends_with('…'), "{line}");
}

#[test]
fn a_span_with_a_remote_parent_is_a_root() {
    let text = waterfall(100, false).render_trace(NIGHTLY);
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[1].starts_with("worker reindex_catalog"), "{text}");
    assert!(lines[2].starts_with("worker   scan"), "{text}");
}

#[test]
fn traces_are_ordered_by_start() {
    assert_eq!(waterfall(100, false).trace_ids(), [CHECKOUT, NIGHTLY]);
    let text = waterfall(100, false).render();
    let headers: Vec<_> = text.lines().filter(|l| l.starts_with("trace ")).collect();
    assert_eq!(headers.len(), 2);
    assert!(headers[0].contains(&CHECKOUT.to_string()));
    assert_eq!(
        headers[0],
        format!("trace {CHECKOUT} · 8 spans · 480 ms · gateway, inventory, payment")
    );
}

#[test]
fn colour_only_when_asked() {
    assert!(!waterfall(100, false).render().contains('\x1b'));
    assert!(waterfall(100, true).render().contains("\x1b[31m"));
}

#[test]
fn bad_parents_neither_loop_nor_panic() {
    let trace = TraceId::from(7);
    let mut waterfall = Waterfall::new();
    waterfall
        .width(80)
        .color(false)
        // A cycle: 1 → 2 → 1, and a span that is its own parent.
        .add_record(span(trace, 1, SpanId::from(2), "a", "first", 0, 10))
        .add_record(span(trace, 2, SpanId::from(1), "a", "second", 2, 8))
        .add_record(span(trace, 3, SpanId::from(3), "a", "self", 4, 6))
        // Added twice: the second replaces the first.
        .add_record(span(trace, 4, SpanId::INVALID, "a", "old", 0, 1))
        .add_record(span(trace, 4, SpanId::INVALID, "a", "new", 0, 1));
    let text = waterfall.render();
    for name in ["first", "second", "self", "new"] {
        assert_eq!(text.matches(name).count(), 1, "{name}:\n{text}");
    }
    assert!(!text.contains("old"), "{text}");
    assert!(waterfall.slowest(trace).is_some());
}

#[test]
fn nothing_to_draw() {
    let waterfall = Waterfall::new();
    assert_eq!(waterfall.render(), "");
    assert_eq!(waterfall.slowest(CHECKOUT), None);
    assert_eq!(view::render(&[]), "");
}

/// Collects what the SDK exports.
#[derive(Clone, Debug, Default)]
struct Collect(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Collect {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }
}

#[test]
fn records_from_real_sdk_spans() {
    let exported = Collect::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exported.clone())
        .build();
    let tracer = provider.tracer("view-test");
    tracer.in_span("parent", |_| {
        let mut child = tracer.start("child");
        child.set_status(Status::error("boom"));
        child.end();
    });
    let remote = SpanContext::new(
        CHECKOUT,
        REMOTE_PARENT,
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let cx = Context::new().with_remote_span_context(remote);
    tracer.start_with_context("from afar", &cx).end();
    let spans = exported.0.lock().unwrap().clone();

    let find = |name: &str| spans.iter().find(|s| s.name == name).unwrap();
    let parent = SpanRecord::from_span_data(find("parent"), Some("api"));
    let child = SpanRecord::from(find("child"));
    let remote = SpanRecord::from(find("from afar"));
    assert_eq!(parent.parent_span_id, SpanId::INVALID);
    assert_eq!(parent.service.as_deref(), Some("api"));
    assert_eq!(parent.error, None);
    assert_eq!(child.trace_id, parent.trace_id);
    assert_eq!(child.parent_span_id, parent.span_id);
    assert_eq!(child.service, None);
    assert_eq!(child.error.as_deref(), Some("boom"));
    assert_eq!(
        (remote.trace_id, remote.parent_span_id),
        (CHECKOUT, REMOTE_PARENT)
    );
    assert!(parent.start <= child.start && child.end <= parent.end);

    let text = view::render(&spans);
    assert!(text.contains("✗ boom"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("from afar")), "{text}");
    let mut waterfall = Waterfall::new();
    waterfall.add_service("api", &spans).width(80).color(false);
    assert!(
        waterfall
            .render()
            .lines()
            .any(|l| l.starts_with("api parent"))
    );
    assert_eq!(waterfall.trace_ids().len(), 2);
}

/// A waterfall of one trace's `(id, parent, name, start, end)` spans, all of
/// service `svc`, at width 100 without colour.
fn one_trace(spans: &[(u64, u64, &str, u64, u64)]) -> (Waterfall, TraceId) {
    let trace = TraceId::from(0x5eed);
    let mut waterfall = Waterfall::new();
    for &(id, parent, name, start, end) in spans {
        let parent = SpanId::from(parent);
        waterfall.add_record(span(trace, id, parent, "svc", name, start, end));
    }
    waterfall.width(100).color(false);
    (waterfall, trace)
}

/// The one line marked `◀ slowest`.
fn marked_line(waterfall: &Waterfall) -> String {
    let text = waterfall.render();
    let marked: Vec<_> = text.lines().filter(|l| l.contains("◀ slowest")).collect();
    assert_eq!(marked.len(), 1, "{text}");
    marked[0].to_owned()
}

#[test]
fn an_earlier_sequential_sibling_is_on_the_critical_path() {
    // The root waited 380 ms on the query, then 10 ms on rendering: the
    // query, not the root's 10 ms of its own, is where the time went.
    let (waterfall, trace) = one_trace(&[
        (1, 0, "GET /report", 0, 400),
        (2, 1, "slow_query", 10, 390),
        (3, 1, "render", 390, 400),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "slow_query");
    assert!(marked_line(&waterfall).contains("slow_query"));

    // Three steps one after another, the first the slowest; a gap between
    // two of them is the parent's own time.
    let (waterfall, trace) = one_trace(&[
        (1, 0, "handle", 0, 100),
        (2, 1, "load", 0, 50),
        (3, 1, "compute", 60, 90),
        (4, 1, "store", 90, 100),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "load");
}

#[test]
fn of_overlapping_children_the_path_follows_the_one_waited_on() {
    // `fetch_a` has the most time of its own, but the parent waited on
    // `fetch_b`, which ended last, and nothing ended before `fetch_b`
    // started: `fetch_a` is off the critical path.
    let (waterfall, trace) = one_trace(&[
        (1, 0, "fan_out", 0, 100),
        (2, 1, "fetch_a", 2, 80),
        (3, 1, "fetch_b", 30, 98),
        (4, 1, "fetch_c", 10, 40),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "fetch_b");

    // Parallel work after a sequential step: the step is on the path too.
    let (waterfall, trace) = one_trace(&[
        (1, 0, "fan_out", 0, 100),
        (2, 1, "prepare", 0, 40),
        (3, 1, "fetch_a", 40, 70),
        (4, 1, "fetch_b", 45, 75),
        (5, 1, "merge", 75, 100),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "prepare");
}

#[test]
fn a_child_ending_after_its_parent_counts_only_inside_it() {
    // Clock skew: `remote` ends 100 ms after its parent. Only its 40 ms
    // inside the parent are on the path, less than `local`'s 60 ms.
    let (waterfall, trace) = one_trace(&[
        (1, 0, "call", 100, 200),
        (2, 1, "local", 100, 160),
        (3, 1, "remote", 160, 300),
        (4, 3, "remote_work", 170, 290),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "local");

    // And one starting before its parent counts from the parent's start.
    let (waterfall, trace) = one_trace(&[
        (1, 0, "call", 100, 200),
        (2, 1, "early", 0, 130),
        (3, 1, "late", 130, 200),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "late");
}

#[test]
fn odd_intervals_neither_loop_nor_panic() {
    // Zero-length spans, equal intervals, an end before its start, children
    // entirely outside their parent.
    let (waterfall, trace) = one_trace(&[
        (1, 0, "root", 10, 10),
        (2, 1, "same_a", 10, 10),
        (3, 1, "same_b", 10, 10),
        (4, 1, "backwards", 50, 5),
        (5, 1, "after", 20, 30),
        (6, 1, "before", 0, 5),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "root");
    waterfall.render();

    let (waterfall, trace) = one_trace(&[
        (1, 0, "root", 0, 100),
        (2, 1, "twin", 10, 90),
        (3, 1, "twin", 10, 90),
        (4, 2, "inner", 10, 90),
        (5, 3, "inner", 10, 90),
    ]);
    assert_eq!(waterfall.slowest(trace).unwrap().name, "inner");

    // A chain far deeper than any stack would allow to recurse through.
    let deep: Vec<_> = (1..=100_000u64)
        .map(|id| (id, id - 1, "level", id, 300_000 - id))
        .collect();
    let (waterfall, trace) = one_trace(&deep);
    assert_eq!(
        waterfall.slowest(trace).unwrap().span_id,
        SpanId::from(100_000)
    );
}

/// Service and span names in CJK, with emoji (wide, and sequences whose
/// width is not the sum of their chars').
fn wide_waterfall(width: usize) -> Waterfall {
    let trace = TraceId::from(0x0cf5);
    let id = SpanId::from;
    let wide =
        |i, parent, service, name, start, end| span(trace, i, parent, service, name, start, end);
    let mut waterfall = Waterfall::new();
    for record in [
        wide(
            1,
            SpanId::INVALID,
            "注文サービス",
            "POST /注文を確定する",
            0,
            300,
        ),
        wide(2, id(1), "在庫", "在庫を確認する🛒", 0, 40),
        wide(3, id(1), "支付服务", "❤️ 收藏夹同步", 0, 250),
        SpanRecord {
            error: Some("卡被拒绝：余额不足 👨‍👩‍👧 家庭套餐".into()),
            ..wide(4, id(3), "支付服务", "👨‍👩‍👧 家庭套餐", 0, 200)
        },
        wide(
            5,
            id(4),
            "🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥",
            "⌚\u{fe0e}時計",
            0,
            190,
        ),
    ] {
        waterfall.add_record(record);
    }
    waterfall.width(width).color(false);
    waterfall
}

#[test]
fn wide_chars_never_overflow_the_width() {
    use unicode_width::UnicodeWidthStr;

    for width in 40..=120 {
        let text = wide_waterfall(width).render();
        // Every span starts at 0, so every bar starts in the same column
        // when the text before it is padded by display width.
        let mut bar_columns = Vec::new();
        for line in text.lines() {
            assert!(line.width() <= width, "{width}: {} {line:?}", line.width());
            if let Some(at) = line.find('█') {
                bar_columns.push(line[..at].width());
            }
        }
        assert_eq!(bar_columns.len(), 5, "{width}:\n{text}");
        assert!(
            bar_columns.iter().all(|&c| c == bar_columns[0]),
            "{width}: {bar_columns:?}\n{text}"
        );
    }
    // Wide enough, nothing is cut.
    let text = wide_waterfall(160).render();
    assert!(text.contains("POST /注文を確定する"), "{text}");
    assert!(text.contains("✗ 卡被拒绝：余额不足 👨‍👩‍👧 家庭套餐"), "{text}");
}

#[test]
fn an_absurd_width_is_clamped() {
    let mut waterfall = Waterfall::new();
    for record in spans() {
        waterfall.add_record(record);
    }
    let text = waterfall.width(usize::MAX).color(false).render();
    assert!(
        text.lines().all(|line| line.chars().count() <= 1000),
        "{text}"
    );
}
