//! Sync fns: one span per call, current while the body runs, nested under
//! whatever span is current, ended on every way out, with the `code.*`
//! attributes.

use opentelemetry::trace::{SpanContext, SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, Value, global};
use traced::traced;
use traced_tests::{CODE_KEYS, SpanExt, capture};

/// The span context current right now.
fn current_span() -> SpanContext {
    Context::current().span().span_context().clone()
}

#[traced]
fn leaf(x: u32) -> u32 {
    x + 1
}

#[traced]
fn outer() -> u32 {
    leaf(1) + leaf(2)
}

#[traced]
fn reports_current() -> SpanContext {
    current_span()
}

#[test]
fn each_call_exports_one_span_with_defaults() {
    let (value, spans) = capture(|| leaf(1) + leaf(2) + leaf(3));
    assert_eq!(value, 9);
    assert_eq!(spans.names(), ["leaf", "leaf", "leaf"]);
    for span in &spans.0 {
        assert_eq!(span.span_kind, SpanKind::Internal);
        assert_eq!(span.status, Status::Unset);
        assert!(span.events.is_empty());
        assert!(span.is_root());
    }
    // Three separate root calls: three traces.
    assert_ne!(spans.0[0].trace_id(), spans.0[1].trace_id());
}

#[test]
fn the_span_is_current_inside_the_body() {
    let (inside, spans) = capture(reports_current);
    let span = spans.named("reports_current");
    assert_eq!(&inside, &span.span_context);
}

#[test]
fn a_traced_callee_is_a_child() {
    let (value, spans) = capture(outer);
    assert_eq!(value, 5);
    let parent = spans.named("outer");
    let children = spans.all_named("leaf");
    assert_eq!(children.len(), 2);
    assert!(children.iter().all(|child| child.is_child_of(parent)));
    assert!(parent.is_root());
    // Children end before their parent.
    assert_eq!(spans.names(), ["leaf", "leaf", "outer"]);
}

#[traced]
fn starts_manual_spans() {
    let tracer = global::tracer("manual");
    let mut span = tracer.start("manual.start");
    opentelemetry::trace::Span::end(&mut span);
    tracer.in_span("manual.in_span", |_| {});
}

#[test]
fn hand_written_spans_inside_are_children() {
    let ((), spans) = capture(starts_manual_spans);
    let parent = spans.named("starts_manual_spans");
    assert!(spans.named("manual.start").is_child_of(parent));
    assert!(spans.named("manual.in_span").is_child_of(parent));
}

#[test]
fn inside_an_attached_hand_written_span_it_is_a_child() {
    let ((), spans) = capture(|| {
        let cx = Context::current_with_span(global::tracer("manual").start("manual.outer"));
        {
            let _attached = cx.clone().attach();
            leaf(1);
        }
        cx.span().end();
    });
    assert!(spans.named("leaf").is_child_of(spans.named("manual.outer")));
}

#[test]
fn inside_in_span_it_is_a_child() {
    let ((), spans) = capture(|| {
        global::tracer("manual").in_span("manual.outer", |_| leaf(1));
    });
    assert!(spans.named("leaf").is_child_of(spans.named("manual.outer")));
}

#[test]
fn the_current_context_is_restored_after_the_call() {
    let ((before, during, after), spans) = capture(|| {
        let cx = Context::current_with_span(global::tracer("manual").start("manual.outer"));
        let _attached = cx.clone().attach();
        let before = current_span();
        let during = reports_current();
        let after = current_span();
        cx.span().end();
        (before, during, after)
    });
    assert_eq!(before, spans.named("manual.outer").span_context);
    assert_eq!(during, spans.named("reports_current").span_context);
    assert_eq!(after, before);
}

#[test]
fn no_span_stays_current_after_a_top_level_call() {
    let (after, _spans) = capture(|| {
        outer();
        Context::current().has_active_span()
    });
    assert!(!after);
}

#[traced]
fn early_return(x: i32) -> &'static str {
    if x < 0 {
        return "negative";
    }
    let _child = leaf(1);
    "non-negative"
}

