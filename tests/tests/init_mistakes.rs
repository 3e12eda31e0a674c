//! Set-up mistakes that used to lose spans without a word, each now either
//! working or saying what is wrong and how to fix it when it happens,
//! against a real OTLP/HTTP receiver (the sink):
//!
//! - `let _ = traced::init()?;` drops the guard at once: the first span
//!   started after that is reported, once, with the fix;
//! - a second `init` while the first guard lives is refused, and changes
//!   nothing; after that guard is gone `init` works again;
//! - `OTEL_EXPORTER_OTLP_ENDPOINT=http://host:4318/v1/traces` sends spans to
//!   `/v1/traces` (not `/v1/traces/v1/traces`), and says once how to write it;
//! - a collector answering 404 or 501 is reported with the path asked.
//!
//! Each test installs the global provider, so they take turns.

mod support;

use std::time::Duration;

use support::sink::{Behaviour, Sink};
use support::{Reports, serial};
use traced::traced;

#[traced(args(i))]
fn unit(i: i64) -> i64 {
    i * 2
}

/// `init` exporting over HTTP as `endpoint` (a variable and its value)
/// says, and nowhere else.
fn setup(endpoint: (&str, &str), reports: &Reports) -> traced::Setup {
    traced::Setup::new()
        .environment([("OTEL_SERVICE_NAME", "mistakes"), endpoint])
        .shutdown_timeout(Duration::from_secs(10))
        .report_with(reports.reporter())
}

const BASE: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";

#[test]
fn a_guard_dropped_at_once_is_reported_at_the_next_span_with_the_fix() {
    let _turn = serial();
    let sink = Sink::start(Behaviour::PROMPT, &["i"]);
    let reports = Reports::default();
    // The mistake: the guard is dropped at the end of this statement.
    let _ = setup((BASE, &sink.endpoint()), &reports)
        .init()
        .expect("init");
    // Nothing is said at the drop itself: a program may end without spans.
    assert_eq!(reports.lines(), Vec::<String>::new());

    for i in 0..3 {
        assert_eq!(unit(i), i * 2);
    }
    let lines = reports.lines();
    assert_eq!(lines.len(), 1, "once, not per span: {lines:#?}");
    for expected in [
        "a span was started after the TracerGuard was dropped",
        "`let _guard = traced::init()?;`",
        "`let _ = traced::init()?;` drops it at once",
        "#[traced(init)]",
    ] {
        assert!(
            lines[0].contains(expected),
            "no {expected:?} in {}",
            lines[0]
        );
    }
    assert_eq!(sink.requests(), 0, "nothing can be exported any more");
}

#[test]
fn a_guard_kept_until_the_end_reports_nothing() {
    let _turn = serial();
    let sink = Sink::start(Behaviour::PROMPT, &["i"]);
    let reports = Reports::default();
    let guard = setup((BASE, &sink.endpoint()), &reports)
        .init()
        .expect("init");
    for i in 0..3 {
        assert_eq!(unit(i), i * 2);
    }
    let stats = guard.shutdown().expect("shutdown");
    assert_eq!((stats.ended, stats.exported), (3, 3), "{stats:?}");
    assert_eq!(sink.spans().len(), 3);
    assert_eq!(reports.lines(), Vec::<String>::new());
}

