//! A base endpoint written as a full signal URL:
//! `OTEL_EXPORTER_OTLP_ENDPOINT=http://host:4318/v1/traces`.
//!
//! The base endpoint gets each signal's path appended (`/v1/traces`,
//! `/v1/logs`), so taken literally that value sends spans to
//! `/v1/traces/v1/traces`, which every collector answers with a 404 or 501.
//! No collector serves OTLP under a `/v1/traces` prefix, so the meaning is
//! clear: `init` takes the URL without the signal path as the base, and
//! reports once how to write it. Refusing it instead would stop a service
//! from starting over a value whose intent is not in doubt.

use super::config::{Environment, Protocol};

/// The paths OTLP/HTTP appends to a base endpoint.
const SIGNAL_PATHS: [&str; 3] = ["/v1/traces", "/v1/logs", "/v1/metrics"];

/// `url` without a trailing signal path (and `/`), the base to append a
/// signal's path to.
pub(crate) fn without_signal_path(url: &str) -> &str {
    let url = url.trim_end_matches('/');
    SIGNAL_PATHS
        .iter()
        .find_map(|path| url.strip_suffix(path))
        .unwrap_or(url)
}

/// What to report when the base endpoint spans go to over HTTP ends in a
/// signal path; `None` when it does not, or when traces have a URL of
/// their own. The order is that of `resolve_endpoint`.
pub(crate) fn note(
    env: &Environment,
    base_from_code: &Option<String>,
    traces_from_code: &Option<String>,
    protocol: Protocol,
) -> Option<String> {
    if protocol != Protocol::HttpProtobuf || traces_from_code.is_some() {
        return None;
    }
    let (url, write) = match base_from_code {
        Some(url) => (url.clone(), Write::Code),
        None if env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").is_some() => return None,
        None => (env.get("OTEL_EXPORTER_OTLP_ENDPOINT")?, Write::Variable),
    };
    let url = url.trim_end_matches('/');
    let base = without_signal_path(url);
    if base == url {
        return None;
    }
    let path = &url[base.len()..];
    let (setting, fixed, full) = match write {
        Write::Code => (
            format!("Setup::endpoint({url:?})"),
            format!("`.endpoint({base:?})`"),
            format!("`.traces_endpoint(\"{base}/v1/traces\")`"),
        ),
        Write::Variable => (
            format!("OTEL_EXPORTER_OTLP_ENDPOINT={url}"),
            format!("`OTEL_EXPORTER_OTLP_ENDPOINT={base}`"),
            format!("`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT={base}/v1/traces`"),
        ),
    };
    Some(format!(
        "traced::init: {setting} ends in `{path}`, but it is the base URL each signal's path is \
         appended to; spans are sent to {base}/v1/traces (not {url}/v1/traces). \
         Write {fixed}, or give the full traces URL as {full}"
    ))
}

/// Where the base endpoint was given, to say how to write it there.
enum Write {
    Code,
    Variable,
}

#[cfg(test)]
mod tests {
    use super::super::config::{Environment, Overrides, Settings};

    fn resolve(vars: &[(&str, &str)], code: Overrides) -> Settings {
        let env = Environment::fixed(vars);
        Settings::resolve(&env, code).unwrap()
    }

    const BASE: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";

    #[test]
    fn a_base_ending_in_a_signal_path_is_taken_without_it_and_noted() {
        for (base, expected) in [
            ("http://collector:4318/v1/traces", "http://collector:4318"),
            ("http://collector:4318/v1/traces/", "http://collector:4318"),
            (
                "http://collector:4318/otlp/v1/traces",
                "http://collector:4318/otlp",
            ),
            ("http://collector:4318/v1/logs", "http://collector:4318"),
        ] {
            let s = resolve(&[(BASE, base)], Overrides::default());
            assert_eq!(s.endpoint, format!("{expected}/v1/traces"), "{base}");
            let note = s.endpoint_note.expect(base);
            assert!(
                note.contains(&format!("`{BASE}={expected}`"))
                    && note.contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=")
                    && note.contains(&format!("spans are sent to {expected}/v1/traces")),
                "{note}"
            );
        }
    }

    #[test]
    fn in_code_the_note_names_the_builder_methods() {
        let code = Overrides {
            endpoint: Some("http://127.0.0.1:4318/v1/traces".into()),
            ..Overrides::default()
        };
        let s = resolve(&[], code);
        assert_eq!(s.endpoint, "http://127.0.0.1:4318/v1/traces");
        let note = s.endpoint_note.unwrap();
        assert!(
            note.contains("Setup::endpoint(\"http://127.0.0.1:4318/v1/traces\")")
                && note.contains("`.endpoint(\"http://127.0.0.1:4318\")`")
                && note.contains("`.traces_endpoint(\"http://127.0.0.1:4318/v1/traces\")`"),
            "{note}"
        );
    }

    #[test]
    fn nothing_is_noted_when_the_base_is_not_what_spans_use() {
        let cases: [&[(&str, &str)]; 5] = [
            // A plain base, and a path that is not a signal's.
            &[(BASE, "http://collector:4318")],
            &[(BASE, "http://collector:4318/otlp")],
            // Traces have a URL of their own, used as given.
            &[
                (BASE, "http://collector:4318/v1/traces"),
                (
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    "http://collector:4318/v1/traces",
                ),
            ],
            // gRPC appends nothing.
            &[
                (BASE, "http://collector:4317/v1/traces"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ],
            // No OTLP exporter: the endpoint is not used.
            &[
                (BASE, "http://collector:4318/v1/traces"),
                ("OTEL_TRACES_EXPORTER", "console"),
            ],
        ];
        for vars in cases {
            let s = resolve(vars, Overrides::default());
            assert_eq!(s.endpoint_note, None, "{vars:?}");
        }
        let traces = resolve(
            &[
                (BASE, "http://collector:4318/v1/traces"),
                (
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    "http://other:4318/v1/traces",
                ),
            ],
            Overrides::default(),
        );
        assert_eq!(traces.endpoint, "http://other:4318/v1/traces");
        let grpc = resolve(
            &[
                (BASE, "http://collector:4317/v1/traces"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ],
            Overrides::default(),
        );
        assert_eq!(grpc.endpoint, "http://collector:4317/v1/traces");
    }
}
