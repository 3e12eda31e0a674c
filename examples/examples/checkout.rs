//! Three services (gateway → inventory, gateway → payment) as separate
//! processes, one trace per request across all of them, drawn as a
//! waterfall in the terminal.
//!
//! ```sh
//! cargo run --example checkout
//! ```
//!
//! This binary is all four programs: with `CHECKOUT_ROLE` set it is that
//! service; without, it is the launcher, which starts the services (this
//! binary again), places three orders (a normal one, a slow one, a declined
//! card) and prints each trace. The spans come back over OTLP/HTTP to a
//! receiver inside the launcher; with `OTEL_EXPORTER_OTLP_ENDPOINT` set they
//! go to that collector instead (Jaeger, Tempo, the OpenTelemetry Collector,
//! `otelite`), and the launcher prints the trace ids to look up there.

use std::process::ExitCode;

use traced_examples::checkout::{Export, Role, ServiceCommand, launcher, service};

fn main() -> ExitCode {
    match Role::from_env() {
        Ok(Some(role)) => match service::run(role) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&format!("{}: {error}", role.name())),
        },
        Ok(None) => launch(),
        Err(error) => fail(&error),
    }
}

fn launch() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("starting the runtime: {error}")),
    };
    let command = match ServiceCommand::current_exe() {
        Ok(command) => command,
        Err(error) => return fail(&format!("finding this executable: {error}")),
    };
    match runtime.block_on(launcher::run(&command, &Export::from_env())) {
        Ok(report) => {
            report.print();
            if report.clean() {
                ExitCode::SUCCESS
            } else {
                fail("a service failed or spans were lost (see above)")
            }
        }
        Err(error) => fail(&error.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("checkout: {message}");
    ExitCode::FAILURE
}
