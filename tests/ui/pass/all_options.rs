#![deny(warnings)]

use std::borrow::Cow;
use std::fmt;

use opentelemetry::Context;
use traced::traced;

#[derive(Debug)]
struct Request {
    path: String,
    user: Option<u64>,
}

struct Route<'a>(&'a str);

impl fmt::Display for Route<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "route {}", self.0)
    }
}

#[derive(Debug)]
struct NotFound;

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not found")
    }
}

#[traced(
    name = "GET /items",
    kind = server,
    tracer = "all-options",
    args(id, ?request, %route, label, count, ratio, flag, letter, maybe, cow, big, wide),
    attrs(
        http.method = "GET",
        "http.route" = %route,
        user.id = request.user,
        request.debug = ?request.path,
        path.length = request.path.len(),
    ),
    err = debug,
    ret = display,
    parent = cx,
)]
#[allow(clippy::too_many_arguments)]
fn handle(
    cx: &Context,
    id: u64,
    request: Request,
    route: Route<'_>,
    label: &str,
    count: i8,
    ratio: f32,
    flag: bool,
    letter: char,
    maybe: Option<String>,
    cow: Cow<'_, str>,
    big: u128,
    wide: usize,
) -> Result<String, NotFound> {
    if id == 0 {
        return Err(NotFound);
    }
    let _ = (label, count, ratio, flag, letter, maybe, cow, big, wide, cx);
    Ok(format!("{} {}", request.path, route))
}

#[traced(kind = client, root, ret, err = off, args(attempt))]
fn call_out(attempt: u8) -> Result<Vec<u8>, std::io::Error> {
    if attempt > 3 {
        return Err(std::io::Error::other("too many"));
    }
    Ok(vec![attempt])
}

#[traced(kind = producer, parent = Context::current(), ret = debug)]
fn publish() -> Option<u8> {
    Some(1)
}

#[traced(kind = consumer, parent = &context, attrs(queue = "jobs"))]
fn consume(context: Context) -> usize {
    // The parent was read at entry; the body may move it.
    drop(context);
    0
}

#[traced(parent = context, args(id))]
async fn consume_async(context: Context, id: u8) -> Context {
    let _ = id;
    context
}

#[traced(kind = internal, err = display, ret)]
fn compute() -> Result<u8, NotFound> {
    Ok(1)
}

#[traced(ret, args(a, b,), attrs(c = a + b,),)]
fn trailing_commas(a: u8, b: u8) -> u8 {
    a + b
}

fn main() {
    let cx = Context::current();
    let request = Request {
        path: "/items".to_owned(),
        user: Some(7),
    };
    let result = handle(
        &cx,
        1,
        request,
        Route("/items"),
        "label",
        -1,
        0.5,
        true,
        'x',
        None,
        Cow::Borrowed("cow"),
        u128::MAX,
        usize::MAX,
    );
    assert_eq!(result.unwrap(), "/items route /items");
    assert_eq!(call_out(1).unwrap(), vec![1]);
    assert!(call_out(9).is_err());
    assert_eq!(publish(), Some(1));
    assert_eq!(consume(Context::new()), 0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let _: Context = runtime.block_on(consume_async(Context::new(), 1));
    assert_eq!(compute().unwrap(), 1);
    assert_eq!(trailing_commas(1, 2), 3);
}
