//! Settings from variables and code: what is read, what wins, what is refused.

use super::*;

fn env(vars: &[(&str, &str)]) -> Environment {
    Environment::fixed(vars)
}

fn resolve(vars: &[(&str, &str)]) -> Result<Settings, SetupError> {
    Settings::resolve(&env(vars), Overrides::default())
}

fn error(vars: &[(&str, &str)]) -> String {
    resolve(vars).unwrap_err().to_string()
}

#[test]
fn defaults_follow_the_specification() {
    let s = resolve(&[]).unwrap();
    assert_eq!(s.exporters, [Exporter::Otlp]);
    assert_eq!(s.protocol, Protocol::HttpProtobuf);
    assert_eq!(s.endpoint, "http://localhost:4318/v1/traces");
    assert_eq!(s.sampler, Sampler::ParentBasedAlwaysOn);
    assert_eq!(s.export_timeout, DEFAULT_EXPORT_TIMEOUT);
    assert!(s.service_name.starts_with("unknown_service"));
    assert!(!s.disabled && s.records());
}

#[test]
fn variables_are_read() {
    let s = resolve(&[
        ("OTEL_SERVICE_NAME", "checkout"),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment=prod, team=a%20b",
        ),
        ("OTEL_TRACES_EXPORTER", "otlp,console"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
    ])
    .unwrap();
    assert_eq!(s.service_name, "checkout");
    assert_eq!(
        s.resource,
        [
            KeyValue::new("deployment.environment", "prod"),
            KeyValue::new("team", "a b")
        ]
    );
    assert_eq!(s.exporters, [Exporter::Otlp, Exporter::Console]);
    assert_eq!(s.protocol, Protocol::Grpc);
    assert_eq!(s.endpoint, "http://collector:4317");
    assert_eq!(s.export_timeout, Duration::from_millis(2500));
    assert_eq!(s.sampler, Sampler::ParentBasedTraceIdRatio(0.25));
}

#[test]
fn signal_specific_variables_win_and_are_used_as_given() {
    let s = resolve(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"),
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://traces:9999/custom",
        ),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"),
    ])
    .unwrap();
    assert_eq!(s.endpoint, "http://traces:9999/custom");
    assert_eq!(s.protocol, Protocol::HttpProtobuf);
}

#[test]
fn service_name_falls_back_to_resource_attributes() {
    let s = resolve(&[("OTEL_RESOURCE_ATTRIBUTES", "service.name=billing")]).unwrap();
    assert_eq!(s.service_name, "billing");
}

#[test]
fn code_wins_over_variables() {
    let code = Overrides {
        service_name: Some("from-code".into()),
        endpoint: Some("http://127.0.0.1:1234/".into()),
        sampler: Some(Sampler::AlwaysOff),
        exporters: Some(vec![Exporter::Console]),
        disabled: Some(false),
        ..Overrides::default()
    };
    let vars = env(&[
        ("OTEL_SERVICE_NAME", "from-env"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://elsewhere:4318"),
        ("OTEL_TRACES_SAMPLER", "always_on"),
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_SDK_DISABLED", "true"),
    ]);
    let s = Settings::resolve(&vars, code).unwrap();
    assert_eq!(s.service_name, "from-code");
    assert_eq!(s.endpoint, "http://127.0.0.1:1234/v1/traces");
    assert_eq!(s.sampler, Sampler::AlwaysOff);
    assert_eq!(s.exporters, [Exporter::Console]);
    assert!(!s.disabled);
}

#[test]
fn disabled_and_none_record_nothing() {
    assert!(!resolve(&[("OTEL_SDK_DISABLED", "TRUE")]).unwrap().records());
    assert!(
        !resolve(&[("OTEL_TRACES_EXPORTER", "none")])
            .unwrap()
            .records()
    );
    assert!(
        resolve(&[("OTEL_SDK_DISABLED", "false")])
            .unwrap()
            .records()
    );
}

/// Asserts `init` refuses `vars` with a message holding every part of `expected`.
fn assert_refused(vars: &[(&str, &str)], expected: &[&str]) {
    let message = error(vars);
    assert!(message.starts_with("traced::init: "), "{message}");
    for part in expected {
        assert!(
            message.contains(part),
            "{message:?} should mention {part:?}"
        );
    }
}

#[test]
fn bad_values_name_the_variable_the_value_and_what_is_accepted() {
    assert_refused(
        &[("OTEL_SDK_DISABLED", "yes")],
        &["OTEL_SDK_DISABLED", "\"yes\"", "`true` or `false`"],
    );
    assert_refused(
        &[("OTEL_TRACES_EXPORTER", "otlp,kafka")],
        &["OTEL_TRACES_EXPORTER", "`kafka`", "`console`"],
    );
    assert_refused(
        &[("OTEL_TRACES_EXPORTER", "zipkin")],
        &["`zipkin` is not built in", "OTLP"],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")],
        &["OTEL_EXPORTER_OTLP_PROTOCOL", "JSON is not supported"],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "udp")],
        &[
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "`grpc` or `http/protobuf`",
        ],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317")],
        &["OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318"],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://host:99999")],
        &["OTEL_EXPORTER_OTLP_ENDPOINT", "http://host[:port]"],
    );
    assert_refused(
        &[(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "https://api.example.com",
        )],
        &["TLS is not built into traced"],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_TIMEOUT", "10s")],
        &["OTEL_EXPORTER_OTLP_TIMEOUT", "milliseconds"],
    );
    assert_refused(
        &[("OTEL_TRACES_SAMPLER", "sometimes")],
        &["OTEL_TRACES_SAMPLER", "`always_on`"],
    );
    assert_refused(
        &[
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
        ],
        &["OTEL_TRACES_SAMPLER_ARG", "from 0 to 1"],
    );
    assert_refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "team")],
        &["OTEL_RESOURCE_ATTRIBUTES", "`team` has no `=`"],
    );
    assert_refused(&[("OTEL_RESOURCE_ATTRIBUTES", "=x")], &["empty key"]);
    assert_refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "team=%zz")],
        &["percent-encoding"],
    );
}

