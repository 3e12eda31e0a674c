//! The inventory gRPC server of `tests/grpc.rs`, in a process
//! of its own: `traced::init()` from the `OTEL_*` variables (the test points
//! them at its OTLP receiver), tonic under `traced::grpc::ServerLayer` on a
//! free port of 127.0.0.1, announced on stdout as `listening on <address>`;
//! it stops when its stdin closes, and exits non-zero if any span was not
//! delivered.

use std::error::Error;

use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use traced_tests::grpc_inventory::InventoryServer;

fn main() -> Result<(), Box<dyn Error>> {
    let guard = traced::init()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(serve())?;
    drop(runtime);
    let stats = guard.shutdown()?;
    if stats.exported != stats.ended {
        let (sent, ended) = (stats.exported, stats.ended);
        return Err(format!("only {sent} of {ended} spans delivered").into());
    }
    Ok(())
}

async fn serve() -> Result<(), Box<dyn Error>> {
    let incoming = TcpIncoming::bind(([127, 0, 0, 1], 0).into())?;
    println!("listening on {}", incoming.local_addr()?);
    Server::builder()
        .layer(traced::grpc::ServerLayer::new())
        .add_service(InventoryServer)
        .serve_with_incoming_shutdown(incoming, stdin_closed())
        .await?;
    Ok(())
}

/// Resolves when stdin reaches its end: the test's signal to stop.
async fn stdin_closed() {
    let (closed, stdin_closed) = tokio::sync::oneshot::channel();
    // A thread, because tokio's stdin needs a feature for one blocking read.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    let _ = stdin_closed.await;
}
