//! Every option of the attribute, read back from the exported spans.

use std::borrow::Cow;
use std::fmt;

use opentelemetry::Value;
use opentelemetry::trace::SpanKind;
use traced::testing::Capture;
use traced::traced;
use traced_tests::{CODE_KEYS, attribute_keys};

// ---- name, kind, tracer ----

#[traced(name = "custom.name")]
fn renamed() {}

#[traced(kind = internal)]
fn kind_internal() {}
#[traced(kind = server)]
fn kind_server() {}
#[traced(kind = client)]
fn kind_client() {}
#[traced(kind = producer)]
fn kind_producer() {}
#[traced(kind = consumer)]
fn kind_consumer() {}

#[traced(tracer = "my-library")]
fn custom_tracer() {}

#[traced]
fn default_tracer() {}

#[test]
fn name_replaces_the_fn_name() {
    let capture = Capture::new();
    capture.run(renamed);
    let spans = capture.spans();
    assert_eq!(spans.names(), ["custom.name"]);
    // The code attributes still name the fn itself.
    assert_eq!(
        spans.attribute_text(spans.only("custom.name"), "code.function.name"),
        Some(format!("{}::renamed", module_path!()))
    );
}

#[test]
fn every_kind() {
    let capture = Capture::new();
    capture.run(|| {
        kind_internal();
        kind_server();
        kind_client();
        kind_producer();
        kind_consumer();
    });
    let spans = capture.spans();
    let kind = |name| spans.only(name).span_kind.clone();
    assert_eq!(kind("kind_internal"), SpanKind::Internal);
    assert_eq!(kind("kind_server"), SpanKind::Server);
    assert_eq!(kind("kind_client"), SpanKind::Client);
    assert_eq!(kind("kind_producer"), SpanKind::Producer);
    assert_eq!(kind("kind_consumer"), SpanKind::Consumer);
}

#[test]
fn tracer_sets_the_instrumentation_scope() {
    let capture = Capture::new();
    capture.run(|| {
        custom_tracer();
        default_tracer();
    });
    let spans = capture.spans();
    let custom = &spans.only("custom_tracer").instrumentation_scope;
    assert_eq!(custom.name(), "my-library");
    let default = &spans.only("default_tracer").instrumentation_scope;
    assert_eq!(default.name(), "traced-tests");
    assert_eq!(default.version(), Some("0.1.0"));
}

// ---- args ----

#[allow(clippy::too_many_arguments)]
#[traced(args(
    i_8, i_16, i_32, i_64, i_128, i_size, u_8, u_16, u_32, u_64, u_128, u_size
))]
fn integers(
    i_8: i8,
    i_16: i16,
    i_32: i32,
    i_64: i64,
    i_128: i128,
    i_size: isize,
    u_8: u8,
    u_16: u16,
    u_32: u32,
    u_64: u64,
    u_128: u128,
    u_size: usize,
) {
}

#[test]
fn every_integer_width_is_an_i64() {
    let capture = Capture::new();
    capture.run(|| integers(-8, -16, -32, -64, -128, -1, 8, 16, 32, 64, 128, 7));
    let spans = capture.spans();
    let span = spans.only("integers");
    for (key, value) in [
        ("i_8", -8),
        ("i_16", -16),
        ("i_32", -32),
        ("i_64", -64),
        ("i_128", -128),
        ("i_size", -1),
        ("u_8", 8),
        ("u_16", 16),
        ("u_32", 32),
        ("u_64", 64),
        ("u_128", 128),
        ("u_size", 7),
    ] {
        assert_eq!(spans.attribute(span, key), Some(Value::I64(value)), "{key}");
    }
}

#[test]
fn integers_beyond_i64_are_decimal_strings_not_wrapped() {
    let capture = Capture::new();
    capture.run(|| {
        integers(
            i8::MIN,
            i16::MAX,
            i32::MIN,
            i64::MIN,
            i128::MIN,
            isize::MIN,
            u8::MAX,
            u16::MAX,
            u32::MAX,
            u64::MAX,
            u128::MAX,
            usize::MAX,
        )
    });
    let spans = capture.spans();
    let span = spans.only("integers");
    assert_eq!(spans.attribute(span, "i_64"), Some(Value::I64(i64::MIN)));
    assert_eq!(
        spans.attribute(span, "u_32"),
        Some(Value::I64(i64::from(u32::MAX)))
    );
    let text = |value: &dyn fmt::Display| Some(Value::from(value.to_string()));
    assert_eq!(spans.attribute(span, "u_64"), text(&u64::MAX));
    assert_eq!(spans.attribute(span, "u_size"), text(&usize::MAX));
    assert_eq!(spans.attribute(span, "u_128"), text(&u128::MAX));
    assert_eq!(spans.attribute(span, "i_128"), text(&i128::MIN));
}

