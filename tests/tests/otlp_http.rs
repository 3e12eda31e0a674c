//! `traced::init()` exporting over OTLP HTTP/protobuf to a real receiver
//! (`mock-collector`, which serves only `/v1/traces`): the same spans as over
//! gRPC, and the endpoint variables resolved as the specification says.

mod support;
mod workload;

use std::time::Duration;

use support::{ARRIVAL, Attr, Collector, Protocol, names, serial};

#[test]
fn spans_arrive_over_http_protobuf_when_the_guard_is_dropped() {
    let _turn = serial();
    let collector = Collector::start(&[Protocol::HttpBinary]);
    // A base endpoint: `/v1/traces` is appended (the receiver answers 404
    // anywhere else).
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "orders-http"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::HttpBinary),
            ),
        ])
        .init()
        .expect("init with a valid environment");

    let seen = workload::run();
    assert_eq!(guard.stats().ended, workload::SPANS as u64);
    // Not one span is sent before the batch is due (5 s) or the guard goes.
    assert!(collector.spans().is_empty());
    drop(guard);

    let spans = collector.wait_for(workload::SPANS, ARRIVAL);
    workload::assert_arrived(&spans, &seen, "orders-http");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        collector.spans().len(),
        workload::SPANS,
        "{:?}",
        names(&collector.spans())
    );
}

#[test]
fn a_traces_endpoint_is_used_as_given_and_http_protobuf_is_the_default() {
    let _turn = serial();
    let collector = Collector::start(&[Protocol::HttpBinary]);
    let traces = format!("{}/v1/traces", collector.endpoint(Protocol::HttpBinary));
    // No protocol variable: HTTP/protobuf is the default. The service name
    // comes from the resource attributes. The base endpoint is wrong, and
    // loses to the signal-specific one.
    let guard = traced::Setup::new()
        .environment([
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=from-resource,service.version=1.2.3",
            ),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces.as_str()),
        ])
        .init()
        .expect("init with a valid environment");

    let seen = workload::run();
    let stats = guard.shutdown().expect("shutdown succeeds");
    assert_eq!(stats.exported, workload::SPANS as u64, "{stats:?}");

    let spans = collector.wait_for(workload::SPANS, ARRIVAL);
    workload::assert_arrived(&spans, &seen, "from-resource");
    for span in &spans {
        assert_eq!(
            span.resource_attr("service.version"),
            Some(Attr::from("1.2.3"))
        );
    }
}
