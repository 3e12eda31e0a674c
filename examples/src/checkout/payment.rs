//! The payment service: `POST /charge` with `card=…&amount=…` (cents).
//!
//! Cards ending in 9235 are flagged for a fraud review, which is slow; cards
//! ending in 0002 are declined (402), which fails the `charge` span.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry_instrumentation_tower::http::server::Layer as OtelLayer;
use traced::traced;

use super::wire::{field, number};

/// How long the review of a flagged card takes: the slow span of the demo.
pub const REVIEW_TIME: Duration = Duration::from_millis(300);

/// Build it after `traced::init()`, as the gateway's.
pub fn router() -> Router {
    Router::new()
        .route("/charge", post(handle_charge))
        .layer(OtelLayer::new())
}

/// A charge request; the card number is kept out of every span.
struct Charge {
    card: String,
    amount: u64,
}

impl std::str::FromStr for Charge {
    type Err = String;

    fn from_str(body: &str) -> Result<Self, String> {
        Ok(Charge {
            card: field(body, "card")?.to_owned(),
            amount: number(body, "amount")?,
        })
    }
}

/// The issuer refused the card.
#[derive(Debug)]
pub struct Declined {
    pub reason: &'static str,
}

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "card declined: {}", self.reason)
    }
}

impl std::error::Error for Declined {}

/// Why `POST /charge` failed; shown as the cause alone, so a declined
/// card's span says just `card declined: …`.
#[derive(Debug)]
pub enum ChargeError {
    /// The request body is not `card=…&amount=…`.
    BadRequest(String),
    Declined(Declined),
}

impl std::fmt::Display for ChargeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChargeError::BadRequest(why) => write!(f, "bad request: {why}"),
            ChargeError::Declined(declined) => declined.fmt(f),
        }
    }
}

impl std::error::Error for ChargeError {}

impl From<Declined> for ChargeError {
    fn from(declined: Declined) -> Self {
        ChargeError::Declined(declined)
    }
}

impl IntoResponse for ChargeError {
    fn into_response(self) -> Response {
        let status = match self {
            ChargeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ChargeError::Declined(_) => StatusCode::PAYMENT_REQUIRED,
        };
        (status, self.to_string()).into_response()
    }
}

/// Under the server span `POST /charge`; parsed inside this span, as at
/// the gateway: a bad body fails it. The card number is not recorded, not
/// even from a bad body.
#[traced(attrs(amount = number::<u64>(&body, "amount").ok()))]
async fn handle_charge(body: String) -> Result<String, ChargeError> {
    let Charge { card, amount } = body.parse().map_err(ChargeError::BadRequest)?;
    Ok(charge(&card, amount).await?)
}

/// Returns an authorization code.
#[traced(metrics, args(amount))]
async fn charge(card: &str, amount: u64) -> Result<String, Declined> {
    let risk = fraud_check(card, amount).await;
    traced::record!(payment.risk = ?risk);
    if card.ends_with("0002") {
        return Err(Declined {
            reason: "insufficient funds",
        });
    }
    Ok(format!("AUTH-{:06}", amount * 7 % 1_000_000))
}

#[derive(Debug)]
enum Risk {
    Low,
    Reviewed,
}

#[traced(metrics, args(amount), ret)]
async fn fraud_check(card: &str, amount: u64) -> Risk {
    if card.ends_with("9235") {
        tokio::time::sleep(REVIEW_TIME).await;
        Risk::Reviewed
    } else {
        tokio::time::sleep(Duration::from_millis(2)).await;
        Risk::Low
    }
}
