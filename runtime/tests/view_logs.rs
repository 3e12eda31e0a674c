//! Log lines in the waterfall: under their span, in time order among its
//! children's rows, within the width, capped per span, never from spans
//! that are not drawn; and records taken from the SDK's logger.

use std::time::{Duration, SystemTime};

use opentelemetry::trace::{SpanId, TraceId};
use traced::view::{LogLine, SpanRecord, Waterfall};

const TRACE: TraceId =
    TraceId::from_bytes(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128.to_be_bytes());

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
}

fn span(id: u64, parent: u64, service: &str, name: &str, start: u64, end: u64) -> SpanRecord {
    SpanRecord {
        trace_id: TRACE,
        span_id: SpanId::from(id),
        parent_span_id: SpanId::from(parent),
        service: Some(service.into()),
        name: name.into(),
        start: at(start),
        end: at(end),
        error: None,
    }
}

fn log(span: u64, ms: u64, level: &str, message: &str) -> LogLine {
    LogLine {
        trace_id: TRACE,
        span_id: SpanId::from(span),
        time: at(ms),
        level: level.into(),
        message: message.into(),
    }
}

/// The checkout of the view tests, shortened, with the lines its services wrote.
fn checkout() -> Waterfall {
    let mut waterfall = Waterfall::new();
    for record in [
        span(0x11, 0, "gateway", "POST /checkout", 0, 480),
        span(0x13, 0x11, "inventory", "reserve_items", 30, 110),
        span(0x15, 0x11, "payment", "charge", 120, 470),
        SpanRecord {
            error: Some("card declined: insufficient funds".into()),
            ..span(0x16, 0x15, "payment", "authorize_card", 125, 175)
        },
        span(0x17, 0x15, "payment", "fraud_check", 125, 460),
    ] {
        waterfall.add_record(record);
    }
    for line in [
        log(0x11, 1, "INFO", "checkout started order_id=7"),
        log(0x13, 40, "DEBUG", "stock left sku=desk left=3"),
        log(0x15, 121, "INFO", "charging card=…9235 amount=1999"),
        log(0x16, 170, "ERROR", "issuer answered 51: insufficient funds"),
        log(0x17, 300, "WARN", "score 0.91 over 0.8, holding for review"),
        log(0x11, 475, "INFO", "checkout answered 402"),
        // Written in a span that was not exported: left out.
        log(0x99, 200, "INFO", "from a span not drawn"),
    ] {
        waterfall.add_log_line(line);
    }
    waterfall.color(false);
    waterfall
}

#[test]
fn snapshot_with_logs_width_100() {
    insta::assert_snapshot!(checkout().width(100).render());
}

#[test]
fn snapshot_with_logs_colored() {
    let colored = checkout()
        .width(100)
        .color(true)
        .render()
        .replace('\x1b', "␛");
    insta::assert_snapshot!(colored);
}

