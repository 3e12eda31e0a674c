//! The traced calls the OTLP tests export, and what must arrive of them.
//!
//! `checkout` (async, server) calls `price` (sync, with `ret`), which calls
//! `tax` (sync), then `reserve` (async, client), whose `Err` fails both it
//! and `checkout`. Each fn notes the span context it ran in, so the ids that
//! arrive can be compared with the ids the code saw.

use std::any::type_name;
use std::fmt;
use std::sync::Mutex;

use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt as _};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use traced::traced;

use crate::support::{Attr, Received, names, the};

#[derive(Debug)]
pub struct OutOfStock {
    pub sku: String,
}

impl fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is out of stock", self.sku)
    }
}

impl std::error::Error for OutOfStock {}

/// The span context each traced fn ran in, by fn name.
#[derive(Debug, Default)]
pub struct Seen(Mutex<Vec<(&'static str, SpanContext)>>);

impl Seen {
    fn note(&self, name: &'static str) {
        let context = Context::current().span().span_context().clone();
        self.0.lock().unwrap().push((name, context));
    }

    fn of(&self, name: &str) -> SpanContext {
        let seen = self.0.lock().unwrap();
        let found = seen.iter().find(|(n, _)| *n == name);
        found
            .unwrap_or_else(|| panic!("{name} did not run"))
            .1
            .clone()
    }
}

#[traced(kind = server, args(order_id, ?items), attrs(shop.region = region))]
pub async fn checkout(
    order_id: u64,
    items: &[&str],
    region: &str,
    card: &str,
    seen: &Seen,
) -> Result<u64, OutOfStock> {
    seen.note("checkout");
    assert!(!card.is_empty());
    let total = price(items, seen);
    tokio::task::yield_now().await;
    reserve(items[items.len() - 1], seen).await?;
    Ok(total)
}

#[traced(ret)]
pub fn price(items: &[&str], seen: &Seen) -> u64 {
    seen.note("price");
    let net = items.len() as u64 * 10;
    net + tax(net, seen)
}

#[traced(args(net), attrs("tax.rate" = 0.2, tax.included = true))]
pub fn tax(net: u64, seen: &Seen) -> u64 {
    seen.note("tax");
    net / 5
}

#[traced(kind = client, args(sku))]
pub async fn reserve(sku: &str, seen: &Seen) -> Result<(), OutOfStock> {
    seen.note("reserve");
    tokio::task::yield_now().await;
    if sku == "gone" {
        Err(OutOfStock {
            sku: sku.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// Runs the workload on a fresh current-thread runtime; its `Err` is
/// checked here, the spans by [`assert_arrived`].
pub fn run() -> Seen {
    let seen = Seen::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(checkout(1234, &["book", "gone"], "eu-west", "4242", &seen));
    assert_eq!(result.unwrap_err().to_string(), "gone is out of stock");
    seen
}

/// How many spans [`run`] makes.
pub const SPANS: usize = 4;

/// The line of `fn <name>(` in this file.
fn line_of(name: &str) -> i64 {
    let needle = format!("fn {name}(");
    let index = include_str!("mod.rs")
        .lines()
        .position(|line| line.contains(&needle))
        .unwrap_or_else(|| panic!("no `{needle}` in the source"));
    index as i64 + 1
}

fn assert_code_attributes(span: &Received) {
    let name = span.name();
    assert_eq!(
        span.attr("code.function.name"),
        Some(Attr::from(format!("{}::{name}", module_path!()))),
        "{name}"
    );
    assert_eq!(
        span.attr("code.file.path"),
        Some(Attr::from(file!())),
        "{name}"
    );
    assert_eq!(
        span.attr("code.line.number"),
        Some(Attr::Int(line_of(name))),
        "{name}"
    );
}

fn assert_failed(span: &Received, message: &str) {
    let name = span.name();
    let error_type = type_name::<OutOfStock>();
    assert_eq!(
        span.status(),
        (StatusCode::Error, message.to_owned()),
        "{name}"
    );
    assert_eq!(
        span.attr("error.type"),
        Some(Attr::from(error_type)),
        "{name}"
    );
    assert_eq!(span.event_names(), ["exception"], "{name}");
    assert_eq!(
        span.event_attr("exception", "exception.type"),
        Some(Attr::from(error_type)),
        "{name}"
    );
    assert_eq!(
        span.event_attr("exception", "exception.message"),
        Some(Attr::from(message)),
        "{name}"
    );
}

fn assert_ok(span: &Received) {
    assert_eq!(
        span.status(),
        (StatusCode::Unset, String::new()),
        "{}",
        span.name()
    );
    assert!(span.event_names().is_empty(), "{}", span.name());
}

/// Checks that exactly the spans of one [`run`] arrived, as the code saw
/// them, from service `service`.
pub fn assert_arrived(spans: &[Received], seen: &Seen, service: &str) {
    assert_eq!(spans.len(), SPANS, "received {:?}", names(spans));
    let checkout = the(spans, "checkout");
    let price = the(spans, "price");
    let tax = the(spans, "tax");
    let reserve = the(spans, "reserve");

    // The ids that arrived are the ids the code ran under.
    for span in [checkout, price, tax, reserve] {
        let context = seen.of(span.name());
        assert!(
            context.is_valid() && context.is_sampled(),
            "{}",
            span.name()
        );
        assert_eq!(span.trace_id(), context.trace_id(), "{}", span.name());
        assert_eq!(span.span_id(), context.span_id(), "{}", span.name());
        assert_eq!(span.service(), Some(Attr::from(service)), "{}", span.name());
        assert_code_attributes(span);
    }

    // One trace: checkout is its root, and each child names its parent.
    let trace_id = checkout.trace_id();
    assert!(spans.iter().all(|span| span.trace_id() == trace_id));
    assert_eq!(checkout.parent_span_id(), SpanId::INVALID);
    assert_eq!(checkout.parent_is_remote(), Some(false));
    assert!(price.is_child_of(checkout));
    assert!(tax.is_child_of(price));
    assert!(reserve.is_child_of(checkout));
    let mut ids: Vec<SpanId> = spans.iter().map(Received::span_id).collect();
    ids.sort_unstable_by_key(|id| id.to_bytes());
    ids.dedup();
    assert_eq!(ids.len(), SPANS, "span ids are distinct");

    assert_eq!(checkout.kind(), SpanKind::Server);
    assert_eq!(price.kind(), SpanKind::Internal);
    assert_eq!(tax.kind(), SpanKind::Internal);
    assert_eq!(reserve.kind(), SpanKind::Client);

    // Only what `args` and `attrs` name is recorded: never `card` or `seen`.
    let code = ["code.file.path", "code.function.name", "code.line.number"];
    let keys = |extra: &[&'static str]| {
        let mut keys: Vec<&str> = code.iter().chain(extra).copied().collect();
        keys.sort_unstable();
        keys
    };
    assert_eq!(
        checkout.attr_keys(),
        keys(&["error.type", "items", "order_id", "shop.region"])
    );
    assert_eq!(checkout.attr("order_id"), Some(Attr::Int(1234)));
    assert_eq!(
        checkout.attr("items"),
        Some(Attr::from(r#"["book", "gone"]"#))
    );
    assert_eq!(checkout.attr("shop.region"), Some(Attr::from("eu-west")));
    assert_eq!(price.attr_keys(), keys(&["return"]));
    assert_eq!(price.attr("return"), Some(Attr::from("24")));
    assert_eq!(tax.attr_keys(), keys(&["net", "tax.included", "tax.rate"]));
    assert_eq!(tax.attr("net"), Some(Attr::Int(20)));
    assert_eq!(tax.attr("tax.rate"), Some(Attr::Double(0.2)));
    assert_eq!(tax.attr("tax.included"), Some(Attr::Bool(true)));
    assert_eq!(reserve.attr_keys(), keys(&["error.type", "sku"]));
    assert_eq!(reserve.attr("sku"), Some(Attr::from("gone")));

    // The `Err` of `reserve` fails it and, through `?`, `checkout`.
    assert_failed(reserve, "gone is out of stock");
    assert_failed(checkout, "gone is out of stock");
    assert_ok(price);
    assert_ok(tax);

    // Children end before their parents, inside them.
    for (child, parent) in [(price, checkout), (tax, price), (reserve, checkout)] {
        assert!(child.span.start_time_unix_nano >= parent.span.start_time_unix_nano);
        assert!(child.span.end_time_unix_nano <= parent.span.end_time_unix_nano);
    }
}
