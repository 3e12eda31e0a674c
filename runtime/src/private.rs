//! Everything `#[traced]` expansions call. Not public API: no stability
//! promise, may change in any release.

use std::fmt::{Debug, Display};
use std::pin::Pin;

use opentelemetry::Value;

pub use crate::site::CallSite;
pub use crate::span::attributes::Attributes;
use crate::span::future::TracedFuture;
pub use crate::span::guard::SpanGuard;
pub use crate::span::outcome::{
    ErrDebugFirst, ErrDisplayFirst, ErrTypeOnly, Outcome, PlainOutcome, RecordErrorBest,
    RecordErrorChain, RecordErrorDynChain, RecordErrorSecond, RecordErrorTypeName, RecordNoError,
    ResultOutcome, is_expected,
};
pub use crate::span::parent::Parent;
pub use crate::span::record::record_current;
use crate::value::ToAttribute;
pub use crate::{__traced_record_error as record_error, __traced_site as site};
use opentelemetry::Context;
pub use opentelemetry::trace::SpanKind;
pub use traced_macros::record_with_crate;

/// `args(?x)` and `ret`: the value's `Debug` text, bounded, panic-safe.
pub fn debug_value<T: Debug + ?Sized>(value: &T) -> Option<Value> {
    Some(Value::String(crate::value::text::debug_text(value).into()))
}

/// `args(%x)` and `ret = display`: the value's `Display` text, bounded, panic-safe.
pub fn display_value<T: Display + ?Sized>(value: &T) -> Option<Value> {
    Some(Value::String(
        crate::value::text::display_text(value).into(),
    ))
}

/// Records nothing: the capture step of a traced fn with no `args`/`attrs`.
#[inline]
pub fn no_attributes(_: &mut Attributes<'_>) {}

/// `args(x)`: the value through [`ToAttribute`].
#[inline]
pub fn attribute_value<T: ToAttribute + ?Sized>(value: &T) -> Option<Value> {
    value.to_attribute()
}

/// What `parent = expr` accepts: a `Context` or a reference to one.
#[diagnostic::on_unimplemented(
    message = "`parent = ...` needs an `opentelemetry::Context` or a `&Context`, not `{Self}`",
    label = "not an `opentelemetry::Context`"
)]
pub trait AsParent {
    fn as_parent(&self) -> &Context;
}

impl AsParent for Context {
    #[inline]
    fn as_parent(&self) -> &Context {
        self
    }
}

impl<T: AsParent + ?Sized> AsParent for &T {
    #[inline]
    fn as_parent(&self) -> &Context {
        T::as_parent(self)
    }
}

/// `parent = expr`: the context `expr` gives.
#[inline]
pub fn as_context<C: AsParent + ?Sized>(parent: &C) -> &Context {
    parent.as_parent()
}

/// A fn `-> impl Future`: the future it built, traced to completion.
#[inline]
pub fn traced_future<F: Future, R: FnOnce(&SpanGuard, &F::Output)>(
    future: F,
    guard: SpanGuard,
    settled: R,
) -> TracedFuture<F, R> {
    TracedFuture::new(guard, future, settled)
}

/// A fn `-> Pin<Box<dyn Future>>` (or an alias of it, or `BoxFuture`): the
/// future it built, boxed again around the wrapper, as the declared type.
#[diagnostic::on_unimplemented(
    message = "#[traced] cannot trace a returned `{Self}` to completion",
    label = "not a `Pin<Box<dyn Future<Output = T> + 'a>>` (with or without `+ Send`)",
    note = "a fn returning `impl Future<Output = T>` or a boxed `dyn Future` is traced to completion; for any other future type, remove `future` (the span then covers only the call) or make the fn `async`"
)]
pub trait BoxedFuture: Sized {
    type Output;

    fn traced(self, guard: SpanGuard, settled: fn(&SpanGuard, &Self::Output)) -> Self;
}

impl<'a, T: 'a> BoxedFuture for Pin<Box<dyn Future<Output = T> + 'a>> {
    type Output = T;

    #[inline]
    fn traced(self, guard: SpanGuard, settled: fn(&SpanGuard, &T)) -> Self {
        Box::pin(TracedFuture::new(guard, self, settled))
    }
}

impl<'a, T: 'a> BoxedFuture for Pin<Box<dyn Future<Output = T> + Send + 'a>> {
    type Output = T;

    #[inline]
    fn traced(self, guard: SpanGuard, settled: fn(&SpanGuard, &T)) -> Self {
        Box::pin(TracedFuture::new(guard, self, settled))
    }
}

impl<'a, T: 'a> BoxedFuture for Pin<Box<dyn Future<Output = T> + Sync + 'a>> {
    type Output = T;

    #[inline]
    fn traced(self, guard: SpanGuard, settled: fn(&SpanGuard, &T)) -> Self {
        Box::pin(TracedFuture::new(guard, self, settled))
    }
}

impl<'a, T: 'a> BoxedFuture for Pin<Box<dyn Future<Output = T> + Send + Sync + 'a>> {
    type Output = T;

    #[inline]
    fn traced(self, guard: SpanGuard, settled: fn(&SpanGuard, &T)) -> Self {
        Box::pin(TracedFuture::new(guard, self, settled))
    }
}

/// A traced future whose output records nothing (`err = off`, no `ret`).
#[inline]
pub fn no_outcome<T: ?Sized>(_: &SpanGuard, _: &T) {}

/// `#[traced(init)]` on `main`: `traced::init()`, whose guard flushes the
/// spans when `main` returns. A set-up error is printed and the program goes
/// on untraced: tracing must not stop a service from starting.
#[cfg(feature = "otlp")]
pub fn init_for_main<T: InitNeedsOtlp>(_: T) -> Option<crate::TracerGuard> {
    match crate::init() {
        Ok(guard) => Some(guard),
        Err(error) => {
            eprintln!("traced: {error}; running without tracing");
            None
        }
    }
}

/// Without feature `otlp` there is no pipeline to install: a compile error.
#[cfg(not(feature = "otlp"))]
pub fn init_for_main<T: InitNeedsOtlp>(_: T) {}

/// Implemented only with feature `otlp`, so that `#[traced(init)]` without
/// it says what to add.
#[diagnostic::on_unimplemented(
    message = "`#[traced(init)]` needs the `otlp` feature of `traced`",
    label = "installs `traced::init()`, which feature `otlp` provides",
    note = "in Cargo.toml: traced = {{ version = \"0.1\", features = [\"otlp\"] }}"
)]
pub trait InitNeedsOtlp {}

#[cfg(feature = "otlp")]
impl InitNeedsOtlp for () {}

/// `#[traced(metrics)]` without feature `metrics`: a compile error that
/// says what to add.
pub const fn metrics_need_feature<T: MetricsNeedFeature>() {}

#[diagnostic::on_unimplemented(
    message = "`#[traced(metrics)]` needs the `metrics` feature of `traced`",
    label = "measures each call into a histogram, which feature `metrics` provides",
    note = "in Cargo.toml: traced = {{ version = \"0.1\", features = [\"metrics\"] }}"
)]
pub trait MetricsNeedFeature {}

#[cfg(feature = "metrics")]
impl MetricsNeedFeature for () {}
