//! Saying why the first export failed, when the exporter does not.
//!
//! The OTLP/HTTP exporter reports a refused connection and a collector that
//! never answers alike ("network error"). One plain TCP connection to the
//! endpoint, made when the first failure of an outage is reported, tells
//! them apart.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long the check may take: it runs on the export thread, once per outage.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// Why the first export of an outage failed, as far as can be told: for an
/// HTTP answer that means "nothing here" (404, 405, 501), the path that was
/// asked; otherwise what connecting to the endpoint shows.
pub(crate) fn failure_hint(endpoint: &str, error: &str) -> Option<String> {
    path_hint(endpoint, error).or_else(|| connection_hint(endpoint))
}

/// The statuses a server gives for a path it has no handler for; the
/// OTLP/HTTP exporter's error reads `... status code: 404`.
const NOTHING_THERE: [&str; 3] = ["404", "405", "501"];

fn path_hint(endpoint: &str, error: &str) -> Option<String> {
    let status = NOTHING_THERE
        .iter()
        .find(|status| error.contains(&format!("status code: {status}")))?;
    let uri: http::Uri = endpoint.parse().ok()?;
    let path = uri.path();
    let advice = if path == "/v1/traces" {
        "so it takes no OTLP there: is it an OTLP receiver, and this its OTLP/HTTP port (4318 by default)?"
    } else {
        "so nothing there takes OTLP: OTLP/HTTP collectors take spans at /v1/traces; a signal's own \
         endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is used as given, and the base one \
         (OTEL_EXPORTER_OTLP_ENDPOINT) gets /v1/traces appended"
    };
    Some(format!(
        "the server answered {status} to a POST of {path}, {advice}"
    ))
}

/// What connecting to `endpoint` (an `http://host:port/...` URL) shows.
fn connection_hint(endpoint: &str) -> Option<String> {
    let (host, port) = super::parse::host_and_port(endpoint)?;
    let address = (host.as_str(), port).to_socket_addrs().ok()?.next()?;
    Some(
        match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
            Ok(_) => format!(
                "{address} accepts connections, so the collector answered with an error or not within the export timeout"
            ),
            Err(error) => format!("connecting to {address}: {error}"),
        },
    )
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::{connection_hint, failure_hint};

    #[test]
    fn tells_a_refused_port_from_a_listening_one() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = format!("http://{}/v1/traces", listener.local_addr().unwrap());
        let hint = connection_hint(&open).unwrap();
        assert!(hint.contains("accepts connections"), "{hint}");

        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let hint = connection_hint(&format!("http://{closed}/v1/traces")).unwrap();
        assert!(
            hint.starts_with(&format!("connecting to {closed}: ")),
            "{hint}"
        );

        assert_eq!(connection_hint("standard output"), None);
    }

    #[test]
    fn a_status_for_a_missing_path_names_the_path() {
        let hint = failure_hint(
            "http://127.0.0.1:1/v1/traces/v1/traces",
            "HTTP export failed with status code: 404",
        )
        .unwrap();
        assert!(
            hint.contains("answered 404 to a POST of /v1/traces/v1/traces"),
            "{hint}"
        );
        assert!(hint.contains("take spans at /v1/traces"), "{hint}");
        // At the right path: the wrong server, or the wrong port.
        let hint = failure_hint(
            "http://127.0.0.1:1/v1/traces",
            "HTTP export failed with status code: 501",
        )
        .unwrap();
        assert!(
            hint.contains("answered 501 to a POST of /v1/traces, so it takes no OTLP there"),
            "{hint}"
        );
        // Other answers say what connecting shows (here: refused).
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let hint = failure_hint(
            &format!("http://{closed}/v1/traces"),
            "HTTP export failed with status code: 500",
        )
        .unwrap();
        assert!(
            hint.starts_with(&format!("connecting to {closed}: ")),
            "{hint}"
        );
    }
}
