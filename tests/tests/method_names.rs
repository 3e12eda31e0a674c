//! `code.function.name` of a method annotated on its own (no annotated
//! block) includes its type, so same-named methods of one module differ.

use opentelemetry::Value;
use traced::testing::Capture;
use traced::traced;

struct Inventory;
struct Pricing;
struct Boxed<T>(T);

impl Inventory {
    #[traced]
    fn available(&self) -> bool {
        true
    }

    #[traced]
    fn new() -> Self {
        Inventory
    }
}

impl Pricing {
    #[traced]
    fn available(&self) -> bool {
        false
    }
}

impl<T: Copy> Boxed<T> {
    #[traced]
    fn get(&self) -> T {
        self.0
    }
}

#[traced]
fn free() {}

fn function_names(capture: &Capture) -> Vec<String> {
    let spans = capture.spans();
    spans
        .all()
        .iter()
        .map(|span| match spans.attribute(span, "code.function.name") {
            Some(Value::String(name)) => name.to_string(),
            other => panic!("no function name: {other:?}"),
        })
        .collect()
}

#[test]
fn a_method_alone_is_named_with_its_type() {
    let capture = Capture::new();
    capture.run(|| {
        assert!(Inventory::new().available());
        assert!(!Pricing.available());
        assert_eq!(Boxed(3u8).get(), 3);
        assert_eq!(Boxed("x").get(), "x");
        free();
    });
    assert_eq!(
        function_names(&capture),
        [
            "method_names::Inventory::new",
            "method_names::Inventory::available",
            "method_names::Pricing::available",
            "method_names::Boxed::get",
            "method_names::Boxed::get",
            "method_names::free",
        ]
    );
    // The span names stay the fn's own.
    assert_eq!(capture.spans().names()[1], "available");
}
