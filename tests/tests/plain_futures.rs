//! A plain fn that returns a future (`-> impl Future`, `-> Pin<Box<dyn
//! Future>>`, `BoxFuture`, or any type under option `future`) is traced to
//! the future's completion, not to the fn's return.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use opentelemetry::Value;
use opentelemetry::trace::{Status, TraceContextExt};
use traced::testing::Capture;
use traced::traced;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type Quote = Pin<Box<dyn Future<Output = Result<u64, String>> + Send>>;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[traced(args(sku))]
fn quote(sku: &'static str) -> impl Future<Output = Result<u64, String>> + Send + 'static {
    let started_in = opentelemetry::Context::current()
        .span()
        .span_context()
        .span_id();
    async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        // The span is current during the polls too.
        let polled_in = opentelemetry::Context::current()
            .span()
            .span_context()
            .span_id();
        assert_eq!(started_in, polled_in);
        price(sku).await
    }
}

#[traced]
async fn price(sku: &str) -> Result<u64, String> {
    if sku == "desk" {
        Ok(189)
    } else {
        Err(format!("no price for {sku}"))
    }
}

#[traced(ret)]
fn boxed(n: u64) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move { n * 2 })
}

#[traced]
fn box_future<'a>(text: &'a str) -> BoxFuture<'a, Result<usize, String>> {
    Box::pin(async move {
        if text.is_empty() {
            Err("empty".to_owned())
        } else {
            Ok(text.len())
        }
    })
}

#[traced(future)]
fn aliased(fail: bool) -> Quote {
    Box::pin(async move {
        if fail {
            Err("declined".to_owned())
        } else {
            Ok(1)
        }
    })
}

#[test]
fn the_span_lasts_until_the_future_completes() {
    let capture = Capture::new();
    // The fn is called inside the capture: the span starts at the call.
    let result = runtime().block_on(capture.run_async(async { quote("desk").await }));
    assert_eq!(result, Ok(189));
    let spans = capture.spans();
    let quote = spans.get("quote");
    let took = quote.end_time.duration_since(quote.start_time).unwrap();
    assert!(
        took >= Duration::from_millis(30),
        "the span lasted {took:?}"
    );
    assert_eq!(spans.attribute(quote, "sku"), Some(Value::from("desk")));
    assert_eq!(spans.children(quote)[0].name, "price");
    assert_eq!(quote.status, Status::Unset);
}

#[test]
fn an_err_output_fails_the_span() {
    let capture = Capture::new();
    let result = runtime().block_on(capture.run_async(async { quote("lamp").await }));
    assert!(result.is_err());
    let spans = capture.spans();
    let quote = spans.get("quote");
    assert_eq!(quote.status, Status::error("no price for lamp"));
    assert_eq!(quote.events.len(), 1);
    assert_eq!(quote.events[0].name, "exception");
}

#[test]
fn boxed_futures_and_aliases_are_traced_too() {
    let capture = Capture::new();
    runtime().block_on(capture.run_async(async {
        assert_eq!(boxed(21).await, 42);
        assert!(box_future("").await.is_err());
        assert_eq!(box_future("abc").await, Ok(3));
        assert!(aliased(true).await.is_err());
    }));
    let spans = capture.spans();
    assert_eq!(
        spans.attribute(spans.get("boxed"), "return"),
        Some(Value::from("42"))
    );
    let failed: Vec<_> = spans
        .all()
        .iter()
        .filter(|span| spans.is_error(span))
        .map(|span| span.name.to_string())
        .collect();
    assert_eq!(failed, ["box_future", "aliased"]);
}

#[test]
fn a_future_dropped_early_or_never_polled_is_cancelled() {
    let capture = Capture::new();
    runtime().block_on(capture.run_async(async {
        let never_polled = quote("desk");
        drop(never_polled);
        let timed_out = tokio::time::timeout(Duration::from_millis(5), quote("desk")).await;
        assert!(timed_out.is_err());
    }));
    let spans = capture.spans();
    let quotes = spans.named("quote");
    assert_eq!(quotes.len(), 2);
    for quote in quotes {
        let events: Vec<_> = quote
            .events
            .iter()
            .map(|event| event.name.to_string())
            .collect();
        assert_eq!(events, ["cancelled"]);
        // The same `error.type` as the call's measurement would carry.
        assert_eq!(
            spans.attribute(quote, "error.type"),
            Some(Value::from("cancelled"))
        );
    }
}

#[test]
fn a_future_made_outside_the_capture_is_not_in_it() {
    // What `run_async`'s docs warn about: the span starts at the call.
    let capture = Capture::new();
    let made_outside = quote("desk");
    runtime().block_on(capture.run_async(made_outside)).unwrap();
    assert!(capture.spans().find("quote").is_none());
}
