//! The settings `init` runs with: the standard `OTEL_*` variables, checked,
//! with the builder's values on top.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry::KeyValue;

use super::error::SetupError;
use super::parse::{
    MAX_QUEUE_SIZE, check_count, check_sampler, parse_bool, parse_count, parse_exporters,
    parse_millis, parse_protocol, parse_resource, parse_sampler, resolve_endpoint,
    resource_service_name, unknown_service,
};

/// Where finished spans go (`OTEL_TRACES_EXPORTER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exporter {
    /// OTLP to a collector or backend (`otlp`, the default).
    Otlp,
    /// Every span printed to standard output (`console`), for local debugging.
    Console,
    /// Nothing (`none`): no provider is installed and traced calls cost what
    /// they cost with no SDK, but incoming trace context is still passed on.
    None,
}

/// How OTLP is sent (`OTEL_EXPORTER_OTLP_PROTOCOL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// gRPC (`grpc`), usually on port 4317.
    Grpc,
    /// Protobuf over HTTP POST (`http/protobuf`, the default), usually on port 4318.
    HttpProtobuf,
}

/// Which traces are recorded (`OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampler {
    /// Record every trace (`always_on`).
    AlwaysOn,
    /// Record nothing (`always_off`).
    AlwaysOff,
    /// Record this fraction of traces, chosen by trace id (`traceidratio`).
    TraceIdRatio(f64),
    /// Follow the caller's decision; record every new trace (`parentbased_always_on`, the default).
    ParentBasedAlwaysOn,
    /// Follow the caller's decision; record no new trace (`parentbased_always_off`).
    ParentBasedAlwaysOff,
    /// Follow the caller's decision; record this fraction of new traces (`parentbased_traceidratio`).
    ParentBasedTraceIdRatio(f64),
}

/// Values given in code; each one wins over its environment variable.
#[derive(Clone, Debug, Default)]
pub(crate) struct Overrides {
    pub disabled: Option<bool>,
    pub service_name: Option<String>,
    pub resource: Vec<KeyValue>,
    pub exporters: Option<Vec<Exporter>>,
    pub protocol: Option<Protocol>,
    pub endpoint: Option<String>,
    pub traces_endpoint: Option<String>,
    pub export_timeout: Option<Duration>,
    pub sampler: Option<Sampler>,
    pub max_queue_size: Option<usize>,
    pub shutdown_timeout: Option<Duration>,
}

/// Where variables are read from: the process, or a fixed set (tests, embedding).
#[derive(Clone, Debug, Default)]
pub(crate) enum Environment {
    #[default]
    Process,
    Fixed(HashMap<String, String>),
}

impl Environment {
    /// Fixed variables, for tests.
    #[cfg(test)]
    pub(crate) fn fixed(vars: &[(&str, &str)]) -> Environment {
        Environment::Fixed(
            vars.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// The variable's value; set-but-empty counts as unset, as the specification says.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        let value = match self {
            Environment::Process => std::env::var(name).ok(),
            Environment::Fixed(vars) => vars.get(name).cloned(),
        };
        value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// The first of `names` that is set, with its name.
    pub(crate) fn first(&self, names: &[&'static str]) -> Option<(&'static str, String)> {
        names
            .iter()
            .find_map(|name| self.get(name).map(|value| (*name, value)))
    }
}

/// Everything the pipeline needs, resolved and checked.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub disabled: bool,
    pub service_name: String,
    pub resource: Vec<KeyValue>,
    pub exporters: Vec<Exporter>,
    pub protocol: Protocol,
    /// The full URL spans are sent to.
    pub endpoint: String,
    /// Said once when the OTLP pipeline is installed: how to write a base
    /// endpoint given as a full traces URL (`base_endpoint`).
    pub endpoint_note: Option<String>,
    pub export_timeout: Duration,
    pub sampler: Sampler,
    pub batch: Batch,
    pub shutdown_timeout: Duration,
}

/// The batch processor's settings (`OTEL_BSP_*`), read from the same
/// environment as the rest so that `Setup::environment` governs them too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Batch {
    pub max_queue_size: usize,
    pub max_export_batch_size: usize,
    pub schedule_delay: Duration,
}

