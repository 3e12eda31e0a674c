//! A small order service instrumented with `#[traced]`, printing the spans of
//! two requests as trees: one that succeeds and one whose card is declined.
//!
//! Run it with `cargo run --example quickstart`.

use std::time::Duration;

use opentelemetry::global;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;
use traced_examples::print_traces;

#[derive(Debug)]
struct Declined {
    reason: &'static str,
}

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "card declined: {}", self.reason)
    }
}

impl std::error::Error for Declined {}

#[traced(kind = server, name = "POST /checkout", args(user_id, ?items))]
async fn checkout(user_id: u64, items: &[&str], card: &str) -> Result<u64, Declined> {
    // `card` is not listed in `args`, so it is never recorded.
    let total = price(items).await;
    reserve_stock(items);
    charge(card, total).await?;
    Ok(total)
}

#[traced(attrs(item.count = items.len()), ret)]
async fn price(items: &[&str]) -> u64 {
    tokio::time::sleep(Duration::from_millis(3)).await;
    items.iter().map(|item| item.len() as u64 * 100).sum()
}

#[traced(attrs(item.count = items.len()))]
fn reserve_stock(items: &[&str]) {
    std::thread::sleep(Duration::from_millis(1) * items.len() as u32);
}

#[traced(kind = client, args(amount))]
async fn charge(card: &str, amount: u64) -> Result<(), Declined> {
    tokio::time::sleep(Duration::from_millis(5)).await;
    if card.ends_with("0002") {
        return Err(Declined {
            reason: "insufficient funds",
        });
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    global::set_tracer_provider(provider.clone());

    let paid = checkout(7, &["book", "lamp"], "4242 4242 4242 4242").await;
    let declined = checkout(8, &["chair"], "4000 0000 0000 0002").await;
    println!("first request:  {paid:?}");
    println!("second request: {declined:?}\n");

    provider
        .force_flush()
        .expect("flush the in-memory exporter");
    let spans = exporter.get_finished_spans().expect("read finished spans");
    print_traces(&spans);
}
