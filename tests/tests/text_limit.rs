//! The text limit is configurable (a binary of its own: the limit is global).

use traced::traced;
use traced_tests::{SpanExt, capture};

#[traced(args(?items, name))]
fn store(items: &[u32], name: &str) -> usize {
    items.len() + name.len()
}

#[test]
fn set_max_text_len_bounds_every_recorded_text() {
    traced::set_max_text_len(8);
    let ((), spans) = capture(|| {
        store(&[1, 2, 3, 4, 5], "a rather long name");
        store(&[1], "short");
    });
    let spans = spans.all_named("store");
    assert_eq!(spans[0].attr_str("items"), Some("[1, 2, 3…".into()));
    assert_eq!(spans[0].attr_str("name"), Some("a rather…".into()));
    assert_eq!(spans[1].attr_str("items"), Some("[1]".into()));
    assert_eq!(spans[1].attr_str("name"), Some("short".into()));
}