#[test]
fn u64_at_the_boundary() {
    let capture = Capture::new();
    capture.run(|| {
        let max = i64::MAX as u64;
        integers(0, 0, 0, 0, 0, 0, 0, 0, 0, max, 0, max as usize + 1);
    });
    let spans = capture.spans();
    let span = spans.only("integers");
    assert_eq!(spans.attribute(span, "u_64"), Some(Value::I64(i64::MAX)));
    assert_eq!(
        spans.attribute(span, "u_size"),
        Some(Value::from((i64::MAX as u64 + 1).to_string()))
    );
}

#[allow(clippy::too_many_arguments)]
#[traced(args(float32, float64, flag, letter, slice, owned, borrowed_cow, owned_cow))]
fn scalars_and_text(
    float32: f32,
    float64: f64,
    flag: bool,
    letter: char,
    slice: &str,
    owned: String,
    borrowed_cow: Cow<'static, str>,
    owned_cow: Cow<'_, str>,
) {
}

#[test]
fn floats_bools_chars_and_text() {
    let capture = Capture::new();
    capture.run(|| {
        scalars_and_text(
            1.5,
            -2.25,
            true,
            'λ',
            "slice",
            "owned".to_owned(),
            Cow::Borrowed("borrowed"),
            Cow::Owned("owned cow".to_owned()),
        )
    });
    let spans = capture.spans();
    let span = spans.only("scalars_and_text");
    assert_eq!(spans.attribute(span, "float32"), Some(Value::F64(1.5)));
    assert_eq!(spans.attribute(span, "float64"), Some(Value::F64(-2.25)));
    assert_eq!(spans.attribute(span, "flag"), Some(Value::Bool(true)));
    assert_eq!(spans.attribute(span, "letter"), Some(Value::from("λ")));
    assert_eq!(spans.attribute(span, "slice"), Some(Value::from("slice")));
    assert_eq!(spans.attribute(span, "owned"), Some(Value::from("owned")));
    assert_eq!(
        spans.attribute(span, "borrowed_cow"),
        Some(Value::from("borrowed"))
    );
    assert_eq!(
        spans.attribute(span, "owned_cow"),
        Some(Value::from("owned cow"))
    );
}

#[traced(args(present, absent, nested_absent, by_ref, by_mut, ref_ref, boxed))]
fn options_and_references(
    present: Option<u16>,
    absent: Option<&str>,
    nested_absent: Option<Option<bool>>,
    by_ref: &u64,
    by_mut: &mut String,
    ref_ref: &&Option<f64>,
    boxed: Box<str>,
) {
    by_mut.push('!');
}

#[test]
fn options_absent_when_none_and_references_see_through() {
    let capture = Capture::new();
    capture.run(|| {
        let mut text = String::from("mutable");
        options_and_references(
            Some(3),
            None,
            Some(None),
            &u64::MAX,
            &mut text,
            &&Some(0.5),
            "boxed".into(),
        );
        assert_eq!(text, "mutable!");
    });
    let spans = capture.spans();
    let span = spans.only("options_and_references");
    assert_eq!(spans.attribute(span, "present"), Some(Value::I64(3)));
    assert_eq!(spans.attribute(span, "absent"), None);
    assert_eq!(spans.attribute(span, "nested_absent"), None);
    assert_eq!(
        spans.attribute(span, "by_ref"),
        Some(Value::from(u64::MAX.to_string()))
    );
    // Captured at entry, before the body appended to it.
    assert_eq!(
        spans.attribute(span, "by_mut"),
        Some(Value::from("mutable"))
    );
    assert_eq!(spans.attribute(span, "ref_ref"), Some(Value::F64(0.5)));
    assert_eq!(spans.attribute(span, "boxed"), Some(Value::from("boxed")));
}

