//! Everything `#[traced]` expansions call. Not public API: no stability
//! promise, may change in any release.

use std::fmt::{Debug, Display};

use opentelemetry::Value;

pub use crate::callsite::{CallSite, Kind};
pub use crate::guard::{Parent, SpanGuard};
pub use crate::outcome::{
    ErrDebugFirst, ErrDisplayFirst, ErrTypeOnly, Outcome, PlainOutcome, RecordErrorBest,
    RecordErrorSecond, RecordErrorTypeName, RecordNoError, ResultOutcome,
};
pub use crate::start::Attributes;
pub use crate::value::ToAttribute;
pub use opentelemetry::Context;

/// `args(?x)` and `ret`: the value's `Debug` text, bounded, panic-safe.
pub fn debug_value<T: Debug + ?Sized>(value: &T) -> Option<Value> {
    Some(Value::String(crate::text::debug_text(value).into()))
}

/// `args(%x)` and `ret = display`: the value's `Display` text, bounded, panic-safe.
pub fn display_value<T: Display + ?Sized>(value: &T) -> Option<Value> {
    Some(Value::String(crate::text::display_text(value).into()))
}

/// Records nothing: the capture step of a traced fn with no `args`/`attrs`.
#[inline]
pub fn no_attributes(_: &mut Attributes<'_>) {}

/// `attrs(key = "literal")`: a static string, recorded without copying.
#[inline]
pub fn static_str(value: &'static str) -> Option<Value> {
    Some(Value::from(value))
}

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
