//! `url.full` without secrets, as the semantic conventions ask: credentials
//! in the URL and the values of query parameters that carry signatures are
//! replaced by `REDACTED`.

/// What replaces a secret.
const REDACTED: &str = "REDACTED";

/// Query keys whose values are credentials (the conventions' list, plus
/// the AWS ones of the same kind); matched case-sensitively, as they ask.
const SENSITIVE_QUERY_KEYS: &[&str] = &[
    "AWSAccessKeyId",
    "Signature",
    "sig",
    "X-Goog-Signature",
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
];

/// `url` as the `url.full` attribute records it.
pub(crate) fn full_url(url: &reqwest::Url) -> String {
    let secret_query = url.query().is_some_and(|query| {
        query
            .split('&')
            .any(|pair| SENSITIVE_QUERY_KEYS.contains(&key_of(pair)))
    });
    if url.username().is_empty() && url.password().is_none() && !secret_query {
        return url.as_str().to_owned();
    }
    let mut url = url.clone();
    if !url.username().is_empty() {
        // Fails only for URLs that cannot have credentials, which have none.
        let _ = url.set_username(REDACTED);
    }
    if url.password().is_some() {
        let _ = url.set_password(Some(REDACTED));
    }
    if secret_query {
        let query = url.query().map(redact_query);
        url.set_query(query.as_deref());
    }
    url.into()
}

fn key_of(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(key, _)| key)
}

/// The query with each sensitive key's value replaced, everything else as it was.
fn redact_query(query: &str) -> String {
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let key = key_of(pair);
            if SENSITIVE_QUERY_KEYS.contains(&key) {
                format!("{key}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    pairs.join("&")
}

#[cfg(test)]
mod tests {
    use super::full_url;

    fn redacted(url: &str) -> String {
        full_url(&url.parse().unwrap())
    }

    #[test]
    fn a_plain_url_is_kept() {
        let url = "http://127.0.0.1:8080/stock/lamp?qty=2&x=%20";
        assert_eq!(redacted(url), url);
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(
            redacted("https://ann:hunter2@shop.example/a"),
            "https://REDACTED:REDACTED@shop.example/a"
        );
        assert_eq!(
            redacted("https://ann@shop.example/a"),
            "https://REDACTED@shop.example/a"
        );
    }

    #[test]
    fn signature_values_are_redacted_and_other_parameters_kept() {
        assert_eq!(
            redacted("https://s3.example/f?X-Amz-Signature=abc&part=2&sig=def&Signature"),
            "https://s3.example/f?X-Amz-Signature=REDACTED&part=2&sig=REDACTED&Signature=REDACTED"
        );
        // Keys are matched case-sensitively, as the conventions ask.
        assert_eq!(
            redacted("https://s.example/?SIG=1"),
            "https://s.example/?SIG=1"
        );
    }
}
