//! gRPC status codes: reading them from headers or trailers, naming them,
//! and which of them fail a span.

use http::HeaderMap;

/// A gRPC status as it arrived: `grpc-status`, and `grpc-message` decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrpcStatus {
    pub code: u32,
    pub message: String,
}

impl GrpcStatus {
    /// The status in `headers` (trailers, or the headers of a trailers-only
    /// response); `None` when they have no readable `grpc-status`.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let code = headers
            .get("grpc-status")?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let message = headers
            .get("grpc-message")
            .map(|value| decode_message(value.as_bytes()))
            .unwrap_or_default();
        Some(GrpcStatus { code, message })
    }

    /// The code's name, as `rpc.response.status_code` and `error.type` record it.
    pub fn name(&self) -> &'static str {
        NAMES.get(self.code as usize).copied().unwrap_or("_OTHER")
    }

    pub fn is_ok(&self) -> bool {
        self.code == 0
    }

    /// A server span fails only for the codes that say the server is at
    /// fault (the RPC conventions for gRPC): UNKNOWN, DEADLINE_EXCEEDED,
    /// UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS.
    pub fn fails_server(&self) -> bool {
        matches!(self.code, 2 | 4 | 12 | 13 | 14 | 15)
    }
}

/// By code number.
const NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// `grpc-message` is percent-encoded UTF-8 (the gRPC HTTP/2 spec); bad
/// escapes are kept as they are, and bad UTF-8 replaced.
fn decode_message(bytes: &[u8]) -> String {
    percent_encoding::percent_decode(bytes)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: &str, message: Option<&str>) -> Option<GrpcStatus> {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-status", code.parse().unwrap());
        if let Some(message) = message {
            headers.insert("grpc-message", message.parse().unwrap());
        }
        GrpcStatus::from_headers(&headers)
    }

    #[test]
    fn reads_code_and_decoded_message() {
        let found = status("5", Some("no%20sku%20%E2%80%9Cdesk%E2%80%9D 100%")).unwrap();
        assert_eq!(found.code, 5);
        assert_eq!(found.name(), "NOT_FOUND");
        assert_eq!(found.message, "no sku “desk” 100%");
        assert!(!found.fails_server());
    }

    #[test]
    fn names_and_server_faults() {
        let names: Vec<_> = (0..=17)
            .map(|code| status(&code.to_string(), None).unwrap().name())
            .collect();
        assert_eq!(names[0], "OK");
        assert_eq!(names[13], "INTERNAL");
        assert_eq!(names[16], "UNAUTHENTICATED");
        assert_eq!(names[17], "_OTHER");
        let faults: Vec<u32> = (0..=16)
            .filter(|&code| status(&code.to_string(), None).unwrap().fails_server())
            .collect();
        assert_eq!(faults, [2, 4, 12, 13, 14, 15]);
    }

    #[test]
    fn no_readable_status_is_none() {
        assert_eq!(GrpcStatus::from_headers(&HeaderMap::new()), None);
        assert_eq!(status("ok", None), None);
    }
}
