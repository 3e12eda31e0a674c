//! Annotated blocks with async methods: native `async fn` in trait impls,
//! and `#[async_trait]` impls and traits in either attribute order.

#![deny(warnings)]

use opentelemetry::Value;
use traced::testing::Capture;
use traced::traced;

trait Store {
    async fn load(&self, id: u64) -> Option<String>;
}

struct Memory(Vec<String>);

#[traced]
impl Store for Memory {
    async fn load(&self, id: u64) -> Option<String> {
        tokio::task::yield_now().await;
        self.0.get(usize::try_from(id).ok()?).cloned()
    }
}

#[async_trait::async_trait]
trait Service {
    async fn call(&self, user_id: u64) -> Result<u64, String>;

    async fn ready(&self) -> bool {
        true
    }
}

struct Before;
struct After;

// `#[traced]` above: it sees the `async fn`s before async-trait rewrites them.
#[traced(err = debug)]
#[async_trait::async_trait]
impl Service for Before {
    // Listed but not used by the body: no `unused variable` warning.
    #[traced(args(user_id))]
    async fn call(&self, user_id: u64) -> Result<u64, String> {
        Err("nope".to_owned())
    }
}

// `#[traced]` below: it sees what async-trait made of them.
#[async_trait::async_trait]
#[traced(err = debug)]
impl Service for After {
    #[traced(args(user_id))]
    async fn call(&self, user_id: u64) -> Result<u64, String> {
        tokio::task::yield_now().await;
        Ok(1)
    }
}

#[async_trait::async_trait]
#[traced]
trait Pinger {
    async fn ping(&self) -> u8 {
        tokio::task::yield_now().await;
        1
    }
}

#[traced]
#[async_trait::async_trait]
trait Ponger {
    async fn pong(&self) -> u8 {
        2
    }
}

#[async_trait::async_trait]
impl Pinger for After {}

#[async_trait::async_trait]
impl Ponger for After {}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn native_async_fns_in_an_annotated_trait_impl() {
    let capture = Capture::new();
    let memory = Memory(vec!["a".into()]);
    let loaded = block_on(capture.run_async(async { memory.load(0).await }));
    assert_eq!(loaded.as_deref(), Some("a"));
    let spans = capture.spans();
    assert_eq!(spans.names(), ["Memory::load"]);
}

#[test]
fn async_trait_impls_in_either_order() {
    let capture = Capture::new();
    block_on(capture.run_async(async {
        assert!(Before.call(7).await.is_err());
        assert_eq!(After.call(8).await, Ok(1));
        // `ready` is a default method of an unannotated trait: not traced.
        assert!(Before.ready().await);
    }));
    let spans = capture.spans();
    assert_eq!(spans.names(), ["Before::call", "After::call"]);
    let before = spans.get("Before::call");
    assert_eq!(spans.attribute(before, "user_id"), Some(Value::I64(7)));
    assert_eq!(
        before.status,
        opentelemetry::trace::Status::error("\"nope\"")
    );
    assert_eq!(
        spans.attribute(spans.get("After::call"), "user_id"),
        Some(Value::I64(8))
    );
}

#[test]
fn async_trait_traits_in_either_order() {
    let capture = Capture::new();
    block_on(capture.run_async(async {
        assert_eq!(After.ping().await, 1);
        assert_eq!(After.pong().await, 2);
    }));
    assert_eq!(capture.spans().names(), ["Pinger::ping", "Ponger::pong"]);
}