#[test]
fn lines_go_under_their_span_in_time_order_and_others_are_left_out() {
    let text = checkout().width(100).render();
    let row = |needle: &str| {
        text.lines()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{text}"))
    };
    let order = [
        row("POST /checkout"),
        row("checkout started"),
        row("reserve_items"),
        row("stock left"),
        row("charge "),
        row("charging card"),
        row("authorize_card"),
        row("issuer answered 51"),
        row("fraud_check"),
        row("holding for review"),
        row("checkout answered 402"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{text}");
    assert!(!text.contains("from a span not drawn"), "{text}");
    assert!(
        text.starts_with("trace 4bf92f3577b34da6a3ce929d0e0e4736 · 5 spans · 6 logs · 480 ms"),
        "{text}"
    );
}

#[test]
fn no_line_is_wider_than_the_width_and_narrow_widths_drop_the_lines() {
    use unicode_width::UnicodeWidthStr;

    for width in 40..=200 {
        let text = checkout().width(width).render();
        for line in text.lines() {
            assert!(line.width() <= width, "{width}: {line:?}");
        }
    }
    // Deep enough that the message would get under 8 columns: no line.
    let mut deep = Waterfall::new();
    let mut parent = 0;
    for depth in 1..=12 {
        deep.add_record(span(depth, parent, "s", &format!("level_{depth}"), 0, 100));
        parent = depth;
    }
    deep.add_log_line(log(12, 50, "INFO", "too deep to show"));
    deep.add_log_line(log(1, 50, "INFO", "shallow enough"));
    let text = deep.width(40).color(false).render();
    assert!(text.contains("shallow"), "{text}");
    assert!(!text.contains("too deep"), "{text}");
}

#[test]
fn lines_past_the_limit_are_counted_and_zero_draws_none() {
    let mut waterfall = Waterfall::new();
    waterfall.add_record(span(1, 0, "batch", "import", 0, 100));
    for i in 0..25 {
        waterfall.add_log_line(log(1, i, "INFO", &format!("row {i}")));
    }
    let text = waterfall.width(80).color(false).render();
    assert!(text.contains("row 9") && !text.contains("row 10"), "{text}");
    assert!(text.contains("… 15 more log lines"), "{text}");
    assert_eq!(text.lines().count(), 1 + 1 + 10 + 1, "{text}");

    let text = waterfall.logs_per_span(3).render();
    assert!(text.contains("row 2") && !text.contains("row 3"), "{text}");
    assert!(text.contains("… 22 more log lines"), "{text}");

    let text = waterfall.logs_per_span(0).render();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(!text.contains("log"), "{text}");
}

#[test]
fn control_chars_and_early_clocks_cannot_break_a_line() {
    let mut waterfall = Waterfall::new();
    waterfall.add_record(span(1, 0, "s", "job", 100, 200));
    waterfall.add_log_line(log(1, 150, "WARN\n", "two\nlines\x1b[31m"));
    // A host whose clock is behind the spans'.
    waterfall.add_log_line(log(1, 40, "INFO", "from a slow clock"));
    let text = waterfall.width(80).color(false).render();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains("two lines [31m"), "{text}");
    assert!(text.contains("-60.0 ms INFO  from a slow clock"), "{text}");
}

/// Keeps every record emitted.
#[derive(Debug, Default, Clone)]
struct Keep(std::sync::Arc<std::sync::Mutex<Vec<opentelemetry_sdk::logs::SdkLogRecord>>>);

impl opentelemetry_sdk::logs::LogProcessor for Keep {
    fn emit(
        &self,
        record: &mut opentelemetry_sdk::logs::SdkLogRecord,
        _: &opentelemetry::InstrumentationScope,
    ) {
        self.0.lock().unwrap().push(record.clone());
    }

    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
}

#[test]
fn records_from_the_sdk_logger_are_drawn_with_their_fields() {
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
    use opentelemetry::trace::TraceFlags;
    use opentelemetry_sdk::logs::SdkLoggerProvider;

    let kept = Keep::default();
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(kept.clone())
        .build();
    let logger = provider.logger("test");
    let mut record = logger.create_log_record();
    record.set_timestamp(at(130));
    record.set_severity_number(Severity::Warn);
    record.set_body("card flagged".into());
    record.add_attribute("score", 0.91);
    record.set_trace_context(TRACE, SpanId::from(1), Some(TraceFlags::SAMPLED));
    logger.emit(record);
    // Outside any span: no line.
    let mut outside = logger.create_log_record();
    outside.set_body("no span".into());
    logger.emit(outside);

    let mut waterfall = Waterfall::new();
    waterfall.add_record(span(1, 0, "payment", "charge", 100, 200));
    for record in kept.0.lock().unwrap().iter() {
        waterfall.add_log(record);
    }
    let text = waterfall.width(80).color(false).render();
    assert!(
        text.contains(" +30.0 ms WARN  card flagged score=0.91"),
        "{text}"
    );
    assert!(!text.contains("no span"), "{text}");
}
