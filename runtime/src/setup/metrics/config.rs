//! The settings of the metrics pipeline: `OTEL_METRICS_EXPORTER`,
//! `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT` and the OTLP
//! variables of the metrics signal, checked like those of traces.

use std::time::Duration;

use super::super::config::{Environment, Exporter, Overrides, Protocol, Settings};
use super::super::error::SetupError;
use super::super::parse::{Signal, parse_millis};
use super::super::signal::{self, SignalExport, SignalVariables};

const METRICS: SignalVariables = SignalVariables {
    endpoint: Signal {
        setting: "Setup::metrics_endpoint",
        variable: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        path: "/v1/metrics",
    },
    exporter: "OTEL_METRICS_EXPORTER",
    protocol: "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    timeout: "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
};

/// The specification's defaults: a collection every minute, an export
/// given at most half a minute.
const DEFAULT_INTERVAL: Duration = Duration::from_millis(60_000);
const DEFAULT_READER_TIMEOUT: Duration = Duration::from_millis(30_000);

/// Values given in code for metrics alone; the shared ones (endpoint,
/// protocol, OTLP timeout, `disabled`) are in [`Overrides`].
#[derive(Clone, Debug, Default)]
pub(crate) struct MetricsOverrides {
    pub exporters: Option<Vec<Exporter>>,
    pub endpoint: Option<String>,
    pub interval: Option<Duration>,
    pub reader_timeout: Option<Duration>,
}

/// Everything the metrics pipeline needs, resolved and checked.
#[derive(Clone, Debug)]
pub(crate) struct MetricsSettings {
    pub exporters: Vec<Exporter>,
    pub protocol: Protocol,
    /// The full URL metrics are sent to.
    pub endpoint: String,
    /// How long the OTLP exporter may take to send one request
    /// (`OTEL_EXPORTER_OTLP_METRICS_TIMEOUT`).
    pub otlp_timeout: Duration,
    /// How often measurements are collected and exported
    /// (`OTEL_METRIC_EXPORT_INTERVAL`).
    pub interval: Duration,
    /// How long one collection and export may take before it is given up
    /// (`OTEL_METRIC_EXPORT_TIMEOUT`).
    pub reader_timeout: Duration,
}

impl MetricsSettings {
    /// `settings` are the traces' settings, already resolved: a disabled
    /// SDK records no metrics either.
    pub(crate) fn resolve(
        env: &Environment,
        code: &Overrides,
        metrics: &MetricsOverrides,
        settings: &Settings,
    ) -> Result<Self, SetupError> {
        let SignalExport {
            exporters,
            protocol,
            endpoint,
            export_timeout: otlp_timeout,
        } = signal::resolve(
            env,
            code,
            &metrics.exporters,
            &metrics.endpoint,
            settings,
            &METRICS,
        )?;
        let interval = duration(
            env,
            metrics.interval,
            "Setup::metric_export_interval",
            "OTEL_METRIC_EXPORT_INTERVAL",
            DEFAULT_INTERVAL,
        )?;
        let reader_timeout = duration(
            env,
            metrics.reader_timeout,
            "Setup::metric_export_timeout",
            "OTEL_METRIC_EXPORT_TIMEOUT",
            DEFAULT_READER_TIMEOUT,
        )?;
        Ok(MetricsSettings {
            exporters,
            protocol,
            endpoint,
            otlp_timeout,
            interval,
            reader_timeout,
        })
    }

    /// True when measurements are to be exported at all.
    pub(crate) fn records(&self) -> bool {
        self.exporters.iter().any(|e| *e != Exporter::None)
    }
}

