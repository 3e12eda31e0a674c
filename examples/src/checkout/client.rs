//! The launcher's client side: the three orders, and the traced call that
//! places one (the root span of its trace).

use opentelemetry::trace::TraceContextExt;
use traced::traced;

use super::report::Placed;
use super::wire;

/// One order sent to the gateway.
#[derive(Clone, Copy, Debug)]
pub struct Order {
    pub label: &'static str,
    pub sku: &'static str,
    pub qty: u32,
    pub card: &'static str,
}

impl Order {
    pub fn body(&self) -> String {
        format!("sku={}&qty={}&card={}", self.sku, self.qty, self.card)
    }

    /// The body with the card number masked, for printing.
    pub fn masked_body(&self) -> String {
        let last4 = &self.card[self.card.len().saturating_sub(4)..];
        format!("sku={}&qty={}&card=…{last4}", self.sku, self.qty)
    }
}

/// A normal order, a slow one, a declined one: each its own trace.
pub const ORDERS: [Order; 3] = [
    Order {
        label: "a normal order",
        sku: "lamp",
        qty: 2,
        card: "4242424242424242",
    },
    Order {
        label: "a slow order: payment reviews the card for fraud",
        sku: "desk",
        qty: 1,
        card: "4000000000009235",
    },
    Order {
        label: "a declined card",
        sku: "chair",
        qty: 4,
        card: "4000000000000002",
    },
];

/// POSTs `order` to the gateway's `/checkout`; any HTTP answer is a result.
#[traced(root, attrs(sku = order.sku, qty = order.qty))]
pub(crate) async fn place_order(
    client: &reqwest::Client,
    gateway: &str,
    order: &Order,
) -> Result<Placed, reqwest::Error> {
    // Why read it here: this span started the trace, so it knows the id.
    let trace_id = opentelemetry::Context::current()
        .span()
        .span_context()
        .trace_id();
    let url = format!("{gateway}/checkout");
    let (status, body) = wire::post(client, gateway, "/checkout", order.body()).await?;
    Ok(Placed {
        order: *order,
        url,
        status,
        body,
        trace_id,
    })
}
