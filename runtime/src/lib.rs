//! OpenTelemetry spans for Rust functions, one attribute per function.
//!
//! Put [`#[traced]`](macro@traced) on a function and every call runs inside
//! an OpenTelemetry span: the arguments you name become attributes, a
//! returned `Err` marks the span failed with an `exception` event, and the
//! span ends on every way out (return, `?`, panic, a dropped future). Spans
//! join the current OpenTelemetry context, so calls across functions, threads
//! and services form one trace.
//!
//! ```
//! use traced::traced;
//!
//! #[traced(kind = server, args(user_id, ?cart))]
//! fn checkout(user_id: u64, cart: &[&str], card: &str) -> Result<u64, String> {
//!     // `card` is not listed, so it is never recorded.
//!     let total = price(cart)?;
//!     Ok(total)
//! }
//!
//! #[traced]
//! fn price(cart: &[&str]) -> Result<u64, String> {
//!     if cart.is_empty() { Err("empty cart".into()) } else { Ok(42) }
//! }
//! # assert_eq!(checkout(7, &["book"], "4242"), Ok(42));
//! ```
//!
//! Spans go to the global tracer provider: the one `traced::init()` installs, or any
//! installed with [`opentelemetry::global::set_tracer_provider`]; with none
//! installed, a traced call costs a few nanoseconds and records nothing.
//!
//! With no features this crate depends on `opentelemetry` alone: a library
//! can annotate its functions without choosing an SDK or exporter for its
//! users. The rest of the path is behind features:
//!
//! | feature | gives |
//! |---|---|
//! | `otlp` | `init()`: the SDK, OTLP over gRPC or HTTP, and the W3C propagator, from the `OTEL_*` variables (`traced::setup`) |
//! | `http` | `traced::http::{inject, extract}`: trace context in HTTP headers |
//! | `reqwest` | `traced::http::TracedRequest`: reqwest calls in HTTP client spans that carry `traceparent` |
//! | `grpc` | `traced::grpc`: tower layers for tonic servers and channels, RPC spans with the context in metadata |
//! | `view` | `traced::view`: finished spans as a waterfall in the terminal |
//! | `testing` | `traced::testing::Capture`: the spans of your own code, in tests |
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use context::current_trace_id;
/// The `opentelemetry` crate `traced` is built on, so that code handing
/// contexts around (`traced::opentelemetry::Context`) uses the same version.
pub use opentelemetry;
/// Runs every call of the function inside an OpenTelemetry span.
///
/// `#[traced]` or `#[traced(option, ...)]` goes on any fn with a body: free
/// fns, inherent and trait-impl methods, trait default methods, `async fn`s
/// (also in traits and under `#[async_trait]`), `unsafe` and `extern` fns;
/// and on `impl` blocks and traits, to trace every fn in them.
/// The fn's signature, generics, attributes and docs are kept as written, and
/// no trait bound is added to it.
///
/// # What every span carries
///
/// - name: the fn's name (or `name = "..."`), kind `internal` (or `kind`);
/// - `code.function.name` (`module_path!()` + `::` + the fn's name, with
///   `Type::` before the name for a method),
///   `code.file.path` and `code.line.number`;
/// - the parent: the current OpenTelemetry context, so a traced fn called
///   inside another traced fn, or inside a hand-written span, is its child;
/// - the instrumentation scope: the annotated crate's name and version.
///
/// While the body runs, the span is the current context: for an `async fn`,
/// during every poll, on whichever thread polls it. After the call the
/// thread's context is what it was before.
///
/// # Options
///
/// | option | meaning | default |
/// |---|---|---|
/// | `name = "lit"` | span name | the fn's name |
/// | `kind = internal\|server\|client\|producer\|consumer` | span kind | `internal` |
/// | `tracer = "lit"` | instrumentation scope name | the crate's `CARGO_PKG_NAME`, with its version |
/// | `args(a, ?b, %c)` | record these parameters, keyed by name: `a` through [`ToAttribute`], `?b` with `Debug`, `%c` with `Display` | nothing is recorded |
/// | `attrs(key = expr, "dotted.key" = ?expr, a.b.c = %expr)` | extra attributes computed from the parameters | none |
/// | `err = display\|debug\|type\|off` | how a returned `Err(e)` is recorded | `display` |
/// | `ret`, `ret = debug\|display` | record the returned value (a `Result`'s `Ok` value) as attribute `return`; `ret` alone means `debug` | not recorded |
/// | `parent = expr` | an `opentelemetry::Context` or `&Context` to use as the parent | the current context |
/// | `root` | start a new trace, ignoring the current span | off |
/// | `future` | trace the returned future to completion (for a type alias of a boxed future) | on for `-> impl Future`, `Pin<Box<dyn Future>>`, `BoxFuture` |
/// | `init` | on `main`: install `traced::init()` before the span, flush after | off |
/// | `skip` | in an annotated impl block or trait: leave this method untraced | off |
/// | `expected = path` | a `fn(&E) -> bool`: an `Err` it accepts is an outcome the caller expects, not a failure | every `Err` fails |
/// | `crate = path` | the path `traced` is reached by, for crates that re-export or rename it | `::traced` |
/// | `metrics`, `metrics = "name"` | feature `metrics`: each call's duration, in seconds, in a histogram of the global meter provider (`function.call.duration` unless named), with `code.function.name` and the failed call's `error.type` | off |
/// | `metric_attrs(key = expr, ..)` | attributes of the measurement, as `attrs` | none |
///
/// Nothing about the arguments is recorded unless you list it: secure by
/// default.
///
/// ## `name`, `kind`, `tracer`
///
/// ```
/// # use traced::traced;
/// #[traced(name = "GET /orders/{id}", kind = server, tracer = "orders-api")]
/// fn get_order(id: u64) -> String {
///     format!("order {id}")
/// }
/// # get_order(1);
/// ```
///
/// ## `args`: record parameters
///
/// Plain names go through [`ToAttribute`] (numbers, `bool`, `char`, strings,
/// `Option`s of them: `None` leaves the attribute out). `?name` records the
/// `Debug` text, `%name` the `Display` text. Destructured parameters are
/// recorded by the names they bind. Values are read when the call starts,
/// before the body can move them.
///
/// ```
/// # use traced::traced;
/// # use std::net::IpAddr;
/// #[derive(Debug)]
/// struct Query { text: String }
///
/// #[traced(args(limit, ?query, %client, page))]
/// fn search(query: &Query, limit: u32, client: IpAddr, page: Option<u32>) -> usize {
///     query.text.len().min(limit as usize)
/// }
/// # search(&Query { text: "rust".into() }, 10, IpAddr::from([127, 0, 0, 1]), None);
/// ```
///
/// Recorded text is bounded: a `Debug`/`Display` text, a string attribute
/// from any [`ToAttribute`], or an error or panic message longer than 4096
/// bytes ([`set_max_text_len`] changes it) is cut there and ends with `…`,
/// and formatting stops at the limit, so a huge value is never formatted
/// whole. A `Debug` or `Display` that panics is caught: the attribute reads
/// `[Debug panicked]` or `[Display panicked]` and the call goes on. A
/// `ToAttribute` impl or `attrs` expression that panics is caught too: the
/// attributes after it are missing, the span carries
/// `traced.attributes.error`, and the call goes on. (The panic hook still
/// prints each of these panics.) A parameter of type
/// [`Secret<T>`](Secret) records only `[redacted]`, however it is listed.
///
/// ## `attrs`: record anything computed from the parameters
///
/// Keys are identifiers, dotted paths or string literals; values take the same
/// `?`/`%` prefixes as `args`. The expressions run only when the span is
/// recording.
///
/// ```
/// # use traced::traced;
/// struct Request { method: &'static str, path: String }
///
/// #[traced(kind = server, attrs(http.request.method = req.method, "url.path" = req.path.as_str(), body_len = %body.len()))]
/// fn handle(req: &Request, body: &[u8]) -> u16 {
///     200
/// }
/// # handle(&Request { method: "GET", path: "/".into() }, b"");
/// ```
///
/// ## Errors: `err`
///
/// When the fn returns a `Result` (under any name: `io::Result<T>`,
/// `anyhow::Result<T>`, your own alias) and the value is `Err(e)`, the span
/// gets status `Error` with the error's text as description, the attribute
/// `error.type` (the error's type name), and an `exception` event with
/// `exception.type` and `exception.message`, as the OpenTelemetry semantic
/// conventions ask. The text is the error's `Display` output, or its `Debug`
/// output with `err = debug`; a type with only one of the two uses that one,
/// and a type with neither, its type name. Error messages can hold user
/// data (an email address, a query); `err = type` records the error's type
/// name in place of its text, everywhere the text would go. `err = off`
/// records nothing. `Ok` leaves the status unset, and a fn that does not
/// return a `Result` never fails its span.
///
/// ```
/// # use traced::traced;
/// #[traced(err = debug)]
/// fn read_config(path: &str) -> std::io::Result<String> {
///     std::fs::read_to_string(path)
/// }
/// # assert!(read_config("/no/such/file").is_err());
///
/// // Recorded as `std::num::ParseIntError`, never as the rejected input.
/// #[traced(err = type)]
/// fn parse_account(text: &str) -> Result<u64, std::num::ParseIntError> {
///     text.parse()
/// }
/// # assert!(parse_account("alice@example.com").is_err());
/// ```
///
/// With `err = display`, an error that is a `std::error::Error` is told with
/// its whole cause chain (`source()`), outermost first and joined by `: `,
/// a cause the text already holds not repeated; the same for a type holding
/// a `dyn Error`, such as `anyhow::Error` (its context layers). A backtrace
/// the error carries (`anyhow` with `RUST_BACKTRACE=1`) goes into the
/// event's `exception.stacktrace`, never into the status description.
///
/// `expected = path` names a `fn(&E) -> bool` for the errors a caller
/// expects (a cache miss, a 404): such an `Err` leaves the status unset and
/// adds no `exception` event, as the semantic conventions ask for handled
/// errors, but keeps `error.type` on the span so it can still be counted.
///
/// ```
/// # use traced::traced;
/// #[derive(Debug, PartialEq)]
/// enum CacheError { Miss, Broken }
/// # impl std::fmt::Display for CacheError {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
/// # }
///
/// fn is_miss(error: &CacheError) -> bool {
///     *error == CacheError::Miss
/// }
///
/// #[traced(expected = is_miss)]
/// fn cached(key: &str) -> Result<u64, CacheError> {
///     Err(CacheError::Miss)
/// }
/// # assert!(cached("k").is_err());
/// ```
///
/// A panic also fails the span: status `Error`, and an `exception` event whose
/// `exception.message` is the panic message (cut at the text limit); the
/// panic then goes on unwinding. With `err = type` or `err = off` the message
/// is left out as well (`unwrap()` and `expect()` put error text in it): the
/// span records `panic` as both type and message.
///
/// ## `ret`: record the returned value
///
/// ```
/// # use traced::traced;
/// #[traced(ret)]
/// fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
///     text.parse()
/// }
///
/// #[traced(ret = display)]
/// fn greeting(name: &str) -> String {
///     format!("hello {name}")
/// }
/// # assert_eq!(parse_port("80"), Ok(80));
/// # greeting("you");
/// ```
///
/// ## `parent` and `root`
///
/// `parent` continues a context you hold, such as one extracted from an
/// incoming request's `traceparent` header; `root` starts a new trace. The
/// `parent` expression is evaluated on every call, before the body, even when
/// nothing is recorded.
///
/// ```
/// # use traced::traced;
/// use opentelemetry::Context;
///
/// #[traced(kind = consumer, parent = job_context)]
/// fn run_job(job_context: &Context, id: u64) {}
///
/// #[traced(root)]
/// fn nightly_cleanup() {}
/// # run_job(&Context::new(), 1);
/// # nightly_cleanup();
/// ```
///
/// ## `async fn`
///
/// The span starts when the future is first polled (when an `async fn`'s body
/// starts) and ends when it completes. A future dropped before completing
/// ends its span with an event named `cancelled`.
///
/// ```
/// # use traced::traced;
/// #[traced(args(id))]
/// async fn fetch(id: u64) -> Result<String, std::io::Error> {
///     Ok(format!("item {id}"))
/// }
/// ```
///
/// A task started with `tokio::spawn` (or any executor's spawn) does not run
/// inside the spawning fn's span: it is polled later, often on another
/// thread, in whatever context is current there, so its spans usually begin
/// a trace of their own. To keep it in the trace, hand it the current context
/// (through `traced::opentelemetry`, so the versions match):
///
/// ```
/// use traced::opentelemetry::Context;
/// use traced::opentelemetry::context::FutureExt as _;
/// # use traced::traced;
///
/// #[traced]
/// async fn refresh_cache() {}
///
/// #[traced]
/// async fn handle() {
///     // The spawned task's spans become children of `handle`'s span.
///     let task = refresh_cache().with_context(Context::current());
///     # let _ = task;
///     // tokio::spawn(task);
/// }
/// ```
///
/// ## Plain fns that return a future
///
/// A fn declared `-> impl Future<Output = T>` (with any other bounds),
/// `-> Pin<Box<dyn Future<Output = T> + ..>>` or `-> BoxFuture<'a, T>` is
/// traced to the future's completion: the span starts at the call, is
/// current while the fn builds the future and during every poll, ends when
/// the future completes, and is failed by an `Err` output as for an
/// `async fn`. Dropped before completing, or never polled, the future ends
/// the span with `cancelled`. Option `future` does the same for a return type
/// the macro cannot see is a boxed future, such as an alias.
///
/// ```
/// # use traced::traced;
/// use std::future::Future;
/// use std::pin::Pin;
///
/// type Job = Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>;
///
/// #[traced(args(sku))]
/// fn quote(sku: &'static str) -> impl Future<Output = Result<u32, String>> {
///     async move { if sku == "desk" { Ok(189) } else { Err(format!("no {sku}")) } }
/// }
///
/// #[traced(future)]
/// fn job() -> Job {
///     Box::pin(async { Ok(1) })
/// }
/// # let _ = (quote("desk"), job());
/// ```
///
/// # Impl blocks and traits
///
/// On an `impl` block, `#[traced(options)]` traces every fn in it as if each
/// carried the options; a method's own `#[traced(..)]` is merged in, its
/// options winning key by key, and `#[traced(skip)]` leaves a method
/// untraced. `const fn`s and items other than fns are left alone. Spans are
/// named `Type::method`, after the last path segment of the self type
/// without generics, and `code.function.name` is `module::Type::method`.
/// `name`, `args`, `attrs`, `parent`, `init` and `skip` belong to one fn and
/// are refused on a block.
///
/// On a trait definition, every method with a default body is traced, named
/// `Trait::method`; required methods are left alone.
///
/// ```
/// # use traced::traced;
/// # #[derive(Debug)] pub struct NotFound;
/// pub struct Store { rows: Vec<u64> }
///
/// #[traced(err = debug)]
/// impl Store {
///     pub fn get(&self, id: usize) -> Result<u64, NotFound> {   // span `Store::get`
///         self.rows.get(id).copied().ok_or(NotFound)
///     }
///
///     #[traced(args(id))]                                       // + `id`
///     pub fn remove(&mut self, id: usize) -> Option<u64> {
///         (id < self.rows.len()).then(|| self.rows.remove(id))
///     }
///
///     #[traced(skip)]
///     pub fn len(&self) -> usize { self.rows.len() }            // not traced
/// }
///
/// #[traced]
/// pub trait Greeter {
///     fn who(&self) -> String;                                  // required: left alone
///     fn greet(&self) -> String { format!("hello {}", self.who()) }  // `Greeter::greet`
/// }
/// # let mut store = Store { rows: vec![1] };
/// # assert_eq!(store.get(0).unwrap(), 1);
/// # assert_eq!(store.remove(0), Some(1));
/// # assert_eq!(store.len(), 0);
/// ```
///
/// A method annotated on its own (in a block without the attribute) keeps
/// its own name as span name; its `code.function.name` still includes the
/// type, read from `Self` on its first recorded call.
///
/// # Crate-wide defaults
///
/// The annotated crate's Cargo.toml can set defaults for every `#[traced]`
/// in it; options on a block or fn win, and a span named with `name` is
/// taken as written:
///
/// ```toml
/// [package.metadata.traced]
/// err = "type"          # any `err` mode
/// tracer = "billing"    # the instrumentation scope
/// prefix = "billing::"  # before every default span name
/// ```
///
/// Cargo.toml, because every crate has one and the macro finds it without
/// being told where. The expansion mentions the file to rustc, so an edit of
/// the table rebuilds the crate with the new defaults, and a malformed entry
/// is a compile error naming its line and key.
///
/// # `main`
///
/// `#[traced(init)]` on `main` runs `traced::init()` (feature `otlp`)
/// before the main span starts and drops its guard, flushing every span,
/// after the span ends, so the whole program is one trace. It works with
/// `#[tokio::main]` above or below it. A set-up error (a bad `OTEL_*` value)
/// is printed to standard error and the program runs untraced. A plain
/// `#[traced]` on `main` is a compile error: its span would start before any
/// provider exists and be lost.
///
#[cfg_attr(
    feature = "metrics",
    doc = r#"
