//! `expected = path`: an `Err` the caller expects (a cache miss, a 404)
//! leaves the span Unset with no `exception` event, but keeps `error.type`.

use opentelemetry::Value;
use opentelemetry::trace::Status;
use traced::testing::Capture;
use traced::traced;

#[derive(Debug, PartialEq)]
enum CacheError {
    Miss,
    Broken(String),
}

impl std::fmt::Display for CacheError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheError::Miss => f.write_str("miss"),
            CacheError::Broken(why) => write!(f, "broken: {why}"),
        }
    }
}

fn is_miss(error: &CacheError) -> bool {
    *error == CacheError::Miss
}

#[traced(expected = is_miss, args(key))]
fn get(key: &str) -> Result<u64, CacheError> {
    match key {
        "hit" => Ok(1),
        "miss" => Err(CacheError::Miss),
        _ => Err(CacheError::Broken("disk".to_owned())),
    }
}

#[traced(expected = is_miss, err = type)]
async fn get_async(key: &'static str) -> Result<u64, CacheError> {
    get(key)
}

pub struct Cache;

#[traced(expected = is_miss)]
impl Cache {
    fn lookup(&self, key: &str) -> Result<u64, CacheError> {
        get(key)
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

#[test]
fn an_expected_error_is_not_a_failure_but_keeps_its_type() {
    let capture = Capture::new();
    capture.run(|| {
        assert!(get("miss").is_err());
        assert!(get("other").is_err());
        assert!(get("hit").is_ok());
    });
    let spans = capture.spans();
    let [miss, broken, hit] = spans.all() else {
        panic!("three spans: {:?}", spans.names());
    };
    assert_eq!(miss.status, Status::Unset);
    assert!(miss.events.is_empty());
    assert_eq!(
        spans.attribute(miss, "error.type"),
        Some(Value::from("expected_errors::CacheError"))
    );
    assert_eq!(broken.status, Status::error("broken: disk"));
    assert_eq!(broken.events.len(), 1);
    assert_eq!(hit.status, Status::Unset);
    assert_eq!(spans.attribute(hit, "error.type"), None);
}

#[test]
fn with_every_mode_async_and_on_blocks() {
    let capture = Capture::new();
    capture.run(|| {
        assert!(block_on(get_async("miss")).is_err());
        assert!(block_on(get_async("other")).is_err());
        assert!(Cache.lookup("miss").is_err());
    });
    let spans = capture.spans();
    let asyncs = spans.named("get_async");
    assert_eq!(asyncs[0].status, Status::Unset);
    assert!(asyncs[0].events.is_empty());
    assert_eq!(
        asyncs[1].status,
        Status::error("expected_errors::CacheError".to_owned())
    );
    let lookup = spans.get("Cache::lookup");
    assert_eq!(lookup.status, Status::Unset);
    assert!(spans.attribute(lookup, "error.type").is_some());
}