#[derive(Debug)]
struct Point {
    x: i32,
    y: i32,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

#[traced(args(plain, ?debugged, %displayed, ?text))]
fn formats(plain: u8, debugged: Point, displayed: Point, text: &str) -> i32 {
    // Moves the arguments: capture happened before.
    let moved = (debugged, displayed);
    moved.0.x + moved.1.y + i32::from(plain) + text.len() as i32
}

#[test]
fn question_mark_is_debug_and_percent_is_display() {
    let capture = Capture::new();
    let value = capture.run(|| formats(1, Point { x: 1, y: 2 }, Point { x: 3, y: 4 }, "ab"));
    let spans = capture.spans();
    assert_eq!(value, 8);
    let span = spans.only("formats");
    assert_eq!(spans.attribute(span, "plain"), Some(Value::I64(1)));
    assert_eq!(
        spans.attribute(span, "debugged"),
        Some(Value::from("Point { x: 1, y: 2 }"))
    );
    assert_eq!(
        spans.attribute(span, "displayed"),
        Some(Value::from("(3, 4)"))
    );
    assert_eq!(spans.attribute(span, "text"), Some(Value::from("\"ab\"")));
}

#[traced(args(moved))]
fn moves_its_argument(moved: String) -> usize {
    let mut moved = moved;
    moved.push_str(" and more");
    let consumed = moved.into_bytes();
    consumed.len()
}

#[test]
fn arguments_are_captured_before_the_body_moves_them() {
    let capture = Capture::new();
    let len = capture.run(|| moves_its_argument("start".to_owned()));
    let spans = capture.spans();
    assert_eq!(len, "start and more".len());
    assert_eq!(
        spans.attribute(spans.only("moves_its_argument"), "moved"),
        Some(Value::from("start"))
    );
}

#[traced]
fn captures_nothing(secret: &str, count: u32, point: Point) -> usize {
    secret.len() + count as usize + point.x as usize
}

#[test]
fn nothing_is_captured_unless_chosen() {
    let capture = Capture::new();
    let value = capture.run(|| captures_nothing("hunter2", 1, Point { x: 1, y: 0 }));
    let spans = capture.spans();
    assert_eq!(value, 9);
    let span = spans.only("captures_nothing");
    assert_eq!(attribute_keys(span), CODE_KEYS);
}

struct Account {
    id: u32,
    owner: String,
}

impl Account {
    #[traced(args(amount), attrs(account.id = self.id, "account.owner" = %self.owner))]
    fn deposit(&mut self, amount: i64) -> i64 {
        self.owner.clear();
        amount
    }
}

// ---- attrs ----

#[traced(attrs(
    plain = count * 2,
    "dotted.string.key" = ?Point { x: count, y: 0 },
    a.b.c = %Point { x: 0, y: count },
    r#type = "typed",
    maybe = if count > 100 { Some(count) } else { None },
    constant = 42,
))]
fn extra_attributes(count: i32) {}

#[test]
fn attrs_take_expressions_under_three_key_forms() {
    let capture = Capture::new();
    capture.run(|| extra_attributes(5));
    let spans = capture.spans();
    let span = spans.only("extra_attributes");
    assert_eq!(spans.attribute(span, "plain"), Some(Value::I64(10)));
    assert_eq!(
        spans.attribute(span, "dotted.string.key"),
        Some(Value::from("Point { x: 5, y: 0 }"))
    );
    assert_eq!(spans.attribute(span, "a.b.c"), Some(Value::from("(0, 5)")));
    assert_eq!(spans.attribute(span, "type"), Some(Value::from("typed")));
    assert_eq!(spans.attribute(span, "maybe"), None);
    assert_eq!(spans.attribute(span, "constant"), Some(Value::I64(42)));
    let mut expected = vec!["a.b.c", "constant", "dotted.string.key", "plain", "type"];
    expected.extend(CODE_KEYS);
    expected.sort_unstable();
    assert_eq!(attribute_keys(span), expected);
}

#[test]
fn attrs_over_self_are_read_at_entry() {
    let capture = Capture::new();
    let amount = capture.run(|| {
        let mut account = Account {
            id: 9,
            owner: "ada".to_owned(),
        };
        account.deposit(-3)
    });
    let spans = capture.spans();
    assert_eq!(amount, -3);
    let span = spans.only("deposit");
    assert_eq!(spans.attribute(span, "amount"), Some(Value::I64(-3)));
    assert_eq!(spans.attribute(span, "account.id"), Some(Value::I64(9)));
    assert_eq!(
        spans.attribute(span, "account.owner"),
        Some(Value::from("ada"))
    );
}

// ---- ret ----

#[traced(ret)]
fn ret_default() -> String {
    "quoted".to_owned()
}

#[traced(ret = debug)]
fn ret_debug() -> Point {
    Point { x: 1, y: 2 }
}

#[traced(ret = display)]
fn ret_display() -> Point {
    Point { x: 1, y: 2 }
}

#[traced(ret = display)]
fn ret_result(ok: bool) -> Result<Point, String> {
    if ok {
        Ok(Point { x: 7, y: 8 })
    } else {
        Err("nope".to_owned())
    }
}

#[traced(ret)]
fn ret_debug_result(ok: bool) -> std::io::Result<Vec<u8>> {
    if ok {
        Ok(vec![1, 2])
    } else {
        Err(std::io::Error::other("nope"))
    }
}

#[traced]
fn ret_not_chosen() -> u32 {
    3
}

