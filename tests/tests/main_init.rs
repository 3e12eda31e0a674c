//! `#[traced(init)]` on `main`, with and without `#[tokio::main]` (either
//! order): each program runs as a child process exporting over OTLP/HTTP to
//! a receiver here, and its spans arrive as one trace under the main span.

mod support;

use std::process::Command;

use support::sink::{self, Behaviour, Sink};

fn run(program: &str) -> Vec<sink::Received> {
    let sink = Sink::start(Behaviour::PROMPT, &["step"]);
    let output = Command::new(program)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", sink.endpoint())
        .env("OTEL_SERVICE_NAME", "main-init")
        .env_remove("OTEL_SDK_DISABLED")
        .env_remove("OTEL_TRACES_EXPORTER")
        .output()
        .expect("the program runs");
    assert!(output.status.success(), "{program}: {output:?}");
    // The guard flushed before the process exited: nothing to wait for.
    sink.take()
}

fn assert_one_trace_under_main(spans: &[sink::Received]) {
    let main = spans
        .iter()
        .find(|span| span.name == "main")
        .unwrap_or_else(|| panic!("no main span in {spans:?}"));
    assert_eq!(main.parent_span_id, 0, "main is the root");
    let steps: Vec<_> = spans.iter().filter(|span| span.name == "work").collect();
    assert_eq!(steps.len(), 3, "{spans:?}");
    for step in steps {
        assert_eq!(step.trace_id, main.trace_id);
        assert_eq!(step.parent_span_id, main.span_id);
    }
}

#[test]
fn a_plain_main() {
    let spans = run(env!("CARGO_BIN_EXE_main_init_sync"));
    assert_one_trace_under_main(&spans);
    let failed = spans
        .iter()
        .find(|span| span.int("step") == Some(2))
        .unwrap();
    assert_eq!(failed.status_code, 2);
}

#[test]
fn traced_above_tokio_main() {
    assert_one_trace_under_main(&run(env!("CARGO_BIN_EXE_main_init_tokio_outer")));
}

#[test]
fn traced_below_tokio_main() {
    assert_one_trace_under_main(&run(env!("CARGO_BIN_EXE_main_init_tokio_inner")));
}