#[test]
fn a_second_init_while_the_first_guard_lives_is_refused_and_changes_nothing() {
    let _turn = serial();
    let (first_sink, second_sink) = (
        Sink::start(Behaviour::PROMPT, &["i"]),
        Sink::start(Behaviour::PROMPT, &["i"]),
    );
    let reports = Reports::default();
    let first = setup((BASE, &first_sink.endpoint()), &reports)
        .init()
        .expect("the first init");

    let error = setup((BASE, &second_sink.endpoint()), &reports)
        .init()
        .expect_err("a second init is refused")
        .to_string();
    for expected in [
        "traced::init: ",
        "an earlier `init` is still running (its TracerGuard is alive)",
        "keep that one guard",
        "drop the first guard",
    ] {
        assert!(error.contains(expected), "no {expected:?} in {error}");
    }
    // One that would install nothing is harmless, and accepted.
    let disabled = traced::Setup::new()
        .environment([("OTEL_SDK_DISABLED", "true")])
        .init()
        .expect("a disabled init installs nothing, so it does not conflict");
    drop(disabled);

    // The first pipeline still gets every span.
    assert_eq!(unit(1), 2);
    let stats = first.shutdown().expect("shutdown");
    assert_eq!((stats.ended, stats.exported), (1, 1), "{stats:?}");
    assert_eq!(first_sink.spans().len(), 1);
    assert_eq!(second_sink.requests(), 0);

    // With the first guard gone, a new pipeline can be installed.
    let again = setup((BASE, &second_sink.endpoint()), &reports)
        .init()
        .expect("init after the first guard was dropped");
    assert_eq!(unit(2), 4);
    let stats = again.shutdown().expect("shutdown");
    assert_eq!((stats.ended, stats.exported), (1, 1), "{stats:?}");
    assert_eq!(second_sink.spans()[0].int("i"), Some(2));
    assert_eq!(reports.lines(), Vec::<String>::new());
}

#[test]
fn a_base_endpoint_ending_in_v1_traces_is_used_as_meant_and_reported_once() {
    let _turn = serial();
    let sink = Sink::start(Behaviour::PROMPT, &["i"]);
    let reports = Reports::default();
    let written = format!("{}/v1/traces", sink.endpoint());
    let guard = setup((BASE, &written), &reports).init().expect("init");
    let lines = reports.lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    for expected in [
        format!("{BASE}={written} ends in `/v1/traces`"),
        format!("spans are sent to {written} (not {written}/v1/traces)"),
        format!("Write `{BASE}={}`", sink.endpoint()),
        format!("`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT={written}`"),
    ] {
        assert!(
            lines[0].contains(&expected),
            "no {expected:?} in {}",
            lines[0]
        );
    }

    assert_eq!(unit(1), 2);
    assert_eq!(unit(2), 4);
    let stats = guard.shutdown().expect("shutdown");
    assert_eq!((stats.exported, stats.lost()), (2, 0), "{stats:?}");
    assert_eq!(sink.spans().len(), 2, "the sink serves /v1/traces only");
    assert_eq!(
        reports.lines().len(),
        1,
        "said once: {:#?}",
        reports.lines()
    );
}

#[test]
fn an_answer_saying_nothing_is_there_is_reported_with_the_path() {
    let _turn = serial();
    // The sink serves `/v1/traces` only: a 404 elsewhere. A traces endpoint
    // is used as given, so this one doubles the path.
    let sink = Sink::start(Behaviour::PROMPT, &["i"]);
    let doubled = format!("{}/v1/traces/v1/traces", sink.endpoint());
    // And a server that does not implement OTLP at the right path.
    let not_implemented = Sink::start(Behaviour::failing(501, Duration::ZERO), &["i"]);
    let right_path = format!("{}/v1/traces", not_implemented.endpoint());
    for (url, status, path, advice) in [
        (
            &doubled,
            404,
            "/v1/traces/v1/traces",
            "OTLP/HTTP collectors take spans at /v1/traces",
        ),
        (
            &right_path,
            501,
            "/v1/traces",
            "is it an OTLP receiver, and this its OTLP/HTTP port",
        ),
    ] {
        let reports = Reports::default();
        let guard = setup(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", url), &reports)
            .init()
            .expect("init");
        assert_eq!(unit(1), 2);
        assert!(guard.force_flush().is_err(), "{status}: the export fails");
        let lines = reports.lines();
        assert_eq!(lines.len(), 1, "{lines:#?}");
        for expected in [
            format!("could not export spans to {url}"),
            format!("status code: {status}"),
            format!("the server answered {status} to a POST of {path}"),
            advice.to_owned(),
        ] {
            assert!(
                lines[0].contains(&expected),
                "no {expected:?} in {}",
                lines[0]
            );
        }
        drop(guard);
    }
    assert!(sink.spans().is_empty());
}