#[test]
fn ret_records_the_returned_value() {
    let capture = Capture::new();
    capture.run(|| {
        ret_default();
        ret_debug();
        ret_display();
        ret_not_chosen();
    });
    let spans = capture.spans();
    let ret = |name| spans.attribute(spans.only(name), "return");
    assert_eq!(ret("ret_default"), Some(Value::from("\"quoted\"")));
    assert_eq!(ret("ret_debug"), Some(Value::from("Point { x: 1, y: 2 }")));
    assert_eq!(ret("ret_display"), Some(Value::from("(1, 2)")));
    assert_eq!(ret("ret_not_chosen"), None);
}

#[test]
fn ret_of_a_result_is_the_ok_value_and_nothing_on_err() {
    let capture = Capture::new();
    let outcomes = capture.run(|| {
        (
            ret_result(true).is_ok(),
            ret_result(false).is_ok(),
            ret_debug_result(true).is_ok(),
            ret_debug_result(false).is_ok(),
        )
    });
    let spans = capture.spans();
    assert_eq!(outcomes, (true, false, true, false));
    let results = spans.named("ret_result");
    assert_eq!(
        spans.attribute(results[0], "return"),
        Some(Value::from("(7, 8)"))
    );
    assert_eq!(spans.attribute(results[1], "return"), None);
    assert!(spans.is_error(results[1]));
    let debugged = spans.named("ret_debug_result");
    assert_eq!(
        spans.attribute(debugged[0], "return"),
        Some(Value::from("[1, 2]"))
    );
    assert_eq!(spans.attribute(debugged[1], "return"), None);
}

// ---- the same options on async fns ----

#[traced(
    name = "async.custom",
    kind = client,
    tracer = "async-lib",
    args(id, ?point),
    attrs(point.sum = %point.x + point.y),
    ret = display
)]
async fn async_options(id: u64, point: Point) -> Point {
    tokio::task::yield_now().await;
    point
}

#[traced]
async fn async_captures_nothing(secret: &str) -> usize {
    tokio::task::yield_now().await;
    secret.len()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn async_fns_take_the_same_options() {
    let capture = Capture::new();
    let len = capture.run(|| {
        block_on(async {
            async_options(u64::MAX, Point { x: 1, y: 2 }).await;
            async_captures_nothing("hunter2").await
        })
    });
    let spans = capture.spans();
    assert_eq!(len, 7);
    let span = spans.only("async.custom");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.instrumentation_scope.name(), "async-lib");
    assert_eq!(
        spans.attribute(span, "id"),
        Some(Value::from(u64::MAX.to_string()))
    );
    assert_eq!(
        spans.attribute(span, "point"),
        Some(Value::from("Point { x: 1, y: 2 }"))
    );
    assert_eq!(spans.attribute(span, "point.sum"), Some(Value::from("3")));
    assert_eq!(spans.attribute(span, "return"), Some(Value::from("(1, 2)")));
    assert_eq!(
        spans.attribute_text(span, "code.function.name"),
        Some(format!("{}::async_options", module_path!()))
    );
    let plain = spans.only("async_captures_nothing");
    assert_eq!(attribute_keys(plain), CODE_KEYS);
    assert_eq!(
        plain.instrumentation_scope.version(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

#[derive(Debug)]
struct Receiver {
    id: u8,
}

impl Receiver {
    #[traced(args(?self, n))]
    fn method(&self, n: u8) -> u8 {
        self.id + n
    }
}

#[traced(args(a, b, x, mut_param))]
fn destructured((a, b): (u8, &str), Point { x, .. }: Point, mut mut_param: u8) -> u8 {
    mut_param += 1;
    a + b.len() as u8 + x as u8 + mut_param
}

#[test]
fn args_name_self_and_destructured_bindings() {
    let capture = Capture::new();
    let values = capture.run(|| {
        (
            Receiver { id: 1 }.method(2),
            destructured((1, "ab"), Point { x: 3, y: 0 }, 4),
        )
    });
    let spans = capture.spans();
    assert_eq!(values, (3, 11));
    let method = spans.only("method");
    assert_eq!(
        spans.attribute(method, "self"),
        Some(Value::from("Receiver { id: 1 }"))
    );
    assert_eq!(spans.attribute(method, "n"), Some(Value::I64(2)));
    let span = spans.only("destructured");
    assert_eq!(spans.attribute(span, "a"), Some(Value::I64(1)));
    assert_eq!(spans.attribute(span, "b"), Some(Value::from("ab")));
    assert_eq!(spans.attribute(span, "x"), Some(Value::I64(3)));
    // Captured before the body changed it.
    assert_eq!(spans.attribute(span, "mut_param"), Some(Value::I64(4)));
}
