//! The launcher: starts the three services, places the orders, stops the
//! services, and reports what happened together with the spans they sent.

use std::path::PathBuf;
use std::time::Duration;

use tokio::time::{Instant, timeout_at};
use traced::TracerGuard;

use super::children::{self, ChildEnv, Running};
use super::client::{ORDERS, place_order};
use super::gateway::{INVENTORY_URL_VAR, PAYMENT_URL_VAR};
use super::receiver::Receiver;
use super::{Report, Role, wire};

/// The whole run, start to last exit, takes at most this long.
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

/// The `service.name` of the launcher's own spans, one per order.
pub const CLIENT_SERVICE: &str = "client";

const ENDPOINT_VAR: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
const TRACES_ENDPOINT_VAR: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

/// How to start a service process; the role goes in [`ROLE_VAR`](super::ROLE_VAR).
#[derive(Clone, Debug)]
pub struct ServiceCommand {
    pub program: PathBuf,
    /// A test binary needs `<test name> --exact --nocapture` here, so that
    /// it runs the one test and its `listening on` line reaches stdout.
    pub args: Vec<String>,
}

impl ServiceCommand {
    /// This executable again, with no arguments.
    pub fn current_exe() -> std::io::Result<Self> {
        Ok(ServiceCommand {
            program: std::env::current_exe()?,
            args: Vec::new(),
        })
    }
}

/// Where the spans go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Export {
    /// To a receiver inside the launcher, which puts them in the [`Report`].
    Embedded,
    /// To the collector the `OTEL_*` variables name; every process reads
    /// them itself. The value is the endpoint, for the report.
    Collector(String),
}

impl Export {
    /// `Collector` when `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` is set.
    pub fn from_env() -> Self {
        [TRACES_ENDPOINT_VAR, ENDPOINT_VAR]
            .into_iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .map_or(Export::Embedded, Export::Collector)
    }
}

/// Why the run stopped early. The services are killed then.
#[derive(Debug)]
pub struct LaunchError(String);

impl LaunchError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        LaunchError(message.into())
    }
}

impl std::fmt::Display for LaunchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LaunchError {}

/// Runs the demo once; see the [module docs](self).
pub async fn run(command: &ServiceCommand, export: &Export) -> Result<Report, LaunchError> {
    let (report, ()) = run_with(command, export, async |_| ()).await?;
    Ok(report)
}

/// [`run`], and once the orders are placed, while the services still run and
/// the launcher's tracing is installed, `also` with the gateway's base URL;
/// tests send requests of their own with it. The spans of those requests are
/// in the report too.
pub async fn run_with<T>(
    command: &ServiceCommand,
    export: &Export,
    also: impl AsyncFnOnce(&str) -> T,
) -> Result<(Report, T), LaunchError> {
    let deadline = Instant::now() + TIME_LIMIT;
    let receiver = match export {
        Export::Embedded => Some(Receiver::start().map_err(failed("starting the receiver"))?),
        Export::Collector(_) => None,
    };
    let endpoint = receiver.as_ref().map(Receiver::endpoint);
    let tracing = client_tracing(endpoint.as_deref())?;
    let env = service_env(endpoint.as_deref());

    let (inventory, payment) = tokio::try_join!(
        children::start(command, Role::Inventory, &env, deadline),
        children::start(command, Role::Payment, &env, deadline),
    )?;
    let mut gateway_env = env.clone();
    gateway_env.set.extend([
        (INVENTORY_URL_VAR.to_owned(), inventory.url.clone()),
        (PAYMENT_URL_VAR.to_owned(), payment.url.clone()),
    ]);
    let gateway = children::start(command, Role::Gateway, &gateway_env, deadline).await?;

    let client = wire::client();
    let mut placed = Vec::new();
    for order in &ORDERS {
        let answer = timeout_at(deadline, place_order(&client, &gateway.url, order))
            .await
            .map_err(|_| LaunchError::new("the orders took too long"))?
            .map_err(failed("placing an order"))?;
        placed.push(answer);
    }
    let extra = timeout_at(deadline, also(&gateway.url))
        .await
        .map_err(|_| LaunchError::new("the extra requests took too long"))?;

    let exits = stop_all([gateway, inventory, payment], deadline).await?;
    // Last, once every request has ended: the launcher's own spans.
    let shutdown = tokio::task::spawn_blocking(move || tracing.shutdown());
    let client_stats = timeout_at(deadline, shutdown)
        .await
        .map_err(|_| LaunchError::new("flushing the client's spans took too long"))?
        .map_err(failed("flushing the client's spans"))?
        .map_err(failed("flushing the client's spans"))?;
    let received = match receiver {
        Some(receiver) => receiver.finish().map_err(failed("stopping the receiver"))?,
        None => Default::default(),
    };
    let report = Report {
        placed,
        spans: received.spans,
        durations: received.durations,
        exits,
        collector: match export {
            Export::Embedded => None,
            Export::Collector(endpoint) => Some(endpoint.clone()),
        },
        client_stats,
    };
    Ok((report, extra))
}

/// The launcher traces its own requests, so each order's trace starts with
/// the client span that sent it.
fn client_tracing(receiver: Option<&str>) -> Result<TracerGuard, LaunchError> {
    let setup = traced::Setup::new().service_name(CLIENT_SERVICE);
    let setup = match receiver {
        // Why a fixed environment: the user's OTEL_* must not redirect the demo.
        Some(endpoint) => setup.environment([(ENDPOINT_VAR, endpoint)]),
        None => setup,
    };
    setup.init().map_err(failed("setting up tracing"))
}

/// With the embedded receiver, the services get its endpoint and none of
/// the launcher's own `OTEL_*` settings; with a collector, they inherit them.
fn service_env(receiver: Option<&str>) -> ChildEnv {
    let Some(endpoint) = receiver else {
        return ChildEnv::default();
    };
    let remove = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| name.to_string_lossy().starts_with("OTEL_"))
        .collect();
    ChildEnv {
        remove,
        set: vec![
            (ENDPOINT_VAR.to_owned(), endpoint.to_owned()),
            (
                "OTEL_EXPORTER_OTLP_PROTOCOL".to_owned(),
                "http/protobuf".to_owned(),
            ),
        ],
    }
}

/// Stops the services together; each flushes its spans before it exits.
async fn stop_all(
    services: [Running; 3],
    deadline: Instant,
) -> Result<Vec<(Role, std::process::ExitStatus)>, LaunchError> {
    let roles = services.each_ref().map(|service| service.role);
    let [a, b, c] = services;
    let (a, b, c) = tokio::join!(a.stop(deadline), b.stop(deadline), c.stop(deadline));
    Ok(roles.into_iter().zip([a?, b?, c?]).collect())
}

fn failed<E: std::fmt::Display>(doing: &'static str) -> impl Fn(E) -> LaunchError {
    move |error| LaunchError::new(format!("{doing}: {error}"))
}
