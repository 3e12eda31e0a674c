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

/// What connecting to `endpoint` (an `http://host:port/...` URL) shows.
pub(crate) fn connection_hint(endpoint: &str) -> Option<String> {
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

    use super::connection_hint;

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
}
