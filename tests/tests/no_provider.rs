//! No tracer provider is ever installed in this binary: traced fns behave
//! exactly like the plain fns, and format nothing.

use std::panic::catch_unwind;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt;
use traced::traced;
use traced_tests::{Counted, CountingAllocator, allocations, formats_counted};

#[traced(args(x), ret = display, err = debug)]
fn double(x: i64) -> Result<i64, String> {
    if x < 0 {
        return Err(format!("negative: {x}"));
    }
    Ok(x * 2)
}

#[traced(name = "renamed", kind = server, tracer = "lib", parent = Context::new())]
fn with_parent(x: u8) -> u8 {
    x + 1
}

#[traced(root)]
fn root_span(text: &str) -> String {
    text.to_uppercase()
}

#[traced(args(x))]
async fn async_double(x: u32) -> u32 {
    tokio::task::yield_now().await;
    x * 2
}

#[traced]
async fn forever() {
    std::future::pending::<()>().await;
}

#[traced]
fn panics() {
    panic!("still panics");
}

#[test]
fn sync_fns_return_their_values() {
    assert_eq!(double(4), Ok(8));
    assert_eq!(double(-1), Err("negative: -1".to_owned()));
    assert_eq!(with_parent(1), 2);
    assert_eq!(root_span("a"), "A");
    // Nothing is attached either.
    assert!(!Context::current().has_active_span());
}

#[test]
fn nothing_is_formatted() {
    let values: [Counted; 5] = Default::default();
    let [a, b, c, ok, err] = &values;
    assert!(formats_counted(a, b, c, ok.clone(), false).is_ok());
    assert!(formats_counted(a, b, c, err.clone(), true).is_err());
    assert_eq!(values.each_ref().map(Counted::count), [0; 5]);
}

#[test]
fn async_fns_return_their_values() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(async_double(4)), 8);
    let cancelled =
        runtime.block_on(async { tokio::time::timeout(Duration::from_millis(1), forever()).await });
    assert!(cancelled.is_err());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let doubled = runtime.block_on(async { tokio::spawn(async_double(5)).await });
    assert_eq!(doubled.unwrap(), 10);
}

#[test]
fn panics_propagate_unchanged() {
    let payload = catch_unwind(panics).expect_err("it panics");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"still panics"));
    assert!(!Context::current().has_active_span());
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Debug)]
struct Point(i32, i32);

#[traced(args(x, ?point, %name), attrs(sum = point.0 + point.1), ret, err = debug)]
fn no_alloc(x: u64, point: &Point, name: &str) -> Result<i32, &'static str> {
    if name.is_empty() {
        Err("empty")
    } else {
        Ok(point.0 + x as i32)
    }
}

#[traced(args(x), ret)]
async fn async_no_alloc(x: u32) -> u32 {
    x + 1
}

#[test]
fn a_call_allocates_nothing() {
    // On a fresh thread, so the periodic re-check (every 1024 disabled calls
    // of a thread) does not fall inside the 300 calls measured.
    std::thread::spawn(three_hundred_calls_allocate_nothing)
        .join()
        .unwrap();
}

fn three_hundred_calls_allocate_nothing() {
    // The first call of each fn may look for a provider, once.
    let _ = no_alloc(1, &Point(1, 2), "warm-up");
    let mut task = TaskContext::from_waker(Waker::noop());
    let _ = pin!(async_no_alloc(0)).poll(&mut task);

    let before = allocations();
    for i in 0..100 {
        assert_eq!(no_alloc(i, &Point(1, 2), "p"), Ok(1 + i as i32));
        assert_eq!(no_alloc(i, &Point(1, 2), ""), Err("empty"));
        let future = pin!(async_no_alloc(i as u32));
        assert_eq!(future.poll(&mut task), Poll::Ready(i as u32 + 1));
    }
    assert_eq!(allocations() - before, 0);
}

#[test]
fn only_the_periodic_recheck_allocates() {
    std::thread::spawn(rechecks_allocate_a_little)
        .join()
        .unwrap();
}

fn rechecks_allocate_a_little() {
    // Every 1024 disabled calls a thread asks the global provider again
    // whether it records this fn's scope; OpenTelemetry allocates a few small
    // values (the tracer and probe span it hands back, the probe's context)
    // to answer. Nothing else on the disabled path allocates. A fresh
    // thread's count starts at 0, so the first re-check is the 1024th call.
    let _ = no_alloc(1, &Point(1, 2), "warm-up");
    let before = allocations();
    for i in 0..1020 {
        assert_eq!(no_alloc(i, &Point(1, 2), "p"), Ok(1 + i as i32));
    }
    let between_rechecks = allocations() - before;
    for i in 0..4096 {
        assert_eq!(no_alloc(i, &Point(1, 2), "p"), Ok(1 + i as i32));
    }
    let over_four_rechecks = allocations() - before - between_rechecks;
    assert_eq!(between_rechecks, 0);
    assert!(
        (1..=4 * 8).contains(&over_four_rechecks),
        "{over_four_rechecks} allocations over 4096 calls"
    );
}
