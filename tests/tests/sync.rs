//! Sync fns: one span per call, current while the body runs, nested under
//! whatever span is current, ended on every way out, with the `code.*`
//! attributes.

use opentelemetry::trace::{SpanContext, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, Value, global};
use traced::testing::Capture;
use traced::traced;
use traced_tests::{CODE_KEYS, attribute_keys, panic_message};

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
fn the_span_is_current_inside_the_body() {
    let capture = Capture::new();
    let inside = capture.run(reports_current);
    let spans = capture.spans();
    let span = spans.only("reports_current");
    assert_eq!(&inside, &span.span_context);
}

#[test]
fn a_traced_callee_is_a_child() {
    let capture = Capture::new();
    let value = capture.run(outer);
    let spans = capture.spans();
    assert_eq!(value, 5);
    let parent = spans.only("outer");
    let children = spans.named("leaf");
    assert_eq!(children.len(), 2);
    assert!(
        children
            .iter()
            .all(|child| spans.parent(child) == Some(parent))
    );
    assert!(spans.roots().contains(&parent));
    // Children end before their parent.
    let ended: Vec<&str> = spans
        .in_end_order()
        .iter()
        .map(|span| span.name.as_ref())
        .collect();
    assert_eq!(ended, ["leaf", "leaf", "outer"]);
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
    let capture = Capture::new();
    capture.run(starts_manual_spans);
    let spans = capture.spans();
    let parent = spans.only("starts_manual_spans");
    assert_eq!(spans.parent(spans.only("manual.start")), Some(parent));
    assert_eq!(spans.parent(spans.only("manual.in_span")), Some(parent));
}

#[test]
fn inside_an_attached_hand_written_span_it_is_a_child() {
    let capture = Capture::new();
    capture.run(|| {
        let cx = Context::current_with_span(global::tracer("manual").start("manual.outer"));
        {
            let _attached = cx.clone().attach();
            leaf(1);
        }
        cx.span().end();
    });
    let spans = capture.spans();
    assert_eq!(
        spans.parent(spans.only("leaf")),
        Some(spans.only("manual.outer"))
    );
}

#[test]
fn inside_in_span_it_is_a_child() {
    let capture = Capture::new();
    capture.run(|| {
        global::tracer("manual").in_span("manual.outer", |_| leaf(1));
    });
    let spans = capture.spans();
    assert_eq!(
        spans.parent(spans.only("leaf")),
        Some(spans.only("manual.outer"))
    );
}

#[test]
fn the_current_context_is_restored_after_the_call() {
    let capture = Capture::new();
    let (before, during, after) = capture.run(|| {
        let cx = Context::current_with_span(global::tracer("manual").start("manual.outer"));
        let _attached = cx.clone().attach();
        let before = current_span();
        let during = reports_current();
        let after = current_span();
        cx.span().end();
        (before, during, after)
    });
    let spans = capture.spans();
    assert_eq!(before, spans.only("manual.outer").span_context);
    assert_eq!(during, spans.only("reports_current").span_context);
    assert_eq!(after, before);
}

#[test]
fn no_span_stays_current_after_a_top_level_call() {
    let capture = Capture::new();
    let after = capture.run(|| {
        outer();
        current_span()
    });
    // Only the capture's own parent, current before the call.
    assert_eq!(&after, capture.context().span().span_context());
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
    let capture = Capture::new();
    let values = capture.run(|| (early_return(-1), early_return(1)));
    let spans = capture.spans();
    assert_eq!(values, ("negative", "non-negative"));
    let calls = spans.named("early_return");
    assert_eq!(calls.len(), 2);
    // The first call returned early: no child. The second made one.
    assert_eq!(spans.parent(spans.only("leaf")), Some(calls[1]));
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
    let capture = Capture::new();
    let values = capture.run(|| (question_mark(true), question_mark(false)));
    let spans = capture.spans();
    assert_eq!(
        values,
        (Err(AppError::Io(std::io::ErrorKind::NotFound)), Ok(14))
    );
    let calls = spans.named("question_mark");
    assert_eq!(calls.len(), 2);
    // The converted error is what is recorded.
    assert_eq!(calls[0].status, Status::error("app error: Io(NotFound)"));
    assert_eq!(
        spans.attribute_text(calls[0], "error.type").as_deref(),
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
    let capture = Capture::new();
    let value = capture.run(|| recursive(3));
    let spans = capture.spans();
    assert_eq!(value, 3);
    // Outermost starts first; each is the parent of the next.
    let calls = spans.named("recursive");
    assert_eq!(calls.len(), 4);
    for pair in calls.windows(2) {
        assert_eq!(spans.parent(pair[1]), Some(pair[0]));
    }
    assert!(spans.roots().contains(&calls[0]));
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
    let capture = Capture::new();
    let body_line = capture.run(located);
    let spans = capture.spans();
    let span = spans.only("located");
    assert_eq!(attribute_keys(span), CODE_KEYS);
    assert_eq!(
        spans.attribute(span, "code.function.name"),
        Some(Value::from(concat!(module_path!(), "::located")))
    );
    assert_eq!(
        spans.attribute(span, "code.file.path"),
        Some(Value::from(file!()))
    );
    assert_eq!(
        spans.attribute(span, "code.line.number"),
        Some(Value::I64(i64::from(body_line - 1)))
    );
}

#[test]
fn code_function_name_is_module_path_and_name() {
    let capture = Capture::new();
    capture.run(|| {
        nested::r#type();
        nested::Thing.method();
    });
    let spans = capture.spans();
    // A raw identifier is named without its `r#`.
    let function = |name| spans.attribute_text(spans.only(name), "code.function.name");
    assert_eq!(
        function("type").as_deref(),
        Some(concat!(module_path!(), "::nested::type"))
    );
    assert_eq!(
        function("method").as_deref(),
        // A method annotated on its own is named with its type.
        Some(concat!(module_path!(), "::nested::Thing::method"))
    );
}

#[test]
fn code_attributes_are_static_strings() {
    let capture = Capture::new();
    let _ = capture.run(located);
    let spans = capture.spans();
    let span = spans.only("located");
    // `Static(..)` is how opentelemetry debugs a borrowed `&'static str`
    // value: recorded without copying.
    for key in ["code.function.name", "code.file.path"] {
        let debugged = format!("{:?}", spans.attribute(span, key).unwrap());
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
    let capture = Capture::new();
    let values = capture.run(|| (option_question_mark(&[]), option_question_mark(&[1])));
    let spans = capture.spans();
    assert_eq!(values, (None, Some(2)));
    let calls = spans.named("option_question_mark");
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
    let capture = Capture::new();
    let seen = capture.run(|| {
        let _attached = Context::current_with_value(Marker(5)).attach();
        reads_marker()
    });
    assert_eq!(seen, Some(5));
}

/// Logs its drop, and whether a span of ours was current then (a
/// recording one: the capture's remote parent is not).
struct Loud(&'static str);

thread_local! {
    static DROPS: std::cell::RefCell<Vec<(&'static str, bool)>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Drop for Loud {
    fn drop(&mut self) {
        let in_span = Context::current().span().is_recording();
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
    let capture = Capture::new();
    capture.run(|| {
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
    let capture = Capture::new();
    capture.run(|| {
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
    let capture = Capture::new();
    let message = capture.run(|| {
        panic_message(|| {
            drop(boxed_future(String::new()));
        })
    });
    assert_eq!(message, "empty name");
    let spans = capture.spans();
    let span = spans.only("boxed_future");
    assert_eq!(spans.attribute_text(span, "name").as_deref(), Some(""));
    assert_eq!(span.status, Status::error("empty name"));
}