# Metrics

With feature `metrics`, `metrics` records each call's duration into a
histogram of the global meter provider, once per call, whatever the way out:

```
use traced::traced;

#[traced(metrics = "checkout.duration", metric_attrs(payment.method = %method))]
fn checkout(method: &str) -> Result<u64, String> {
    Ok(42)
}
# assert_eq!(checkout("card"), Ok(42));
```
"#
)]
/// # Cost
///
/// With no provider installed a call reads two atomics and a thread-local
/// counter, and allocates nothing (every 1024 such calls a thread asks the
/// global provider again, in case one was installed behind a kept handle).
/// Attributes are formatted only when the span is recording, so a
/// sampled-out call formats nothing. The README's "How it finds the
/// provider" and "Performance" sections have the details and measurements.
///
/// # Samplers
///
/// `args` values made for free (integers that fit an `i64`, floats, `bool`s:
/// see [`ToAttribute::to_start_attribute`]) and literal `attrs` are given to
/// the span builder, so the sampler sees them and can decide on them. Values
/// that must be formatted or copied are made only once the span is sampled in.
#[cfg_attr(
    feature = "sdk",
    doc = r#"
```
use opentelemetry::trace::{Link, SpanKind, TraceContextExt, TraceId, TraceState};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::trace::{
    SamplingDecision, SamplingResult, SdkTracerProvider, ShouldSample,
};

/// Drops every call of tenant 13.
#[derive(Clone, Debug)]
struct SkipTenant13;

impl ShouldSample for SkipTenant13 {
    fn should_sample(
        &self,
        _: Option<&Context>,
        _: TraceId,
        _: &str,
        _: &SpanKind,
        attributes: &[KeyValue],
        _: &[Link],
    ) -> SamplingResult {
        let skip = attributes
            .iter()
            .any(|kv| kv.key.as_str() == "tenant" && kv.value == Value::I64(13));
        SamplingResult {
            decision: if skip { SamplingDecision::Drop } else { SamplingDecision::RecordAndSample },
            attributes: Vec::new(),
            trace_state: TraceState::NONE,
        }
    }
}

#[traced::traced(args(tenant, %request))]
fn handle(tenant: u64, request: &str) -> bool {
    Context::current().span().is_recording()
}

let provider = SdkTracerProvider::builder().with_sampler(SkipTenant13).build();
traced::install(provider.clone());
assert!(handle(7, "GET /cart"));
assert!(!handle(13, "GET /cart")); // dropped, and `request` never formatted
# let _ = provider.shutdown();
```
"#
)]
pub use traced_macros::traced;
pub use value::ToAttribute;
pub use value::secret::Secret;
pub use value::text::{DEFAULT_MAX_TEXT_LEN, set_max_text_len};

