//! The gateway: `POST /checkout` with `sku=…&qty=…&card=…` reserves the stock
//! at inventory, then charges the card at payment.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry_instrumentation_tower::http::server::Layer as OtelLayer;
use traced::traced;

use super::wire::{self, field, number};

/// The variables that give the gateway its upstreams' base URLs.
pub const INVENTORY_URL_VAR: &str = "CHECKOUT_INVENTORY_URL";
pub const PAYMENT_URL_VAR: &str = "CHECKOUT_PAYMENT_URL";

/// Where the gateway sends its calls.
pub struct Upstreams {
    client: reqwest::Client,
    inventory: String,
    payment: String,
}

impl Upstreams {
    pub fn from_env() -> Result<Self, String> {
        let var = |name| std::env::var(name).map_err(|_| format!("{name} is not set"));
        Ok(Upstreams {
            client: wire::client(),
            inventory: var(INVENTORY_URL_VAR)?,
            payment: var(PAYMENT_URL_VAR)?,
        })
    }
}

/// Build it after `traced::init()`: the layer asks for its tracer once.
pub fn router(upstreams: Upstreams) -> Router {
    Router::new()
        .route("/checkout", post(handle_checkout))
        .with_state(Arc::new(upstreams))
        // The server span of each request (`POST /checkout`, continuing the
        // caller's `traceparent`); after the routes, so it sees the route.
        .layer(OtelLayer::new())
}

struct Order {
    sku: String,
    qty: u32,
    card: String,
}

impl std::str::FromStr for Order {
    type Err = String;

    fn from_str(body: &str) -> Result<Self, String> {
        Ok(Order {
            sku: field(body, "sku")?.to_owned(),
            qty: number(body, "qty")?,
            card: field(body, "card")?.to_owned(),
        })
    }
}

#[derive(Debug)]
pub enum CheckoutError {
    /// The request body is not `sku=…&qty=…&card=…`.
    BadRequest(String),
    UnknownSku(String),
    Declined(String),
    Upstream {
        service: &'static str,
        detail: String,
    },
}

impl std::fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckoutError::BadRequest(why) => write!(f, "bad request: {why}"),
            CheckoutError::UnknownSku(sku) => write!(f, "unknown sku {sku}"),
            CheckoutError::Declined(why) => f.write_str(why),
            CheckoutError::Upstream { service, detail } => write!(f, "{service}: {detail}"),
        }
    }
}

impl std::error::Error for CheckoutError {}

impl IntoResponse for CheckoutError {
    fn into_response(self) -> Response {
        let status = match self {
            CheckoutError::BadRequest(_) => StatusCode::BAD_REQUEST,
            CheckoutError::UnknownSku(_) => StatusCode::NOT_FOUND,
            CheckoutError::Declined(_) => StatusCode::PAYMENT_REQUIRED,
            CheckoutError::Upstream { .. } => StatusCode::BAD_GATEWAY,
        };
        (status, self.to_string()).into_response()
    }
}

/// Runs inside the layer's server span, as its child. The body is taken as
/// text and parsed here, inside this span, so a bad request fails it (the
/// server span only fails for a 5xx, as the HTTP conventions say); `sku`
/// and `qty` are recorded from the raw body, when it has them.
/// `metrics`: each call's duration in `function.call.duration`, with the
/// `error.type` of a failed one, exported beside the spans.
#[traced(
    metrics,
    attrs(sku = field(&body, "sku").ok(), qty = number::<u32>(&body, "qty").ok())
)]
async fn handle_checkout(
    State(upstreams): State<Arc<Upstreams>>,
    body: String,
) -> Result<String, CheckoutError> {
    let Order { sku, qty, card } = body.parse().map_err(CheckoutError::BadRequest)?;
    let amount = price_order(&sku, qty)?;
    reserve_stock(&upstreams, &sku, qty).await?;
    let authorization = charge_card(&upstreams, &card, amount).await?;
    Ok(format!(
        "{qty} × {sku} for {}.{:02} USD, {authorization}",
        amount / 100,
        amount % 100
    ))
}

/// The total in cents.
#[traced(args(sku, qty), ret)]
fn price_order(sku: &str, qty: u32) -> Result<u64, CheckoutError> {
    let unit = match sku {
        "lamp" => 2_499,
        "desk" => 18_900,
        "chair" => 4_900,
        _ => return Err(CheckoutError::UnknownSku(sku.to_owned())),
    };
    Ok(unit * u64::from(qty))
}

/// `wire::post` makes the HTTP client span, `POST /reserve`, under this one.
#[traced(args(sku, qty))]
async fn reserve_stock(upstreams: &Upstreams, sku: &str, qty: u32) -> Result<(), CheckoutError> {
    let body = format!("sku={sku}&qty={qty}");
    let (status, body) = wire::post(&upstreams.client, &upstreams.inventory, "/reserve", body)
        .await
        .map_err(unreachable("inventory"))?;
    if !status.is_success() {
        return Err(failed("inventory", status, body));
    }
    Ok(())
}

/// Returns the authorization code.
#[traced(args(amount))]
async fn charge_card(
    upstreams: &Upstreams,
    card: &str,
    amount: u64,
) -> Result<String, CheckoutError> {
    let body = format!("card={card}&amount={amount}");
    let (status, body) = wire::post(&upstreams.client, &upstreams.payment, "/charge", body)
        .await
        .map_err(unreachable("payment"))?;
    match status {
        StatusCode::PAYMENT_REQUIRED => Err(CheckoutError::Declined(body)),
        status if !status.is_success() => Err(failed("payment", status, body)),
        _ => Ok(body),
    }
}

fn unreachable(service: &'static str) -> impl Fn(reqwest::Error) -> CheckoutError {
    move |error| CheckoutError::Upstream {
        service,
        detail: error.to_string(),
    }
}

fn failed(service: &'static str, status: StatusCode, body: String) -> CheckoutError {
    CheckoutError::Upstream {
        service,
        detail: format!("{status}: {body}"),
    }
}
