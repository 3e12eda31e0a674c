//! What `traced` reads of log records, for the exporters, captures and the
//! waterfall alike.

use opentelemetry::logs::AnyValue;

/// A log body or attribute as text: strings as they are, numbers and
/// booleans as written, anything else as its `Debug`.
pub(crate) fn any_value_text(value: &AnyValue) -> String {
    match value {
        AnyValue::String(text) => text.as_str().to_owned(),
        AnyValue::Int(number) => number.to_string(),
        AnyValue::Double(number) => number.to_string(),
        AnyValue::Boolean(flag) => flag.to_string(),
        other => format!("{other:?}"),
    }
}

/// True for what the OpenTelemetry crates log about themselves (their
/// `internal-logs` feature, often on by default): "queue full", "export
/// failed". `traced` reports those facts once through its own reporter;
/// exported as log records they would go into the very queue they are
/// about. The OpenTelemetry examples filter these targets out the same way.
#[cfg(any(feature = "logs", feature = "testing"))]
pub(crate) fn is_opentelemetry_internal(target: &str) -> bool {
    target.starts_with("opentelemetry")
}