/// A positive duration: from code (`setting`), else from `variable` in
/// milliseconds, else `default`. Zero would make the reader spin or give
/// every export up at once.
fn duration(
    env: &Environment,
    from_code: Option<Duration>,
    setting: &str,
    variable: &str,
    default: Duration,
) -> Result<Duration, SetupError> {
    match from_code {
        Some(duration) if duration.is_zero() => Err(SetupError::invalid(
            setting,
            "0",
            "give it at least a millisecond",
        )),
        Some(duration) => Ok(duration),
        None => match env.get(variable) {
            Some(value) => parse_millis(variable, &value),
            None => Ok(default),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{MetricsOverrides, MetricsSettings};
    use crate::setup::config::{Environment, Exporter, Overrides, Protocol, Settings};

    fn resolve(
        vars: &[(&str, &str)],
        metrics: MetricsOverrides,
    ) -> Result<MetricsSettings, String> {
        let env = Environment::fixed(vars);
        let code = Overrides::default();
        let settings = Settings::resolve(&env, code.clone()).map_err(|e| e.to_string())?;
        MetricsSettings::resolve(&env, &code, &metrics, &settings).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_otlp_over_http_to_v1_metrics_every_minute() {
        let metrics = resolve(&[], MetricsOverrides::default()).unwrap();
        assert_eq!(metrics.exporters, [Exporter::Otlp]);
        assert_eq!(metrics.protocol, Protocol::HttpProtobuf);
        assert_eq!(metrics.endpoint, "http://localhost:4318/v1/metrics");
        assert_eq!(metrics.otlp_timeout, Duration::from_secs(10));
        assert_eq!(metrics.interval, Duration::from_secs(60));
        assert_eq!(metrics.reader_timeout, Duration::from_secs(30));
        assert!(metrics.records());
    }

    #[test]
    fn the_metrics_variables_win_over_the_shared_ones() {
        let metrics = resolve(
            &[
                ("OTEL_METRICS_EXPORTER", "console,otlp"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
                (
                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                    "http://metrics:9999/ingest",
                ),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "3000"),
                ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "250"),
                ("OTEL_METRIC_EXPORT_INTERVAL", "1500"),
                ("OTEL_METRIC_EXPORT_TIMEOUT", "700"),
            ],
            MetricsOverrides::default(),
        )
        .unwrap();
        assert_eq!(metrics.exporters, [Exporter::Console, Exporter::Otlp]);
        assert_eq!(metrics.protocol, Protocol::Grpc);
        assert_eq!(metrics.endpoint, "http://metrics:9999/ingest");
        assert_eq!(metrics.otlp_timeout, Duration::from_millis(250));
        assert_eq!(metrics.interval, Duration::from_millis(1500));
        assert_eq!(metrics.reader_timeout, Duration::from_millis(700));
    }

    #[test]
    fn a_base_endpoint_gets_v1_metrics_and_grpc_takes_it_as_given() {
        let http = resolve(
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")],
            MetricsOverrides::default(),
        )
        .unwrap();
        assert_eq!(http.endpoint, "http://collector:4318/v1/metrics");
        let grpc = resolve(
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ],
            MetricsOverrides::default(),
        )
        .unwrap();
        assert_eq!(grpc.endpoint, "http://collector:4317");
    }

    #[test]
    fn code_wins_over_the_variables() {
        let metrics = resolve(
            &[
                ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://ignored:1"),
                ("OTEL_METRIC_EXPORT_INTERVAL", "1"),
                ("OTEL_METRICS_EXPORTER", "otlp"),
            ],
            MetricsOverrides {
                exporters: Some(vec![Exporter::None]),
                endpoint: Some("http://127.0.0.1:4318/metrics".into()),
                interval: Some(Duration::from_millis(250)),
                reader_timeout: Some(Duration::from_millis(100)),
            },
        )
        .unwrap();
        assert_eq!(metrics.endpoint, "http://127.0.0.1:4318/metrics");
        assert_eq!(metrics.interval, Duration::from_millis(250));
        assert_eq!(metrics.reader_timeout, Duration::from_millis(100));
        assert!(!metrics.records());
    }

    #[test]
    fn a_disabled_sdk_exports_no_metrics() {
        let metrics = resolve(
            &[("OTEL_SDK_DISABLED", "true")],
            MetricsOverrides::default(),
        )
        .unwrap();
        assert!(!metrics.records());
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        for (name, value, expected) in [
            (
                "OTEL_METRICS_EXPORTER",
                "prometheus",
                "unknown exporter `prometheus`; expected `otlp`, `console` or `none`",
            ),
            (
                "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
                "http/json",
                "JSON is not supported",
            ),
            (
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                "https://metrics:4318",
                "TLS is not built into traced",
            ),
            (
                "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
                "0",
                "milliseconds above 0",
            ),
            ("OTEL_METRIC_EXPORT_INTERVAL", "0", "milliseconds above 0"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1m", "milliseconds above 0"),
            ("OTEL_METRIC_EXPORT_TIMEOUT", "-5", "milliseconds above 0"),
        ] {
            let error = resolve(&[(name, value)], MetricsOverrides::default()).unwrap_err();
            assert!(
                error.starts_with(&format!("traced::init: {name}={value:?} is not valid: ")),
                "{error}"
            );
            assert!(error.contains(expected), "{error}");
        }
        let zero = MetricsOverrides {
            interval: Some(Duration::ZERO),
            ..MetricsOverrides::default()
        };
        let error = resolve(&[], zero).unwrap_err();
        assert!(
            error.starts_with("traced::init: Setup::metric_export_interval=\"0\" is not valid"),
            "{error}"
        );
    }
}
