//! Running one service: tracing from the `OTEL_*` variables, an axum server
//! on a free loopback port, and a clean stop that delivers every span.

use std::error::Error;
use std::net::Ipv4Addr;

use tokio::net::TcpListener;

use super::{Role, gateway, inventory, payment};

/// What a service prints on stdout, followed by its base URL, once it accepts
/// connections.
pub const LISTENING: &str = "listening on ";

/// Runs `role` until its stdin closes (how the launcher stops it) or Ctrl-C,
/// then exports its remaining spans. An error if any span was not delivered.
pub fn run(role: Role) -> Result<(), Box<dyn Error>> {
    // The endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT, as for any service.
    let guard = traced::Setup::new().service_name(role.name()).init()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(role))?;
    drop(runtime);
    // Why `shutdown` and not a drop: it returns what a drop would only print.
    let stats = guard.shutdown()?;
    if stats.exported != stats.ended {
        let (sent, ended) = (stats.exported, stats.ended);
        return Err(format!("only {sent} of {ended} spans delivered").into());
    }
    Ok(())
}

async fn serve(role: Role) -> Result<(), Box<dyn Error>> {
    let app = match role {
        Role::Gateway => gateway::router(gateway::Upstreams::from_env()?),
        Role::Inventory => inventory::router(),
        Role::Payment => payment::router(),
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    println!("{LISTENING}http://{}", listener.local_addr()?);
    // Graceful: requests in flight finish, so their spans end before the flush.
    axum::serve(listener, app)
        .with_graceful_shutdown(stop_requested())
        .await?;
    Ok(())
}

/// Resolves when stdin reaches its end or on Ctrl-C.
async fn stop_requested() {
    let (closed, stdin_closed) = tokio::sync::oneshot::channel();
    // A thread, because tokio's stdin needs a feature for one blocking read.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    tokio::select! {
        _ = stdin_closed => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