#[test]
fn bad_values_from_code_are_refused_too() {
    let code = Overrides {
        sampler: Some(Sampler::TraceIdRatio(-0.5)),
        ..Overrides::default()
    };
    let message = Settings::resolve(&env(&[]), code).unwrap_err().to_string();
    assert!(
        message.contains("Setup::sampler") && message.contains("from 0 to 1"),
        "{message}"
    );
    let code = Overrides {
        max_queue_size: Some(0),
        ..Overrides::default()
    };
    let message = Settings::resolve(&env(&[]), code).unwrap_err().to_string();
    assert!(message.contains("max_queue_size"), "{message}");
}

#[test]
fn sizes_and_times_are_bounded() {
    assert_refused(
        &[("OTEL_BSP_MAX_QUEUE_SIZE", "18446744073709551615")],
        &["OTEL_BSP_MAX_QUEUE_SIZE", "from 1 to 1048576"],
    );
    assert_refused(&[("OTEL_BSP_MAX_QUEUE_SIZE", "0")], &["from 1 to 1048576"]);
    assert_refused(
        &[("OTEL_BSP_SCHEDULE_DELAY", "0")],
        &["OTEL_BSP_SCHEDULE_DELAY", "above 0"],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_TIMEOUT", "0")],
        &["OTEL_EXPORTER_OTLP_TIMEOUT", "above 0"],
    );
    let code = Overrides {
        max_queue_size: Some(100_000_000),
        ..Overrides::default()
    };
    let message = Settings::resolve(&env(&[]), code).unwrap_err().to_string();
    assert!(
        message.contains("Setup::max_queue_size") && message.contains("1048576"),
        "{message}"
    );

    let s = resolve(&[
        ("OTEL_BSP_MAX_QUEUE_SIZE", "100"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512"),
        ("OTEL_BSP_SCHEDULE_DELAY", "250"),
    ])
    .unwrap();
    assert_eq!(s.batch.max_queue_size, 100);
    assert_eq!(
        s.batch.max_export_batch_size, 100,
        "never larger than the queue"
    );
    assert_eq!(s.batch.schedule_delay, Duration::from_millis(250));
}

#[test]
fn endpoints_are_checked_like_the_exporters_check_them() {
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://:4318")],
        &["http://host[:port]"],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318/a b")],
        &["http://host[:port]"],
    );
    assert_refused(
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1")],
        &["http://host[:port]"],
    );
    let s = resolve(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "HTTP://Collector:4318")]).unwrap();
    assert_eq!(
        s.endpoint, "http://Collector:4318/v1/traces",
        "the scheme is case-insensitive"
    );
}

#[test]
fn percent_signs_need_two_hex_digits() {
    assert_refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "k=%+1")],
        &["percent-encoding"],
    );
    assert_refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "k=%4")],
        &["percent-encoding"],
    );
    assert_refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "k=%41%")],
        &["percent-encoding"],
    );
    assert_refused(
        &[("OTEL_RESOURCE_ATTRIBUTES", "k=%ff")],
        &["percent-encoding"],
    );
    let s = resolve(&[("OTEL_RESOURCE_ATTRIBUTES", "k=%E2%80%9Cq%22%25")]).unwrap();
    assert_eq!(s.resource, [KeyValue::new("k", "“q\"%")]);
}
