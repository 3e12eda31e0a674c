use traced::traced;
use traced_tests::{SpanExt, capture};

#[derive(Debug)]
struct Boom;
impl std::fmt::Display for Boom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("boom!")
    }
}

#[traced(args(a, ?b))]
fn leaf(a: u32, b: &str) -> Result<u32, Boom> {
    if a == 0 {
        return Err(Boom);
    }
    Ok(a + b.len() as u32)
}

#[traced]
fn parent(a: u32) -> Result<u32, Boom> {
    let x = leaf(a, "hi")?;
    Ok(x)
}

#[test]
fn smoke() {
    let (r, spans) = capture(|| parent(0));
    assert!(r.is_err());
    println!("{:#?}", spans.0);
    let leaf = spans.named("leaf");
    let parent = spans.named("parent");
    assert!(leaf.is_child_of(parent));
    assert_eq!(leaf.error_description().as_deref(), Some("boom!"));
}