#[test]
fn early_return_still_returns_and_ends_the_span() {
    let (values, spans) = capture(|| (early_return(-1), early_return(1)));
    assert_eq!(values, ("negative", "non-negative"));
    let calls = spans.all_named("early_return");
    assert_eq!(calls.len(), 2);
    // The first call returned early: no child. The second made one.
    assert!(spans.named("leaf").is_child_of(calls[1]));
    assert!(calls.iter().all(|call| call.status == Status::Unset));
}

#[derive(Debug, PartialEq)]
enum AppError {
    Io(std::io::ErrorKind),
}

impl From<std::io::Error> for AppError {
    fn from(error: std::io::Error) -> Self {
        AppError::Io(error.kind())
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "app error: {:?}", self)
    }
}

fn io_step(fail: bool) -> std::io::Result<u8> {
    if fail {
        Err(std::io::Error::from(std::io::ErrorKind::NotFound))
    } else {
        Ok(7)
    }
}

#[traced]
fn question_mark(fail: bool) -> Result<u8, AppError> {
    let value = io_step(fail)?;
    Ok(value * 2)
}

#[test]
fn question_mark_converts_through_from() {
    let (values, spans) = capture(|| (question_mark(true), question_mark(false)));
    assert_eq!(
        values,
        (Err(AppError::Io(std::io::ErrorKind::NotFound)), Ok(14))
    );
    let calls = spans.all_named("question_mark");
    assert_eq!(calls.len(), 2);
    // The converted error is what is recorded.
    assert_eq!(
        calls[0].error_description().as_deref(),
        Some("app error: Io(NotFound)")
    );
    assert_eq!(
        calls[0].attr_str("error.type").as_deref(),
        Some(std::any::type_name::<AppError>())
    );
    assert_eq!(calls[1].status, Status::Unset);
}

#[traced]
fn recursive(n: u32) -> u32 {
    if n == 0 { 0 } else { 1 + recursive(n - 1) }
}

#[test]
fn recursion_nests_one_span_per_level() {
    let (value, spans) = capture(|| recursive(3));
    assert_eq!(value, 3);
    // Deepest ends first; each is the child of the next.
    let calls = spans.all_named("recursive");
    assert_eq!(calls.len(), 4);
    for pair in calls.windows(2) {
        assert!(pair[0].is_child_of(pair[1]));
    }
    assert!(calls[3].is_root());
}

/// Returns the line after its name's line.
#[traced]
fn located() -> u32 {
    line!()
}

mod nested {
    #[traced::traced]
    pub fn r#type() {}

    pub struct Thing;

    impl Thing {
        #[traced::traced]
        pub fn method(&self) {}
    }
}

#[test]
fn code_attributes_locate_the_fn() {
    let (body_line, spans) = capture(located);
    let span = spans.named("located");
    assert_eq!(span.attr_keys(), CODE_KEYS);
    assert_eq!(
        span.attr("code.function.name"),
        Some(&Value::from(concat!(module_path!(), "::located")))
    );
    assert_eq!(span.attr("code.file.path"), Some(&Value::from(file!())));
    assert_eq!(
        span.attr("code.line.number"),
        Some(&Value::I64(i64::from(body_line - 1)))
    );
}

#[test]
fn code_function_name_is_module_path_and_name() {
    let ((), spans) = capture(|| {
        nested::r#type();
        nested::Thing.method();
    });
    // A raw identifier is named without its `r#`.
    assert_eq!(
        spans
            .named("type")
            .attr_str("code.function.name")
            .as_deref(),
        Some(concat!(module_path!(), "::nested::type"))
    );
    assert_eq!(
        spans
            .named("method")
            .attr_str("code.function.name")
            .as_deref(),
        // A method annotated on its own is named with its type.
        Some(concat!(module_path!(), "::nested::Thing::method"))
    );
}

#[test]
fn code_attributes_are_static_strings() {
    let (_, spans) = capture(located);
    let span = spans.named("located");
    // `Static(..)` is how opentelemetry debugs a borrowed `&'static str`
    // value: recorded without copying.
    for key in ["code.function.name", "code.file.path"] {
        let debugged = format!("{:?}", span.attr(key).unwrap());
        assert!(debugged.contains("Static("), "{key}: {debugged}");
    }
}

