//! Reading each `OTEL_*` value, refusing what the specification does not allow.

use std::time::Duration;

use opentelemetry::KeyValue;

use super::config::{Environment, Exporter, Protocol, Sampler};
use super::error::SetupError;

pub(crate) fn parse_bool(env: &Environment, name: &str) -> Result<Option<bool>, SetupError> {
    let Some(value) = env.get(name) else {
        return Ok(None);
    };
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        _ => Err(SetupError::invalid(
            name,
            &value,
            "expected `true` or `false`",
        )),
    }
}

/// `key1=value1,key2=value2`, values percent-encoded (W3C baggage octets).
pub(crate) fn parse_resource(list: &str) -> Result<Vec<KeyValue>, SetupError> {
    let bad = |why: &str| SetupError::invalid("OTEL_RESOURCE_ATTRIBUTES", list, why);
    let mut attributes = Vec::new();
    for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(bad(&format!(
                "`{pair}` has no `=`; expected `key=value,key=value`"
            )));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(bad(&format!("`{pair}` has an empty key")));
        }
        let value = percent_decode(value.trim())
            .ok_or_else(|| bad(&format!("`{pair}` has a bad percent-encoding")))?;
        attributes.push(KeyValue::new(key.to_owned(), value));
    }
    Ok(attributes)
}

/// Decoded by `percent-encoding`, which passes a bad escape through as it
/// is; the specification discards the whole value instead, so each `%` must
/// start two hex digits (`%+1`, `%4` and `%zz` are refused).
fn percent_decode(text: &str) -> Option<String> {
    let two_hex_digits = |after: &str| {
        after
            .get(..2)
            .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if !text.split('%').skip(1).all(two_hex_digits) {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()?;
    Some(decoded.into_owned())
}

pub(crate) fn resource_service_name(resource: &[KeyValue]) -> Option<String> {
    resource
        .iter()
        .rev()
        .find(|kv| kv.key.as_str() == "service.name")
        .map(|kv| kv.value.to_string())
}

/// The specification's fallback: `unknown_service:` and the executable's name.
pub(crate) fn unknown_service() -> String {
    let program = std::env::current_exe()
        .ok()
        .and_then(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()));
    match program {
        Some(program) => format!("unknown_service:{program}"),
        None => "unknown_service".to_owned(),
    }
}

pub(crate) fn parse_exporters(list: &str) -> Result<Vec<Exporter>, SetupError> {
    parse_exporter_list("OTEL_TRACES_EXPORTER", list)
}

/// `otlp`, `console`, `none` or a list of them, from `variable`
/// (`OTEL_TRACES_EXPORTER`, `OTEL_LOGS_EXPORTER`).
pub(crate) fn parse_exporter_list(variable: &str, list: &str) -> Result<Vec<Exporter>, SetupError> {
    let mut exporters = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let exporter = match name.to_ascii_lowercase().as_str() {
            "otlp" => Exporter::Otlp,
            "console" => Exporter::Console,
            "none" => Exporter::None,
            "jaeger" | "zipkin" => {
                return Err(SetupError::invalid(
                    variable,
                    list,
                    format!(
                        "`{name}` is not built in; use `otlp` (Jaeger, Zipkin and Tempo all accept OTLP)"
                    ),
                ));
            }
            _ => {
                return Err(SetupError::invalid(
                    variable,
                    list,
                    format!("unknown exporter `{name}`; expected `otlp`, `console` or `none`"),
                ));
            }
        };
        if !exporters.contains(&exporter) {
            exporters.push(exporter);
        }
    }
    Ok(exporters)
}

pub(crate) fn parse_protocol(name: &str, value: &str) -> Result<Protocol, SetupError> {
    match value {
        "grpc" => Ok(Protocol::Grpc),
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        "http/json" => Err(SetupError::invalid(
            name,
            value,
            "JSON is not supported; use `http/protobuf` or `grpc`",
        )),
        _ => Err(SetupError::invalid(
            name,
            value,
            "expected `grpc` or `http/protobuf`",
        )),
    }
}

/// The names one signal's endpoint is set by, and the path HTTP appends to
/// a base endpoint for it.
pub(crate) struct Signal {
    /// The builder method of the signal's full URL (`Setup::traces_endpoint`).
    pub setting: &'static str,
    /// Its variable (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`).
    pub variable: &'static str,
    /// `/v1/traces`, `/v1/logs`.
    pub path: &'static str,
}

pub(crate) const TRACES: Signal = Signal {
    setting: "Setup::traces_endpoint",
    variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    path: "/v1/traces",
};

/// The traces URL: a signal-specific endpoint is used as given; a base
/// endpoint gets `/v1/traces` for HTTP, as the specification says.
pub(crate) fn resolve_endpoint(
    env: &Environment,
    base: &Option<String>,
    traces: &Option<String>,
    protocol: Protocol,
) -> Result<String, SetupError> {
    resolve_signal_endpoint(env, base, traces, protocol, &TRACES)
}

/// The URL of `signal`: its own endpoint (code, then variable) is used as
/// given; a base endpoint gets the signal's path for HTTP.
pub(crate) fn resolve_signal_endpoint(
    env: &Environment,
    base: &Option<String>,
    own: &Option<String>,
    protocol: Protocol,
    signal: &Signal,
) -> Result<String, SetupError> {
    let (setting, url, is_base) = if let Some(url) = own {
        (signal.setting, url.clone(), false)
    } else if let Some(url) = base {
        ("Setup::endpoint", url.clone(), true)
    } else if let Some(url) = env.get(signal.variable) {
        (signal.variable, url, false)
    } else if let Some(url) = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") {
        ("OTEL_EXPORTER_OTLP_ENDPOINT", url, true)
    } else {
        let default = match protocol {
            Protocol::Grpc => "http://localhost:4317",
            Protocol::HttpProtobuf => "http://localhost:4318",
        };
        ("default endpoint", default.to_owned(), true)
    };
    let url = check_url(setting, &url)?;
    Ok(match (protocol, is_base) {
        // A base written as a full signal URL (`…/v1/traces`) is taken
        // without that path; `init` reports it (`base_endpoint::note`).
        (Protocol::HttpProtobuf, true) => {
            format!(
                "{}{}",
                super::base_endpoint::without_signal_path(&url),
                signal.path
            )
        }
        _ => url,
    })
}

