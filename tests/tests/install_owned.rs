//! `traced::install`: an SDK provider you built, with traced calls starting
//! spans on cached tracers; a replacement is used at once, and a held handle
//! to the old global provider delays that by at most 1024 calls a thread.

use opentelemetry::global;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;

#[traced]
fn work() {}

fn provider() -> (SdkTracerProvider, InMemorySpanExporter) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    (provider, exporter)
}

fn count(exporter: &InMemorySpanExporter) -> usize {
    exporter.get_finished_spans().unwrap().len()
}

#[test]
fn installed_replaced_and_held_providers() {
    let (first, first_spans) = provider();
    traced::install(first.clone());
    for _ in 0..3 {
        work();
    }
    assert_eq!(count(&first_spans), 3);

    // Replaced by plain OpenTelemetry: the very next call uses it.
    let (second, second_spans) = provider();
    global::set_tracer_provider(second.clone());
    work();
    assert_eq!((count(&first_spans), count(&second_spans)), (3, 1));

    // Installed again through traced, on another thread too.
    let (third, third_spans) = provider();
    traced::install(third.clone());
    work();
    std::thread::spawn(work).join().unwrap();
    assert_eq!((count(&second_spans), count(&third_spans)), (1, 2));

    // A handle to the global provider held across a replacement keeps the
    // old wrapper alive: the new provider is found within 1024 calls.
    let held = global::tracer_provider();
    let (fourth, fourth_spans) = provider();
    global::set_tracer_provider(fourth.clone());
    for _ in 0..1024 {
        work();
    }
    let late = count(&third_spans) - 2;
    assert!(late < 1024, "{late} calls went to the replaced provider");
    assert_eq!(late + count(&fourth_spans), 1024);
    work();
    assert_eq!(
        count(&third_spans) - 2,
        late,
        "the replaced provider is used again"
    );
    drop(held);
}
