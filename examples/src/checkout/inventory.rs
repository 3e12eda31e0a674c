//! The inventory service: `POST /reserve` with `sku=…&qty=…`.
//!
//! Stock is a fixed table, so every run of the demo gives the same answers.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry_instrumentation_tower::http::server::Layer as OtelLayer;
use traced::traced;

use super::wire::{field, number};

/// Build it after `traced::init()`, as the gateway's.
pub fn router() -> Router {
    Router::new()
        .route("/reserve", post(handle_reserve))
        .layer(OtelLayer::new())
}

struct Reservation {
    sku: String,
    qty: u32,
}

impl std::str::FromStr for Reservation {
    type Err = String;

    fn from_str(body: &str) -> Result<Self, String> {
        Ok(Reservation {
            sku: field(body, "sku")?.to_owned(),
            qty: number(body, "qty")?,
        })
    }
}

#[derive(Debug)]
pub enum StockError {
    /// The request body is not `sku=…&qty=…`.
    BadRequest(String),
    UnknownSku(String),
    OutOfStock {
        sku: String,
        left: u32,
    },
}

impl std::fmt::Display for StockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StockError::BadRequest(why) => write!(f, "bad request: {why}"),
            StockError::UnknownSku(sku) => write!(f, "unknown sku {sku}"),
            StockError::OutOfStock { sku, left } => write!(f, "only {left} × {sku} left"),
        }
    }
}

impl std::error::Error for StockError {}

impl IntoResponse for StockError {
    fn into_response(self) -> Response {
        let status = match self {
            StockError::BadRequest(_) => StatusCode::BAD_REQUEST,
            StockError::UnknownSku(_) | StockError::OutOfStock { .. } => StatusCode::CONFLICT,
        };
        (status, self.to_string()).into_response()
    }
}

/// Under the server span `POST /reserve`; parsed inside this span, as at
/// the gateway: a bad body fails it.
#[traced(attrs(sku = field(&body, "sku").ok(), qty = number::<u32>(&body, "qty").ok()))]
async fn handle_reserve(body: String) -> Result<String, StockError> {
    let Reservation { sku, qty } = body.parse().map_err(StockError::BadRequest)?;
    Stock.reserve(&sku, qty).await
}

/// The stock table; it stands in for a database.
struct Stock;

/// Every method is traced, as `Stock::reserve` and `Stock::lookup_sku`.
#[traced]
impl Stock {
    #[traced(metrics, args(sku, qty))]
    async fn reserve(&self, sku: &str, qty: u32) -> Result<String, StockError> {
        let left = self.lookup_sku(sku).await?;
        // Known only now, halfway through the call.
        traced::record!(stock.left = left);
        if qty > left {
            return Err(StockError::OutOfStock {
                sku: sku.to_owned(),
                left,
            });
        }
        Ok(format!("reserved {qty} × {sku}"))
    }

    /// How many are in stock.
    #[traced(args(sku), ret)]
    async fn lookup_sku(&self, sku: &str) -> Result<u32, StockError> {
        // Stands in for a database query.
        tokio::time::sleep(Duration::from_millis(3)).await;
        match sku {
            "lamp" => Ok(12),
            "desk" => Ok(3),
            "chair" => Ok(40),
            _ => Err(StockError::UnknownSku(sku.to_owned())),
        }
    }
}