#[traced]
fn option_question_mark(values: &[u8]) -> Option<u8> {
    let first = values.first()?;
    Some(first + 1)
}

#[test]
fn question_mark_on_option() {
    let (values, spans) = capture(|| (option_question_mark(&[]), option_question_mark(&[1])));
    assert_eq!(values, (None, Some(2)));
    let calls = spans.all_named("option_question_mark");
    assert_eq!(calls.len(), 2);
    // `None` is not an error.
    assert!(calls.iter().all(|call| call.status == Status::Unset));
}

#[derive(Debug, PartialEq)]
struct Marker(u8);

#[traced]
fn reads_marker() -> Option<u8> {
    Context::current().get::<Marker>().map(|marker| marker.0)
}

#[test]
fn other_context_entries_still_flow_into_the_body() {
    let (seen, _spans) = capture(|| {
        let _attached = Context::current_with_value(Marker(5)).attach();
        reads_marker()
    });
    assert_eq!(seen, Some(5));
}

/// Logs its drop, and whether a span was current then.
struct Loud(&'static str);

thread_local! {
    static DROPS: std::cell::RefCell<Vec<(&'static str, bool)>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Drop for Loud {
    fn drop(&mut self) {
        let in_span = Context::current().has_active_span();
        DROPS.with(|drops| drops.borrow_mut().push((self.0, in_span)));
    }
}

impl Loud {
    fn touch(&self) {}
}

impl std::fmt::Debug for Loud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

fn take_drops() -> Vec<(&'static str, bool)> {
    DROPS.with(|drops| drops.take())
}

fn untraced_drop_order(a: Loud, b: Loud, c: Loud) {
    a.touch();
    b.touch();
    let _ = &c;
}

#[traced]
fn traced_drop_order(a: Loud, b: Loud, c: Loud) {
    a.touch();
    b.touch();
    let _ = &c;
}

fn untraced_guard_and_format(a: Loud, b: Loud, _guard: Loud) -> String {
    a.touch();
    format!("{b:?}")
}

/// `_guard` is never named in the body; `b` only in a format string.
#[traced]
fn traced_guard_and_format(a: Loud, b: Loud, _guard: Loud) -> String {
    a.touch();
    format!("{b:?}")
}

#[test]
fn guards_and_format_only_parameters_drop_in_order_too() {
    let ((), _spans) = capture(|| {
        untraced_guard_and_format(Loud("a"), Loud("b"), Loud("guard"));
        let plain: Vec<&str> = take_drops().into_iter().map(|(name, _)| name).collect();
        traced_guard_and_format(Loud("a"), Loud("b"), Loud("guard"));
        let traced = take_drops();
        assert_eq!(plain, ["guard", "b", "a"]);
        assert_eq!(traced, [("guard", true), ("b", true), ("a", true)]);
    });
}

#[test]
fn parameters_drop_as_in_a_plain_fn_inside_the_span() {
    let ((), _spans) = capture(|| {
        untraced_drop_order(Loud("a"), Loud("b"), Loud("c"));
        let plain: Vec<&str> = take_drops().into_iter().map(|(name, _)| name).collect();
        traced_drop_order(Loud("a"), Loud("b"), Loud("c"));
        let traced = take_drops();
        assert_eq!(plain, ["c", "b", "a"]);
        assert_eq!(traced, [("c", true), ("b", true), ("a", true)]);
    });
}

/// Not an `#[async_trait]` method, though it looks like one: a sync fn that
/// does work and then boxes a future. Its span covers the sync part and the
/// future (see plain_futures.rs); a panic while building is recorded.
#[traced(args(name))]
fn boxed_future(name: String) -> std::pin::Pin<Box<dyn Future<Output = usize> + Send>> {
    assert!(!name.is_empty(), "empty name");
    let owned = name;
    Box::pin(async move { owned.len() })
}

#[test]
fn a_panic_while_building_a_boxed_future_fails_the_span() {
    let (message, spans) = traced_tests::capture_panic(|| {
        drop(boxed_future(String::new()));
    });
    assert_eq!(message, "empty name");
    let span = spans.named("boxed_future");
    assert_eq!(span.attr_str("name").as_deref(), Some(""));
    assert_eq!(span.error_description().as_deref(), Some("empty name"));
}
