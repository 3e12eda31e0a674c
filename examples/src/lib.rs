//! Helpers shared by the examples in `examples/`, and the checkout demo.

pub mod checkout;

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry_sdk::trace::SpanData;

/// Prints each trace as a tree: one line per span, children indented under
/// their parent, with duration, kind, status, attributes and events.
pub fn print_traces(spans: &[SpanData]) {
    let mut traces: Vec<TraceId> = Vec::new();
    for span in spans {
        if !traces.contains(&span.span_context.trace_id()) {
            traces.push(span.span_context.trace_id());
        }
    }
    for trace in traces {
        let in_trace: Vec<&SpanData> = spans
            .iter()
            .filter(|span| span.span_context.trace_id() == trace)
            .collect();
        println!("trace {trace}");
        let mut children: HashMap<SpanId, Vec<&SpanData>> = HashMap::new();
        for span in &in_trace {
            children.entry(span.parent_span_id).or_default().push(span);
        }
        for list in children.values_mut() {
            list.sort_by_key(|span| span.start_time);
        }
        let ids: Vec<SpanId> = in_trace
            .iter()
            .map(|span| span.span_context.span_id())
            .collect();
        let roots = in_trace
            .iter()
            .filter(|span| !ids.contains(&span.parent_span_id));
        for root in roots {
            print_span(root, &children, 1);
        }
        println!();
    }
}

fn print_span(span: &SpanData, children: &HashMap<SpanId, Vec<&SpanData>>, depth: usize) {
    let indent = "  ".repeat(depth);
    let duration = span
        .end_time
        .duration_since(span.start_time)
        .unwrap_or(Duration::ZERO);
    let status = match &span.status {
        Status::Error { description } => format!("  ERROR: {description}"),
        _ => String::new(),
    };
    println!(
        "{indent}{name}  [{kind:?}, {ms:.2} ms]{status}",
        name = span.name,
        kind = span.span_kind,
        ms = duration.as_secs_f64() * 1000.0,
    );
    let code = |key: &str| {
        span.attributes
            .iter()
            .find(|attribute| attribute.key.as_str() == key)
            .map(|attribute| attribute.value.to_string())
            .unwrap_or_default()
    };
    println!(
        "{indent}    at {}:{} ({})",
        code("code.file.path"),
        code("code.line.number"),
        code("code.function.name")
    );
    for attribute in &span.attributes {
        if !attribute.key.as_str().starts_with("code.") {
            println!("{indent}    {} = {}", attribute.key, attribute.value);
        }
    }
    for event in span.events.iter() {
        let fields: Vec<String> = event
            .attributes
            .iter()
            .map(|attribute| format!("{}={}", attribute.key, attribute.value))
            .collect();
        println!("{indent}    event {}  {}", event.name, fields.join(" "));
    }
    for child in children
        .get(&span.span_context.span_id())
        .into_iter()
        .flatten()
    {
        print_span(child, children, depth + 1);
    }
}
