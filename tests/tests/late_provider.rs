//! A provider installed after the first traced call is used by the calls
//! after it: no stale no-op tracer is cached. One test, so the order of the
//! steps is fixed.

use opentelemetry::Value;
use opentelemetry::global;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;
use traced_tests::all_spans::SpanExt;

#[traced(args(x))]
fn add_one(x: u32) -> u32 {
    x + 1
}

#[traced(args(x))]
async fn async_add_one(x: u32) -> u32 {
    x + 1
}

#[test]
fn a_provider_installed_after_the_first_call_is_used() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    // Before: no provider, the calls just run.
    assert_eq!(add_one(1), 2);
    assert_eq!(runtime.block_on(async_add_one(1)), 2);

    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    global::set_tracer_provider(provider);

    // After: the same call sites export spans.
    assert_eq!(add_one(2), 3);
    assert_eq!(runtime.block_on(async_add_one(2)), 3);
    let spans = exporter.get_finished_spans().unwrap();
    let names: Vec<&str> = spans.iter().map(|span| span.name.as_ref()).collect();
    assert_eq!(names, ["add_one", "async_add_one"]);
    assert!(
        spans
            .iter()
            .all(|span| span.attr("x") == Some(&Value::I64(2)))
    );
}
