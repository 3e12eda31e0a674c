//! What the concurrency tests check of the spans a [`Sink`] received: each
//! span once, under its own caller's span; and the pipeline they export
//! through.

use std::time::Duration;

use super::Reports;
use super::sink::{Received, Sink};

/// Checks the spans of a workload whose traced fns record `args(node,
/// caller)`: `node` is unique per call, `caller` is the `node` of the traced
/// fn that called it, or -1 for a root call.
///
/// Every node is exported at most once and every span id is unique; a root
/// has no parent; every other span has a parent, which is never the span of
/// another node than its caller, and, when the caller's span was exported, is
/// exactly that span, in the same trace. `name_of` gives the fn each node
/// must be a call of. With `complete`, every caller must have been exported
/// too. Returns how many parent links were checked against an exported
/// caller.
pub fn assert_parents(
    spans: &[Received],
    complete: bool,
    name_of: impl Fn(i64) -> &'static str,
) -> usize {
    use std::collections::HashMap;
    let mut by_node: HashMap<i64, (u128, u64)> = HashMap::with_capacity(spans.len());
    let mut by_span: HashMap<u64, i64> = HashMap::with_capacity(spans.len());
    for span in spans {
        let node = span.int("node").expect("every span records `node`");
        assert_eq!(
            span.name,
            name_of(node),
            "node {node} is a call of the wrong fn"
        );
        assert!(
            by_node
                .insert(node, (span.trace_id, span.span_id))
                .is_none(),
            "node {node} was exported twice"
        );
        assert!(
            by_span.insert(span.span_id, node).is_none(),
            "span id {:016x} was exported twice",
            span.span_id
        );
    }
    let mut checked = 0;
    for span in spans {
        let node = span.int("node").unwrap();
        let caller = span.int("caller").expect("every span records `caller`");
        if caller < 0 {
            assert_eq!(span.parent_span_id, 0, "root node {node} has a parent");
            continue;
        }
        assert_ne!(
            span.parent_span_id, 0,
            "node {node} lost its parent {caller}"
        );
        if let Some(&parent_node) = by_span.get(&span.parent_span_id) {
            assert_eq!(
                parent_node, caller,
                "node {node}'s parent is the span of node {parent_node}, not of its caller {caller}"
            );
        }
        match by_node.get(&caller) {
            Some(&(trace_id, span_id)) => {
                assert_eq!(
                    (span.trace_id, span.parent_span_id),
                    (trace_id, span_id),
                    "node {node}'s parent is not its caller {caller}"
                );
                checked += 1;
            }
            None => assert!(
                !complete,
                "caller {caller} of node {node} was never exported"
            ),
        }
    }
    checked
}

/// What a run of `spans` spans through a queue too small for them must show:
/// spans dropped, not waited for, and every one accounted for; what was
/// exported arrived once each, under the right parents; and one report line,
/// at shutdown, with the counts.
pub fn assert_dropped_not_waited(
    stats: traced::setup::ExportStats,
    spans: u64,
    sink: &Sink,
    reports: &Reports,
    name_of: impl Fn(i64) -> &'static str,
) {
    assert_eq!(stats.ended, spans);
    assert!(stats.dropped > 0, "{stats:?}");
    assert_eq!(stats.failed, 0, "{stats:?}");
    assert_eq!(stats.ended, stats.exported + stats.failed + stats.dropped);
    assert_eq!(stats.lost(), stats.dropped);

    let received = sink.take();
    assert_eq!(received.len() as u64, stats.exported, "received = exported");
    assert_parents(&received, false, name_of);

    let lines = reports.lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let line = &lines[0];
    assert!(
        line.contains(&format!("{} of {spans} spans", stats.lost())),
        "{line}"
    );
    assert!(
        line.contains(&format!("{} dropped", stats.dropped)),
        "{line}"
    );
    assert!(line.contains(&sink.endpoint()), "{line}");
}

/// The pipeline under test, exporting to `sink` and nowhere else (no
/// `OTEL_*` variable of the machine applies). The shutdown timeout leaves
/// time to export a full large queue: in a debug build the exporter and the
/// receiver encode and decode some 40 000 spans a second on 2 cores.
pub fn init_to(
    sink: &Sink,
    service: &str,
    max_queue_size: usize,
    reports: &Reports,
) -> traced::TracerGuard {
    traced::Setup::new()
        .shutdown_timeout(Duration::from_secs(60))
        .environment(std::iter::empty::<(String, String)>())
        .service_name(service)
        .endpoint(sink.endpoint())
        .protocol(traced::setup::Protocol::HttpProtobuf)
        .max_queue_size(max_queue_size)
        .report_with(reports.reporter())
        .init()
        .expect("set-up")
}

/// What a run of `spans` spans (`roots` of them without a parent) through a
/// queue large enough must show: every span exported and received exactly
/// once, under its own caller's span, and nothing reported. Returns what
/// was received.
pub fn assert_exported_once(
    stats: traced::setup::ExportStats,
    spans: u64,
    roots: u64,
    sink: &Sink,
    reports: &Reports,
    name_of: impl Fn(i64) -> &'static str,
) -> Vec<Received> {
    assert_eq!(
        stats,
        traced::setup::ExportStats {
            ended: spans,
            exported: spans,
            failed: 0,
            dropped: 0,
            queued: 0,
        }
    );
    assert_eq!(stats.lost(), 0);
    let received = sink.take();
    assert_eq!(received.len() as u64, spans, "spans received");
    let checked = assert_parents(&received, true, name_of);
    assert_eq!(checked as u64, spans - roots);
    assert_eq!(reports.lines(), Vec::<String>::new(), "nothing to report");
    received
}
