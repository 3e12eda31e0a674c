//! Every option of the attribute, read back from the exported spans.

use std::borrow::Cow;
use std::fmt;

use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Context, Value};
use traced::traced;
use traced_tests::{CODE_KEYS, SpanExt, capture};

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
    let ((), spans) = capture(renamed);
    assert_eq!(spans.names(), ["custom.name"]);
    // The code attributes still name the fn itself.
    assert_eq!(
        spans.named("custom.name").attr_str("code.function.name"),
        Some(format!("{}::renamed", module_path!()))
    );
}

#[test]
fn every_kind() {
    let ((), spans) = capture(|| {
        kind_internal();
        kind_server();
        kind_client();
        kind_producer();
        kind_consumer();
    });
    let kind = |name| spans.named(name).span_kind.clone();
    assert_eq!(kind("kind_internal"), SpanKind::Internal);
    assert_eq!(kind("kind_server"), SpanKind::Server);
    assert_eq!(kind("kind_client"), SpanKind::Client);
    assert_eq!(kind("kind_producer"), SpanKind::Producer);
    assert_eq!(kind("kind_consumer"), SpanKind::Consumer);
}

#[test]
fn tracer_sets_the_instrumentation_scope() {
    let ((), spans) = capture(|| {
        custom_tracer();
        default_tracer();
    });
    let custom = &spans.named("custom_tracer").instrumentation_scope;
    assert_eq!(custom.name(), "my-library");
    let default = &spans.named("default_tracer").instrumentation_scope;
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
    let ((), spans) = capture(|| integers(-8, -16, -32, -64, -128, -1, 8, 16, 32, 64, 128, 7));
    let span = spans.named("integers");
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
        assert_eq!(span.attr(key), Some(&Value::I64(value)), "{key}");
    }
}