mod context;
mod expansion;
mod metric;
mod site;
mod span;
mod value;

#[cfg(feature = "sdk")]
mod install;
#[cfg(feature = "sdk")]
pub use install::install;
/// Bounded, panic-safe text, for the optional parts that record text too.
#[allow(unused_imports)]
use value::text;

#[cfg(any(feature = "reqwest", feature = "grpc"))]
mod instrumentation;
#[cfg(any(feature = "logs", feature = "view"))]
mod log_record;
#[cfg(any(feature = "otlp", feature = "testing"))]
mod propagator;
#[cfg(all(feature = "tracing", any(feature = "otlp", feature = "testing")))]
mod tracing_layer;
/// The `tracing-opentelemetry` crate the `tracing_layer` methods build on
/// (feature `tracing`), so that code naming its types or calling
/// `OpenTelemetrySpanExt` uses the same version.
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use tracing_opentelemetry;

#[cfg(feature = "grpc")]
#[cfg_attr(docsrs, doc(cfg(feature = "grpc")))]
pub mod grpc;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub mod setup;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
#[cfg(feature = "view")]
#[cfg_attr(docsrs, doc(cfg(feature = "view")))]
pub mod view;

#[cfg(feature = "otlp")]
pub use setup::{Setup, SetupError, TracerGuard, init};

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
