//! How the services talk: small `key=value&key=value` bodies (three fields do
//! not need serde) and POSTs that carry the caller's trace context.

use axum::http::StatusCode;
use traced::http::TracedRequest as _;

/// The value of `key` in `body`.
pub fn field<'a>(body: &'a str, key: &str) -> Result<&'a str, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(k, v)| (k == key).then_some(v))
        .ok_or_else(|| format!("the body has no `{key}=`"))
}

/// The value of `key` in `body`, parsed.
pub fn number<T: std::str::FromStr>(body: &str, key: &str) -> Result<T, String> {
    let text = field(body, key)?;
    text.parse()
        .map_err(|_| format!("`{key}={text}` is not a number"))
}

/// POSTs `body` to `path` of the service at `base`, in an HTTP client span
/// (`POST {path}`, a child of the caller's span) whose context goes along
/// in `traceparent`, so the receiving service's server span is its child.
pub async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &'static str,
    body: String,
) -> Result<(StatusCode, String), reqwest::Error> {
    let response = client
        .post(format!("{base}{path}"))
        .body(body)
        .send_traced_as(path)
        .await?;
    let status = response.status();
    Ok((status, response.text().await?))
}

/// The HTTP client every caller uses: plain HTTP on loopback, bounded waits.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        // Why: a proxy from the environment must not see loopback calls.
        .no_proxy()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("a plain HTTP client always builds")
}
