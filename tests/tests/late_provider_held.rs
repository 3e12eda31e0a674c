//! Like `late_provider`, but something still holds a handle to the global
//! provider from before the real one was installed: a library that kept
//! `global::tracer_provider()` around, say. The real provider must be used
//! all the same.

use opentelemetry::global;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;

#[traced]
fn call() {}

#[test]
#[ignore = "BUG: a kept handle to the old global provider keeps traced on the no-op path forever"]
fn a_late_provider_is_used_even_if_the_old_global_is_still_held() {
    call();
    // Held across the installation, as long-lived instrumentation may do.
    let _held = global::tracer_provider();

    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    global::set_tracer_provider(provider);

    call();
    let spans = exporter.get_finished_spans().unwrap();
    let names: Vec<&str> = spans.iter().map(|span| span.name.as_ref()).collect();
    assert_eq!(names, ["call"]);
}