pub(crate) const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

impl Settings {
    pub(crate) fn resolve(env: &Environment, code: Overrides) -> Result<Self, SetupError> {
        let disabled = match code.disabled {
            Some(disabled) => disabled,
            None => parse_bool(env, "OTEL_SDK_DISABLED")?.unwrap_or(false),
        };
        let mut resource = match env.get("OTEL_RESOURCE_ATTRIBUTES") {
            Some(list) => parse_resource(&list)?,
            None => Vec::new(),
        };
        resource.extend(code.resource);
        let service_name = code
            .service_name
            .or_else(|| env.get("OTEL_SERVICE_NAME"))
            .or_else(|| resource_service_name(&resource))
            .unwrap_or_else(unknown_service);
        let exporters = match code.exporters {
            Some(list) => list,
            None => match env.get("OTEL_TRACES_EXPORTER") {
                Some(list) => parse_exporters(&list)?,
                None => vec![Exporter::Otlp],
            },
        };
        let protocol = match code.protocol {
            Some(protocol) => protocol,
            None => match env.first(&[
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            ]) {
                Some((name, value)) => parse_protocol(name, &value)?,
                None => Protocol::HttpProtobuf,
            },
        };
        let endpoint = resolve_endpoint(env, &code.endpoint, &code.traces_endpoint, protocol)?;
        let endpoint_note = exporters
            .contains(&Exporter::Otlp)
            .then(|| {
                super::base_endpoint::note(env, &code.endpoint, &code.traces_endpoint, protocol)
            })
            .flatten();
        let export_timeout = match code.export_timeout {
            Some(timeout) if timeout.is_zero() => {
                return Err(SetupError::invalid(
                    "Setup::export_timeout",
                    "0",
                    "an export needs some time; give it at least a millisecond",
                ));
            }
            Some(timeout) => timeout,
            None => match env.first(&[
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
                "OTEL_EXPORTER_OTLP_TIMEOUT",
            ]) {
                Some((name, value)) => parse_millis(name, &value)?,
                None => DEFAULT_EXPORT_TIMEOUT,
            },
        };
        let sampler = match code.sampler {
            Some(sampler) => check_sampler(sampler)?,
            None => parse_sampler(env)?,
        };
        let batch = resolve_batch(env, code.max_queue_size)?;
        Ok(Settings {
            disabled,
            service_name,
            resource,
            exporters,
            protocol,
            endpoint,
            endpoint_note,
            export_timeout,
            sampler,
            batch,
            shutdown_timeout: code.shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT),
        })
    }

    /// True when spans are to be recorded at all.
    pub(crate) fn records(&self) -> bool {
        !self.disabled && self.exporters.iter().any(|e| *e != Exporter::None)
    }
}

/// The SDK's defaults, unless the environment or code says otherwise; a
/// batch is never larger than the queue.
fn resolve_batch(env: &Environment, queue_from_code: Option<usize>) -> Result<Batch, SetupError> {
    let count = |name: &str, default: usize| match env.get(name) {
        Some(value) => parse_count(name, &value, MAX_QUEUE_SIZE),
        None => Ok(default),
    };
    let max_queue_size = match queue_from_code {
        Some(size) => check_count("Setup::max_queue_size", size, MAX_QUEUE_SIZE)?,
        None => count("OTEL_BSP_MAX_QUEUE_SIZE", 2048)?,
    };
    let max_export_batch_size = count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512)?.min(max_queue_size);
    let schedule_delay = match env.get("OTEL_BSP_SCHEDULE_DELAY") {
        Some(value) => parse_millis("OTEL_BSP_SCHEDULE_DELAY", &value)?,
        None => Duration::from_millis(5000),
    };
    Ok(Batch {
        max_queue_size,
        max_export_batch_size,
        schedule_delay,
    })
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
