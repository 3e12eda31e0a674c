//! `traced::init()` exporting over OTLP gRPC to a real receiver
//! (`mock-collector`): the spans of nested sync and async calls arrive with
//! their names, kinds, attributes, statuses, ids, parent links and resource.

mod support;
mod workload;

use std::time::Duration;

use support::{ARRIVAL, Attr, Collector, Protocol, names};

#[test]
fn spans_arrive_over_grpc_with_names_attributes_statuses_and_links() {
    let collector = Collector::start(&[Protocol::Grpc]);
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "orders-grpc"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=test,team=a%20b",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::Grpc),
            ),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "5000"),
        ])
        .init()
        .expect("init with a valid environment");

    let seen = workload::run();

    // Nothing is exported before the batch is due: the 5 s schedule (or the
    // shutdown) sends it. `shutdown` waits for the collector to answer.
    let stats = guard.shutdown().expect("shutdown succeeds");
    assert_eq!(stats.ended, workload::SPANS as u64, "{stats:?}");
    assert_eq!(stats.exported, workload::SPANS as u64, "{stats:?}");
    assert_eq!((stats.failed, stats.dropped), (0, 0), "{stats:?}");

    let spans = collector.wait_for(workload::SPANS, ARRIVAL);
    workload::assert_arrived(&spans, &seen, "orders-grpc");
    for span in &spans {
        assert_eq!(
            span.resource_attr("deployment.environment"),
            Some(Attr::from("test"))
        );
        assert_eq!(span.resource_attr("team"), Some(Attr::from("a b")));
        assert_eq!(
            span.resource_attr("telemetry.sdk.language"),
            Some(Attr::from("rust"))
        );
    }

    // Nothing more arrives later (no duplicate export at runtime shutdown).
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        collector.spans().len(),
        workload::SPANS,
        "{:?}",
        names(&collector.spans())
    );
}
