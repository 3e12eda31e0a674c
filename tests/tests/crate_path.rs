//! `crate = path`: the expansion reaches `traced` through the given path,
//! for crates that re-export or rename it.

use traced::testing::Capture;

/// A crate that re-exports `traced` to its users, seen from one of them.
mod platform {
    pub mod tracing {
        pub use ::traced;
    }
}

use platform::tracing::traced as renamed;

#[renamed::traced(crate = crate::platform::tracing::traced, args(id))]
fn load(id: u64) -> Result<u64, String> {
    renamed::record!(checked = true);
    if id == 0 {
        Err("no zero".to_owned())
    } else {
        Ok(id)
    }
}

pub struct Store;

#[renamed::traced(crate = crate::platform::tracing::traced)]
impl Store {
    async fn get(&self) -> u8 {
        1
    }

    /// The method's own attribute under the renamed path is merged, not
    /// expanded a second time.
    #[renamed::traced(crate = crate::platform::tracing::traced, args(id))]
    fn put(&self, id: u8) -> u8 {
        id
    }
}

#[test]
fn spans_are_made_through_the_given_path() {
    let capture = Capture::new();
    capture.run(|| {
        assert!(load(0).is_err());
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut get = std::pin::pin!(Store.get());
        assert_eq!(get.as_mut().poll(&mut cx), std::task::Poll::Ready(1));
        assert_eq!(Store.put(3), 3);
    });
    let spans = capture.spans();
    assert_eq!(spans.names(), ["load", "Store::get", "Store::put"]);
    assert!(spans.is_error(spans.get("load")));
    assert_eq!(spans.attribute(spans.get("load"), "id"), Some(0.into()));
    assert_eq!(
        spans.attribute(spans.get("load"), "checked"),
        Some(true.into())
    );
}
