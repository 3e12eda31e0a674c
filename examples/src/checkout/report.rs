//! What a run produced, and how the launcher prints it.

use std::process::ExitStatus;

use axum::http::StatusCode;
use opentelemetry::trace::TraceId;
use traced::setup::ExportStats;
use traced::view::{SpanRecord, Waterfall};

use super::Role;
use super::client::Order;
use super::metrics::Durations;

/// One order and the gateway's answer.
#[derive(Clone, Debug)]
pub struct Placed {
    pub order: Order,
    pub url: String,
    pub status: StatusCode,
    pub body: String,
    /// The trace the order started.
    pub trace_id: TraceId,
}

/// The outcome of [`launcher::run`](super::launcher::run).
#[derive(Debug)]
pub struct Report {
    /// In the order they were placed.
    pub placed: Vec<Placed>,
    /// Every span received, from all processes; empty with a collector.
    pub spans: Vec<SpanRecord>,
    /// The services' `#[traced(metrics)]` durations; empty with a collector.
    pub durations: Durations,
    pub exits: Vec<(Role, ExitStatus)>,
    /// The collector's endpoint, when spans went there.
    pub collector: Option<String>,
    /// What happened to the launcher's own spans.
    pub client_stats: ExportStats,
}

impl Report {
    /// The received spans, ready to draw (terminal width and colour).
    pub fn waterfall(&self) -> Waterfall {
        let mut waterfall = Waterfall::new();
        for span in &self.spans {
            waterfall.add_record(span.clone());
        }
        waterfall
    }

    /// Every service exited with status 0 and every client span was sent.
    pub fn clean(&self) -> bool {
        self.exits.iter().all(|(_, status)| status.success())
            && self.client_stats.exported == self.client_stats.ended
    }

    /// Prints each order with its answer and its trace, the measured
    /// functions, then how the services exited.
    pub fn print(&self) {
        let waterfall = self.waterfall();
        for (number, placed) in self.placed.iter().enumerate() {
            let order = &placed.order;
            println!("{}. {}", number + 1, order.label);
            println!("   POST {}  {}", placed.url, order.masked_body());
            println!("   → {}  {}", placed.status, placed.body);
            if self.collector.is_some() {
                println!("   trace {}", placed.trace_id);
            } else {
                let block = waterfall.render_trace(placed.trace_id);
                if block.is_empty() {
                    println!("   (no spans received for trace {})", placed.trace_id);
                }
                print!("{block}");
            }
            println!();
        }
        let table = self.durations.table();
        if !table.is_empty() {
            println!(
                "function.call.duration of the measured fns (p50, p99 estimated from the buckets):"
            );
            print!("{table}");
            println!();
        }
        let exits: Vec<String> = self
            .exits
            .iter()
            .map(|(role, status)| match status.code() {
                Some(code) => format!("{} {code}", role.name()),
                None => format!("{} ({status})", role.name()),
            })
            .collect();
        println!("services exited: {}", exits.join(", "));
        match &self.collector {
            None => println!(
                "{} spans received over OTLP/HTTP; set OTEL_EXPORTER_OTLP_ENDPOINT to send them to a collector",
                self.spans.len()
            ),
            Some(endpoint) => println!(
                "spans and metrics sent to {endpoint}; look the trace ids up there \
                 (Jaeger: http://localhost:16686/trace/<trace id>)"
            ),
        }
    }
}
