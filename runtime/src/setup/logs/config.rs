//! The settings of the logs pipeline: `OTEL_LOGS_EXPORTER`, the OTLP
//! variables of the logs signal, and `OTEL_BLRP_*`, checked like those of
//! traces.

use std::time::Duration;

use super::super::config::{Batch, Environment, Exporter, Overrides, Protocol, Settings};
use super::super::error::SetupError;
use super::super::parse::{MAX_QUEUE_SIZE, Signal, parse_count, parse_millis};
use super::super::signal::{self, SignalExport, SignalVariables};

const LOGS: SignalVariables = SignalVariables {
    endpoint: Signal {
        setting: "Setup::logs_endpoint",
        variable: "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        path: "/v1/logs",
    },
    exporter: "OTEL_LOGS_EXPORTER",
    protocol: "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
    timeout: "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
};

/// Values given in code for logs alone; the shared ones (endpoint,
/// protocol, timeout, `disabled`) are in [`Overrides`].
#[derive(Clone, Debug, Default)]
pub(crate) struct LogsOverrides {
    pub exporters: Option<Vec<Exporter>>,
    pub endpoint: Option<String>,
}

/// Everything the logs pipeline needs, resolved and checked.
#[derive(Clone, Debug)]
pub(crate) struct LogsSettings {
    pub exporters: Vec<Exporter>,
    pub protocol: Protocol,
    /// The full URL log records are sent to.
    pub endpoint: String,
    pub export_timeout: Duration,
    pub batch: Batch,
}

impl LogsSettings {
    /// `settings` are the traces' settings, already resolved: a disabled
    /// SDK records no logs either.
    pub(crate) fn resolve(
        env: &Environment,
        code: &Overrides,
        logs: &LogsOverrides,
        settings: &Settings,
    ) -> Result<Self, SetupError> {
        let SignalExport {
            exporters,
            protocol,
            endpoint,
            export_timeout,
        } = signal::resolve(env, code, &logs.exporters, &logs.endpoint, settings, &LOGS)?;
        Ok(LogsSettings {
            exporters,
            protocol,
            endpoint,
            export_timeout,
            batch: resolve_batch(env)?,
        })
    }

    /// True when log records are to be exported at all.
    pub(crate) fn records(&self) -> bool {
        self.exporters.iter().any(|e| *e != Exporter::None)
    }
}

/// The batch log processor's settings (`OTEL_BLRP_*`, the specification's
/// defaults: 2048 records, batches of 512, every second); a batch is never
/// larger than the queue.
fn resolve_batch(env: &Environment) -> Result<Batch, SetupError> {
    let count = |name: &str, default: usize| match env.get(name) {
        Some(value) => parse_count(name, &value, MAX_QUEUE_SIZE),
        None => Ok(default),
    };
    let max_queue_size = count("OTEL_BLRP_MAX_QUEUE_SIZE", 2048)?;
    let max_export_batch_size = count("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", 512)?.min(max_queue_size);
    let schedule_delay = match env.get("OTEL_BLRP_SCHEDULE_DELAY") {
        Some(value) => parse_millis("OTEL_BLRP_SCHEDULE_DELAY", &value)?,
        None => Duration::from_millis(1000),
    };
    Ok(Batch {
        max_queue_size,
        max_export_batch_size,
        schedule_delay,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{LogsOverrides, LogsSettings};
    use crate::setup::config::{Environment, Exporter, Overrides, Protocol, Settings};

    fn resolve(vars: &[(&str, &str)], logs: LogsOverrides) -> Result<LogsSettings, String> {
        let env = Environment::fixed(vars);
        let code = Overrides::default();
        let settings = Settings::resolve(&env, code.clone()).map_err(|e| e.to_string())?;
        LogsSettings::resolve(&env, &code, &logs, &settings).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_otlp_over_http_to_v1_logs() {
        let logs = resolve(&[], LogsOverrides::default()).unwrap();
        assert_eq!(logs.exporters, [Exporter::Otlp]);
        assert_eq!(logs.protocol, Protocol::HttpProtobuf);
        assert_eq!(logs.endpoint, "http://localhost:4318/v1/logs");
        assert_eq!(logs.export_timeout, Duration::from_secs(10));
        assert_eq!(
            (logs.batch.max_queue_size, logs.batch.max_export_batch_size),
            (2048, 512)
        );
        assert_eq!(logs.batch.schedule_delay, Duration::from_secs(1));
    }

    #[test]
    fn the_logs_variables_win_over_the_shared_ones() {
        let logs = resolve(
            &[
                ("OTEL_LOGS_EXPORTER", "console,otlp"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
                (
                    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                    "http://logs:9999/ingest",
                ),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "3000"),
                ("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "250"),
                ("OTEL_BLRP_MAX_QUEUE_SIZE", "100"),
                ("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "500"),
            ],
            LogsOverrides::default(),
        )
        .unwrap();
        assert_eq!(logs.exporters, [Exporter::Console, Exporter::Otlp]);
        assert_eq!(logs.protocol, Protocol::Grpc);
        assert_eq!(logs.endpoint, "http://logs:9999/ingest");
        assert_eq!(logs.export_timeout, Duration::from_millis(250));
        assert_eq!(
            (logs.batch.max_queue_size, logs.batch.max_export_batch_size),
            (100, 100)
        );
    }

    #[test]
    fn a_base_endpoint_gets_v1_logs_and_grpc_takes_it_as_given() {
        let http = resolve(
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")],
            LogsOverrides::default(),
        )
        .unwrap();
        assert_eq!(http.endpoint, "http://collector:4318/v1/logs");
        let grpc = resolve(
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ],
            LogsOverrides::default(),
        )
        .unwrap();
        assert_eq!(grpc.endpoint, "http://collector:4317");
        let code = resolve(
            &[("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://ignored:1")],
            LogsOverrides {
                exporters: Some(vec![Exporter::None]),
                endpoint: Some("http://127.0.0.1:4318/logs".into()),
            },
        )
        .unwrap();
        assert_eq!(code.endpoint, "http://127.0.0.1:4318/logs");
        assert!(!code.records());
    }

    #[test]
    fn a_disabled_sdk_exports_no_logs() {
        let logs = resolve(&[("OTEL_SDK_DISABLED", "true")], LogsOverrides::default()).unwrap();
        assert!(!logs.records());
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        for (name, value, expected) in [
            ("OTEL_LOGS_EXPORTER", "loki", "unknown exporter `loki`"),
            (
                "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
                "http/json",
                "JSON is not supported",
            ),
            (
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                "https://logs:4318",
                "TLS is not built into traced",
            ),
            (
                "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
                "0",
                "milliseconds above 0",
            ),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "0", "whole number from 1 to"),
            ("OTEL_BLRP_SCHEDULE_DELAY", "soon", "milliseconds above 0"),
        ] {
            let error = resolve(&[(name, value)], LogsOverrides::default()).unwrap_err();
            assert!(
                error.starts_with(&format!("traced::init: {name}={value:?} is not valid: ")),
                "{error}"
            );
            assert!(error.contains(expected), "{error}");
        }
    }
}