fn check_url(setting: &str, url: &str) -> Result<String, SetupError> {
    // The scheme is case-insensitive; the rest is kept as written.
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let (scheme, rest) = url.split_at(scheme_end);
    if !scheme.eq_ignore_ascii_case("http://") {
        let why = if scheme.eq_ignore_ascii_case("https://") {
            "TLS is not built into traced; send to a local collector over `http://` and let it forward over TLS"
        } else {
            "expected a URL such as `http://localhost:4318`"
        };
        return Err(SetupError::invalid(setting, url, why));
    }
    let url = format!("http://{rest}");
    // The exporters parse it as an `http::Uri`; refusing here names the setting.
    // Not `url::Url`: it takes what `Uri` refuses (a space in the path).
    if host_and_port(&url).is_none() {
        return Err(SetupError::invalid(
            setting,
            &url,
            "expected `http://host[:port][/path]`",
        ));
    }
    Ok(url)
}

/// The host (IPv6 without brackets) and port of an `http://` URL, or `None`
/// when it is not one the exporters can use.
pub(crate) fn host_and_port(url: &str) -> Option<(String, u16)> {
    let uri: http::Uri = url.parse().ok()?;
    let host = uri.host().filter(|host| !host.is_empty())?;
    // `Uri` keeps a port it cannot read (`:99999`) and just reports none.
    let authority = uri.authority()?.as_str();
    let port = match authority.rsplit_once(':') {
        Some((_, port)) if !authority.ends_with(']') => port.parse().ok()?,
        _ => 80,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host.to_owned(), port))
}

/// A positive count (`OTEL_BSP_MAX_QUEUE_SIZE` and the like).
/// The largest queue `init` accepts: the SDK allocates the whole queue up
/// front (a few hundred bytes a slot), so a huge value would abort.
pub(crate) const MAX_QUEUE_SIZE: usize = 1 << 20;

/// A count from 1 to `max` (`OTEL_BSP_MAX_QUEUE_SIZE` and the like).
pub(crate) fn parse_count(name: &str, value: &str, max: usize) -> Result<usize, SetupError> {
    match value.parse::<usize>() {
        Ok(count) => check_count(name, count, max),
        Err(_) => Err(SetupError::invalid(
            name,
            value,
            format!("expected a whole number from 1 to {max}"),
        )),
    }
}

/// `count` when it is from 1 to `max`.
pub(crate) fn check_count(name: &str, count: usize, max: usize) -> Result<usize, SetupError> {
    if (1..=max).contains(&count) {
        Ok(count)
    } else {
        Err(SetupError::invalid(
            name,
            &count.to_string(),
            format!("expected a whole number from 1 to {max}"),
        ))
    }
}

/// A positive number of milliseconds: zero would make every export time out
/// at once, or the batch thread spin.
pub(crate) fn parse_millis(name: &str, value: &str) -> Result<Duration, SetupError> {
    match value.parse::<u64>() {
        Ok(millis) if millis > 0 => Ok(Duration::from_millis(millis)),
        _ => Err(SetupError::invalid(
            name,
            value,
            "expected a whole number of milliseconds above 0",
        )),
    }
}

pub(crate) fn parse_sampler(env: &Environment) -> Result<Sampler, SetupError> {
    let Some(name) = env.get("OTEL_TRACES_SAMPLER") else {
        return Ok(Sampler::ParentBasedAlwaysOn);
    };
    let ratio = || -> Result<f64, SetupError> {
        let Some(arg) = env.get("OTEL_TRACES_SAMPLER_ARG") else {
            return Ok(1.0);
        };
        match arg.parse::<f64>() {
            Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
            _ => Err(SetupError::invalid(
                "OTEL_TRACES_SAMPLER_ARG",
                &arg,
                "expected a ratio from 0 to 1, such as `0.25`",
            )),
        }
    };
    Ok(match name.to_ascii_lowercase().as_str() {
        "always_on" => Sampler::AlwaysOn,
        "always_off" => Sampler::AlwaysOff,
        "traceidratio" => Sampler::TraceIdRatio(ratio()?),
        "parentbased_always_on" => Sampler::ParentBasedAlwaysOn,
        "parentbased_always_off" => Sampler::ParentBasedAlwaysOff,
        "parentbased_traceidratio" => Sampler::ParentBasedTraceIdRatio(ratio()?),
        _ => {
            return Err(SetupError::invalid(
                "OTEL_TRACES_SAMPLER",
                &name,
                "expected one of `always_on`, `always_off`, `traceidratio`, \
                 `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio`",
            ));
        }
    })
}

pub(crate) fn check_sampler(sampler: Sampler) -> Result<Sampler, SetupError> {
    match sampler {
        Sampler::TraceIdRatio(r) | Sampler::ParentBasedTraceIdRatio(r)
            if !(0.0..=1.0).contains(&r) =>
        {
            Err(SetupError::invalid(
                "Setup::sampler",
                &r.to_string(),
                "the ratio must be from 0 to 1",
            ))
        }
        _ => Ok(sampler),
    }
}
