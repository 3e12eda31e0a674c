//! What every signal other than traces (logs, metrics) resolves alike: its
//! exporters, OTLP protocol, endpoint and export timeout, each from code,
//! else from the signal's own variable, else from the shared one.

use std::time::Duration;

use super::config::{DEFAULT_EXPORT_TIMEOUT, Environment, Exporter, Overrides, Protocol, Settings};
use super::error::SetupError;
use super::parse::{
    Signal, parse_exporter_list, parse_millis, parse_protocol, resolve_signal_endpoint,
};

/// The variables of one signal.
pub(crate) struct SignalVariables {
    pub endpoint: Signal,
    /// `OTEL_LOGS_EXPORTER`.
    pub exporter: &'static str,
    /// `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`.
    pub protocol: &'static str,
    /// `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT`.
    pub timeout: &'static str,
}

/// One signal's export settings, resolved and checked.
#[derive(Clone, Debug)]
pub(crate) struct SignalExport {
    pub exporters: Vec<Exporter>,
    pub protocol: Protocol,
    /// The full URL the signal is sent to.
    pub endpoint: String,
    pub export_timeout: Duration,
}

/// `exporters` and `endpoint` are the signal's own values from code;
/// `settings` are the traces' settings, already resolved: a disabled SDK
/// exports no signal at all.
pub(crate) fn resolve(
    env: &Environment,
    code: &Overrides,
    exporters: &Option<Vec<Exporter>>,
    endpoint: &Option<String>,
    settings: &Settings,
    variables: &SignalVariables,
) -> Result<SignalExport, SetupError> {
    let exporters = match exporters {
        Some(list) => list.clone(),
        None => match env.get(variables.exporter) {
            Some(list) => parse_exporter_list(variables.exporter, &list)?,
            None => vec![Exporter::Otlp],
        },
    };
    let exporters = if settings.disabled {
        Vec::new()
    } else {
        exporters
    };
    let protocol = match code.protocol {
        Some(protocol) => protocol,
        None => match env.first(&[variables.protocol, "OTEL_EXPORTER_OTLP_PROTOCOL"]) {
            Some((name, value)) => parse_protocol(name, &value)?,
            None => Protocol::HttpProtobuf,
        },
    };
    let endpoint =
        resolve_signal_endpoint(env, &code.endpoint, endpoint, protocol, &variables.endpoint)?;
    // A zero timeout from code was refused with the traces' settings.
    let export_timeout = match code.export_timeout {
        Some(timeout) => timeout,
        None => match env.first(&[variables.timeout, "OTEL_EXPORTER_OTLP_TIMEOUT"]) {
            Some((name, value)) => parse_millis(name, &value)?,
            None => DEFAULT_EXPORT_TIMEOUT,
        },
    };
    Ok(SignalExport {
        exporters,
        protocol,
        endpoint,
        export_timeout,
    })
}
