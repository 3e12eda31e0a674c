//! The checkout demo: three services in three processes, one trace per
//! request.
//!
//! ```text
//! launcher (client) ──POST /checkout──▶ gateway ──POST /reserve──▶ inventory
//!                                               └─POST /charge───▶ payment
//! ```
//!
//! Every process runs the same binary: [`Role::from_env`] says which service
//! to be ([`service::run`]), and with no role it is the [`launcher`], which
//! starts the three services, places three orders and collects their spans
//! and duration histograms with an OTLP [`receiver`]. Trace context crosses the processes in
//! `traceparent` headers ([`traced::http`]).

pub mod gateway;
pub mod inventory;
pub mod launcher;
pub mod metrics;
pub mod payment;
pub mod receiver;
pub mod service;

mod children;
mod client;
mod report;
mod wire;

pub use client::{ORDERS, Order};
pub use launcher::{Export, LaunchError, ServiceCommand};
pub use report::{Placed, Report};

/// The variable that makes a process one of the services.
pub const ROLE_VAR: &str = "CHECKOUT_ROLE";

/// The three services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Gateway,
    Inventory,
    Payment,
}

impl Role {
    /// Also the service's `service.name`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Gateway => "gateway",
            Role::Inventory => "inventory",
            Role::Payment => "payment",
        }
    }

    /// The role named by [`ROLE_VAR`]; `None` when it is unset (the launcher).
    pub fn from_env() -> Result<Option<Role>, String> {
        let Some(value) = std::env::var_os(ROLE_VAR) else {
            return Ok(None);
        };
        [Role::Gateway, Role::Inventory, Role::Payment]
            .into_iter()
            .find(|role| value == role.name())
            .map(Some)
            .ok_or_else(|| format!("{ROLE_VAR}={value:?}: expected gateway, inventory or payment"))
    }
}
