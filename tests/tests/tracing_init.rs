//! `TracerGuard::tracing_layer`: the one line that puts `tracing` spans on
//! the pipeline `traced::init()` installed. `tracing` spans and `#[traced]`
//! spans, nested both ways, reach a real OTLP/HTTP receiver through the one
//! exporter, in one trace, under the right parents; a layer wired the old
//! way, with a tracer fetched from the global provider before `init`, loses
//! every span.
//!
//! Each test installs the global provider, so they take turns.

mod support;

use std::time::Duration;

use support::sink::{Behaviour, Received, Sink};
use support::{Reports, serial};
use traced::traced;
use tracing_subscriber::layer::SubscriberExt as _;

#[tracing::instrument]
fn handle(order: u64) -> u64 {
    load(order)
}

#[traced(args(order))]
fn load(order: u64) -> u64 {
    tracing::info_span!("parse").in_scope(|| order + 1)
}

fn init_to(sink: &Sink, reports: &Reports) -> traced::TracerGuard {
    traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "tracing-layer"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", sink.endpoint().as_str()),
        ])
        .shutdown_timeout(Duration::from_secs(10))
        .report_with(reports.reporter())
        .init()
        .expect("init")
}

fn the<'a>(spans: &'a [Received], name: &str) -> &'a Received {
    let found: Vec<&Received> = spans.iter().filter(|span| span.name == name).collect();
    assert_eq!(found.len(), 1, "one span {name} in {spans:#?}");
    found[0]
}

#[test]
fn tracing_spans_go_through_the_pipeline_init_installed_nested_both_ways() {
    let _turn = serial();
    let sink = Sink::start(Behaviour::PROMPT, &[]);
    let reports = Reports::default();
    let guard = init_to(&sink, &reports);
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    assert_eq!(
        tracing::subscriber::with_default(subscriber, || handle(7)),
        8
    );

    let stats = guard.shutdown().expect("shutdown");
    assert_eq!((stats.ended, stats.exported), (3, 3), "{stats:?}");
    let spans = sink.take();
    let (handle, load, parse) = (
        the(&spans, "handle"),
        the(&spans, "load"),
        the(&spans, "parse"),
    );
    assert_eq!(handle.parent_span_id, 0, "handle starts the trace");
    assert_eq!(load.parent_span_id, handle.span_id, "#[traced] in tracing");
    assert_eq!(parse.parent_span_id, load.span_id, "tracing in #[traced]");
    assert!(spans.iter().all(|span| span.trace_id == handle.trace_id));
    assert_eq!(reports.lines(), Vec::<String>::new());
}

#[test]
fn a_layer_made_before_init_from_the_global_provider_loses_every_span() {
    let _turn = serial();
    use opentelemetry::trace::TracerProvider as _;
    // The old wiring, in the order a new user writes it: the tracer comes
    // from whatever the global provider is before `init`.
    let early = tracing_opentelemetry::layer()
        .with_tracer(opentelemetry::global::tracer_provider().tracer("early"));
    let sink = Sink::start(Behaviour::PROMPT, &[]);
    let reports = Reports::default();
    let guard = init_to(&sink, &reports);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(early), || {
        tracing::info_span!("early").in_scope(|| {});
    });
    // The guard's layer, made after `init` by construction, keeps them.
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    tracing::subscriber::with_default(subscriber, || {
        tracing::info_span!("late").in_scope(|| {});
    });
    guard.shutdown().expect("shutdown");
    let names: Vec<String> = sink.take().into_iter().map(|span| span.name).collect();
    assert_eq!(names, ["late"]);
}
