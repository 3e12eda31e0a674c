//! `Capture::metrics`: the durations a capture's `#[traced(metrics)]` calls
//! recorded, read back per capture like its spans: parallel captures each
//! see only their own calls; sync, async, plain fns returning futures,
//! panics and cancellation are each measured once, with the `error.type`
//! the span carries; expected errors are counted without failing the span;
//! `metric_attrs` and named histograms are kept; calls outside any capture
//! are not counted, and a `root` fn called inside one is (its span, in a
//! trace of its own, is not captured).

use std::time::Duration;

use opentelemetry::trace::Status;
use traced::testing::Capture;
use traced::traced;

#[derive(Debug, PartialEq)]
enum CacheError {
    Miss,
    Broken,
}

impl std::fmt::Display for CacheError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CacheError::Miss => "miss",
            CacheError::Broken => "broken",
        })
    }
}

fn is_miss(error: &CacheError) -> bool {
    *error == CacheError::Miss
}

#[traced(metrics, expected = is_miss, args(key))]
fn get(key: &str) -> Result<u64, CacheError> {
    match key {
        "hit" => Ok(1),
        "miss" => Err(CacheError::Miss),
        _ => Err(CacheError::Broken),
    }
}

#[traced(metrics = "checkout.duration", metric_attrs(payment.method = %method))]
async fn checkout(method: &str) -> usize {
    tokio::time::sleep(Duration::from_millis(20)).await;
    method.len()
}

#[traced(metrics)]
fn quote() -> impl Future<Output = Result<u32, String>> {
    async { Err("no price".to_owned()) }
}

#[traced(metrics)]
fn explodes() {
    panic!("boom");
}

#[traced(metrics)]
async fn never_finishes() {
    std::future::pending::<()>().await;
}

#[traced(metrics, root)]
fn on_its_own() {}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

const DURATION: &str = "function.call.duration";

#[test]
fn parallel_captures_each_see_their_own_calls() {
    let threads: Vec<_> = (1..=8)
        .map(|calls| {
            std::thread::spawn(move || {
                let capture = Capture::new();
                capture.run(|| {
                    for _ in 0..calls {
                        get("hit").unwrap();
                    }
                    assert!(get("disk").is_err());
                });
                let gets = capture.metrics().histogram(DURATION).function("get");
                assert_eq!(gets.calls(), calls + 1, "capture of {calls} calls");
                assert_eq!(
                    gets.errors(),
                    [("capture_metrics::CacheError".to_owned(), 1)].into(),
                    "capture of {calls} calls"
                );
                // As many measurements as spans, one each.
                assert_eq!(capture.spans().named("get").len(), calls + 1);
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn every_way_out_is_measured_once_with_the_spans_error_type() {
    let capture = Capture::new();
    block_on(capture.run_async(async {
        assert!(quote().await.is_err());
        let cancelled = tokio::time::timeout(Duration::from_millis(5), never_finishes()).await;
        assert!(cancelled.is_err());
    }));
    capture.run(|| assert!(std::panic::catch_unwind(explodes).is_err()));

    let (metrics, spans) = (capture.metrics(), capture.spans());
    for (function, error_type) in [
        ("quote", "alloc::string::String"),
        ("never_finishes", "cancelled"),
        ("explodes", "panic"),
    ] {
        let measured = metrics.function(function);
        assert_eq!(measured.calls(), 1, "{function}");
        assert_eq!(
            measured.errors(),
            [(error_type.to_owned(), 1)].into(),
            "{function}"
        );
        assert_eq!(
            measured.all()[0].function().as_deref(),
            Some(format!("capture_metrics::{function}").as_str())
        );
        // The span says the same: `error.type`, or a `cancelled` event.
        let span = spans.only(function);
        if error_type == "cancelled" {
            assert_eq!(spans.events(span, "cancelled").len(), 1);
        } else {
            assert_eq!(
                spans.attribute_text(span, "error.type").as_deref(),
                Some(error_type),
                "{function}"
            );
        }
    }
    assert_eq!(metrics.calls(), 3);
}

#[test]
fn an_expected_error_is_counted_by_type_and_leaves_the_span_unset() {
    let capture = Capture::new();
    capture.run(|| {
        assert_eq!(get("miss"), Err(CacheError::Miss));
        assert_eq!(get("hit"), Ok(1));
    });
    let gets = capture.metrics().function("get");
    assert_eq!(gets.calls(), 2);
    assert_eq!(
        gets.errors(),
        [("capture_metrics::CacheError".to_owned(), 1)].into()
    );
    let spans = capture.spans();
    let miss = spans
        .named("get")
        .into_iter()
        .find(|s| spans.attribute_text(s, "key").as_deref() == Some("miss"))
        .unwrap();
    assert_eq!(miss.status, Status::Unset);
}

#[test]
fn chosen_attributes_and_named_histograms_are_kept_with_their_unit_and_bounds() {
    let capture = Capture::new();
    block_on(capture.run_async(async {
        assert_eq!(checkout("card").await, 4);
        assert_eq!(checkout("invoice").await, 7);
    }));
    let metrics = capture.metrics();
    assert_eq!(metrics.names(), ["checkout.duration"]);
    let checkouts = metrics.histogram("checkout.duration");
    assert_eq!(checkouts.calls(), 2);
    assert!(checkouts.errors().is_empty());
    let card = checkouts.with_attribute("payment.method", "card");
    assert_eq!(card.calls(), 1);
    let measurement = &card.all()[0];
    assert_eq!(measurement.unit(), "s");
    assert_eq!(
        measurement.boundaries(),
        [
            0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
        ]
    );
    let mut keys: Vec<&str> = measurement
        .attributes()
        .iter()
        .map(|kv| kv.key.as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code.function.name", "payment.method"]);
    // Each call slept 20 ms: the seconds recorded are at least that.
    assert!(measurement.value() >= 0.02, "{}", measurement.value());
    assert!(checkouts.sum() >= 0.04, "{}", checkouts.sum());
}

#[test]
fn calls_outside_the_capture_are_not_counted() {
    get("hit").unwrap();
    let capture = Capture::new();
    get("hit").unwrap();
    assert!(capture.metrics().is_empty(), "{:?}", capture.metrics());
    // The other capture's call is its own.
    let other = Capture::new();
    other.run(|| get("hit").unwrap());
    assert_eq!(other.metrics().calls(), 1);
    assert!(capture.metrics().is_empty());
}

#[test]
fn a_root_fn_called_in_the_capture_is_counted_though_its_span_is_not() {
    let capture = Capture::new();
    capture.run(on_its_own);
    assert_eq!(capture.metrics().function("on_its_own").calls(), 1);
    assert!(capture.spans().is_empty());
}