#[test]
fn integers_beyond_i64_are_decimal_strings_not_wrapped() {
    let ((), spans) = capture(|| {
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
    let span = spans.named("integers");
    assert_eq!(span.attr("i_64"), Some(&Value::I64(i64::MIN)));
    assert_eq!(span.attr("u_32"), Some(&Value::I64(i64::from(u32::MAX))));
    let text = |value: &dyn fmt::Display| Some(Value::from(value.to_string()));
    assert_eq!(span.attr("u_64").cloned(), text(&u64::MAX));
    assert_eq!(span.attr("u_size").cloned(), text(&usize::MAX));
    assert_eq!(span.attr("u_128").cloned(), text(&u128::MAX));
    assert_eq!(span.attr("i_128").cloned(), text(&i128::MIN));
}

#[test]
fn u64_at_the_boundary() {
    let ((), spans) = capture(|| {
        let max = i64::MAX as u64;
        integers(0, 0, 0, 0, 0, 0, 0, 0, 0, max, 0, max as usize + 1);
    });
    let span = spans.named("integers");
    assert_eq!(span.attr("u_64"), Some(&Value::I64(i64::MAX)));
    assert_eq!(
        span.attr("u_size").cloned(),
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
    let ((), spans) = capture(|| {
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
    let span = spans.named("scalars_and_text");
    assert_eq!(span.attr("float32"), Some(&Value::F64(1.5)));
    assert_eq!(span.attr("float64"), Some(&Value::F64(-2.25)));
    assert_eq!(span.attr("flag"), Some(&Value::Bool(true)));
    assert_eq!(span.attr("letter"), Some(&Value::from("λ")));
    assert_eq!(span.attr("slice"), Some(&Value::from("slice")));
    assert_eq!(span.attr("owned"), Some(&Value::from("owned")));
    assert_eq!(span.attr("borrowed_cow"), Some(&Value::from("borrowed")));
    assert_eq!(span.attr("owned_cow"), Some(&Value::from("owned cow")));
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
    let ((), spans) = capture(|| {
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
    let span = spans.named("options_and_references");
    assert_eq!(span.attr("present"), Some(&Value::I64(3)));
    assert_eq!(span.attr("absent"), None);
    assert_eq!(span.attr("nested_absent"), None);
    assert_eq!(
        span.attr("by_ref").cloned(),
        Some(Value::from(u64::MAX.to_string()))
    );
    // Captured at entry, before the body appended to it.
    assert_eq!(span.attr("by_mut"), Some(&Value::from("mutable")));
    assert_eq!(span.attr("ref_ref"), Some(&Value::F64(0.5)));
    assert_eq!(span.attr("boxed"), Some(&Value::from("boxed")));
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
    let (value, spans) = capture(|| formats(1, Point { x: 1, y: 2 }, Point { x: 3, y: 4 }, "ab"));
    assert_eq!(value, 8);
    let span = spans.named("formats");
    assert_eq!(span.attr("plain"), Some(&Value::I64(1)));
    assert_eq!(
        span.attr("debugged"),
        Some(&Value::from("Point { x: 1, y: 2 }"))
    );
    assert_eq!(span.attr("displayed"), Some(&Value::from("(3, 4)")));
    assert_eq!(span.attr("text"), Some(&Value::from("\"ab\"")));
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
    let (len, spans) = capture(|| moves_its_argument("start".to_owned()));
    assert_eq!(len, "start and more".len());
    assert_eq!(
        spans.named("moves_its_argument").attr("moved"),
        Some(&Value::from("start"))
    );
}

#[traced]
fn captures_nothing(secret: &str, count: u32, point: Point) -> usize {
    secret.len() + count as usize + point.x as usize
}

#[test]
fn nothing_is_captured_unless_chosen() {
    let (value, spans) = capture(|| captures_nothing("hunter2", 1, Point { x: 1, y: 0 }));
    assert_eq!(value, 9);
    let span = spans.named("captures_nothing");
    assert_eq!(span.attr_keys(), CODE_KEYS);
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
    let ((), spans) = capture(|| extra_attributes(5));
    let span = spans.named("extra_attributes");
    assert_eq!(span.attr("plain"), Some(&Value::I64(10)));
    assert_eq!(
        span.attr("dotted.string.key"),
        Some(&Value::from("Point { x: 5, y: 0 }"))
    );
    assert_eq!(span.attr("a.b.c"), Some(&Value::from("(0, 5)")));
    assert_eq!(span.attr("type"), Some(&Value::from("typed")));
    assert_eq!(span.attr("maybe"), None);
    assert_eq!(span.attr("constant"), Some(&Value::I64(42)));
    let mut expected = vec!["a.b.c", "constant", "dotted.string.key", "plain", "type"];
    expected.extend(CODE_KEYS);
    expected.sort_unstable();
    assert_eq!(span.attr_keys(), expected);
}

#[test]
fn attrs_over_self_are_read_at_entry() {
    let (amount, spans) = capture(|| {
        let mut account = Account {
            id: 9,
            owner: "ada".to_owned(),
        };
        account.deposit(-3)
    });
    assert_eq!(amount, -3);
    let span = spans.named("deposit");
    assert_eq!(span.attr("amount"), Some(&Value::I64(-3)));
    assert_eq!(span.attr("account.id"), Some(&Value::I64(9)));
    assert_eq!(span.attr("account.owner"), Some(&Value::from("ada")));
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
    let ((), spans) = capture(|| {
        ret_default();
        ret_debug();
        ret_display();
        ret_not_chosen();
    });
    let ret = |name| spans.named(name).attr("return").cloned();
    assert_eq!(ret("ret_default"), Some(Value::from("\"quoted\"")));
    assert_eq!(ret("ret_debug"), Some(Value::from("Point { x: 1, y: 2 }")));
    assert_eq!(ret("ret_display"), Some(Value::from("(1, 2)")));
    assert_eq!(ret("ret_not_chosen"), None);
}

#[test]
fn ret_of_a_result_is_the_ok_value_and_nothing_on_err() {
    let (outcomes, spans) = capture(|| {
        (
            ret_result(true).is_ok(),
            ret_result(false).is_ok(),
            ret_debug_result(true).is_ok(),
            ret_debug_result(false).is_ok(),
        )
    });
    assert_eq!(outcomes, (true, false, true, false));
    let results = spans.all_named("ret_result");
    assert_eq!(results[0].attr("return"), Some(&Value::from("(7, 8)")));
    assert_eq!(results[1].attr("return"), None);
    assert!(results[1].error_description().is_some());
    let debugged = spans.all_named("ret_debug_result");
    assert_eq!(debugged[0].attr("return"), Some(&Value::from("[1, 2]")));
    assert_eq!(debugged[1].attr("return"), None);
}

// ---- parent and root ----

const REMOTE_TRACE: TraceId = TraceId::from_bytes([7; 16]);
const REMOTE_SPAN: SpanId = SpanId::from_bytes([9; 8]);

fn remote_context() -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        REMOTE_TRACE,
        REMOTE_SPAN,
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    ))
}

#[traced]
fn child() {}

#[traced(parent = cx)]
fn parent_by_value(cx: Context) {
    child();
}

#[traced(parent = cx)]
fn parent_by_ref(cx: &Context) {
    child();
}

#[traced(parent = remote_context())]
fn parent_from_any_expression() {}

#[traced]
fn traced_caller() {
    parent_by_ref(&remote_context());
    root_span();
}

#[traced(root)]
fn root_span() {
    child();
}

fn assert_remote_child(span: &opentelemetry_sdk::trace::SpanData) {
    assert_eq!(span.trace_id(), REMOTE_TRACE);
    assert_eq!(span.parent_span_id, REMOTE_SPAN);
    assert!(span.parent_span_is_remote);
}

#[test]
fn parent_takes_a_context_or_a_reference() {
    let ((), spans) = capture(|| {
        parent_by_value(remote_context());
        parent_by_ref(&remote_context());
        parent_from_any_expression();
    });
    for name in [
        "parent_by_value",
        "parent_by_ref",
        "parent_from_any_expression",
    ] {
        assert_remote_child(spans.named(name));
    }
    // Inside, the new span is current: its children hang under it.
    let children = spans.all_named("child");
    assert!(children[0].is_child_of(spans.named("parent_by_value")));
    assert!(children[1].is_child_of(spans.named("parent_by_ref")));
    assert!(!children[0].parent_span_is_remote);
}

#[test]
fn parent_overrides_the_current_span_and_root_ignores_it() {
    let ((), spans) = capture(traced_caller);
    let caller = spans.named("traced_caller");
    assert_remote_child(spans.named("parent_by_ref"));

    let root = spans.named("root_span");
    assert!(root.is_root());
    assert!(!root.parent_span_is_remote);
    assert_ne!(root.trace_id(), caller.trace_id());
    assert_ne!(root.trace_id(), REMOTE_TRACE);
    // The root span's children are in its new trace.
    let children = spans.all_named("child");
    assert_eq!(children.len(), 2);
    assert!(children[1].is_child_of(root));
}

#[test]
fn root_ignores_an_attached_remote_parent() {
    let ((), spans) = capture(|| {
        let _attached = remote_context().attach();
        root_span();
    });
    let root = spans.named("root_span");
    assert!(root.is_root());
    assert_ne!(root.trace_id(), REMOTE_TRACE);
}

struct Request {
    cx: Context,
}

impl Request {
    #[traced(parent = &self.cx)]
    fn handle(&self) {
        child();
    }
}

#[test]
fn parent_can_borrow_from_self() {
    let ((), spans) = capture(|| {
        Request {
            cx: remote_context(),
        }
        .handle();
    });
    let handle = spans.named("handle");
    assert_remote_child(handle);
    assert!(spans.named("child").is_child_of(handle));
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

#[traced(parent = cx)]
async fn async_parent(cx: &Context) {
    tokio::task::yield_now().await;
    child();
}

#[traced(root)]
async fn async_root() {
    tokio::task::yield_now().await;
    child();
}

#[traced]
async fn async_caller() {
    async_parent(&remote_context()).await;
    async_root().await;
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn async_fns_take_the_same_options() {
    let (len, spans) = capture(|| {
        block_on(async {
            async_options(u64::MAX, Point { x: 1, y: 2 }).await;
            async_captures_nothing("hunter2").await
        })
    });
    assert_eq!(len, 7);
    let span = spans.named("async.custom");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.instrumentation_scope.name(), "async-lib");
    assert_eq!(
        span.attr("id").cloned(),
        Some(Value::from(u64::MAX.to_string()))
    );
    assert_eq!(
        span.attr("point"),
        Some(&Value::from("Point { x: 1, y: 2 }"))
    );
    assert_eq!(span.attr("point.sum"), Some(&Value::from("3")));
    assert_eq!(span.attr("return"), Some(&Value::from("(1, 2)")));
    assert_eq!(
        span.attr_str("code.function.name"),
        Some(format!("{}::async_options", module_path!()))
    );
    let plain = spans.named("async_captures_nothing");
    assert_eq!(plain.attr_keys(), CODE_KEYS);
    assert_eq!(
        plain.instrumentation_scope.version(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn async_parent_and_root() {
    let ((), spans) = capture(|| block_on(async_caller()));
    let caller = spans.named("async_caller");
    let parent = spans.named("async_parent");
    assert_remote_child(parent);
    let root = spans.named("async_root");
    assert!(root.is_root());
    assert_ne!(root.trace_id(), caller.trace_id());
    let children = spans.all_named("child");
    assert_eq!(children.len(), 2);
    assert!(children[0].is_child_of(parent));
    assert!(children[1].is_child_of(root));
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
    let (values, spans) = capture(|| {
        (
            Receiver { id: 1 }.method(2),
            destructured((1, "ab"), Point { x: 3, y: 0 }, 4),
        )
    });
    assert_eq!(values, (3, 11));
    let method = spans.named("method");
    assert_eq!(
        method.attr("self"),
        Some(&Value::from("Receiver { id: 1 }"))
    );
    assert_eq!(method.attr("n"), Some(&Value::I64(2)));
    let span = spans.named("destructured");
    assert_eq!(span.attr("a"), Some(&Value::I64(1)));
    assert_eq!(span.attr("b"), Some(&Value::from("ab")));
    assert_eq!(span.attr("x"), Some(&Value::I64(3)));
    // Captured before the body changed it.
    assert_eq!(span.attr("mut_param"), Some(&Value::I64(4)));
}

#[traced(parent = Context::new())]
fn empty_parent() {}

#[traced]
fn calls_empty_parent() {
    empty_parent();
}

#[test]
fn an_empty_parent_context_starts_a_new_trace() {
    let ((), spans) = capture(calls_empty_parent);
    let span = spans.named("empty_parent");
    assert!(span.is_root());
    assert_ne!(
        span.trace_id(),
        spans.named("calls_empty_parent").trace_id()
    );
}
