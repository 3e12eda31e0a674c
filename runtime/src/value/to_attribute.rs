//! How a captured parameter becomes an attribute value.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use opentelemetry::{StringValue, Value};

/// A value that `#[traced(args(x))]` can record as a span attribute.
///
/// Implemented for every integer width, `f32`/`f64`, `bool`, `char`, `str`,
/// `String` and `Cow<str>`, for [`opentelemetry::Value`] itself, for
/// `Option<T>` (the attribute is left out when `None`), and for references and
/// smart pointers (`&T`, `&mut T`, `Box<T>`, `Rc<T>`, `Arc<T>`) to any of these.
///
/// Integers are recorded as OpenTelemetry's `i64`. A `u64`, `usize`, `u128` or
/// `i128` that does not fit in an `i64` is recorded as its decimal string
/// rather than wrapped to a wrong number.
///
/// Implement it for your own types to record them without `?`/`%`:
///
/// ```
/// use opentelemetry::Value;
/// use traced::ToAttribute;
///
/// struct UserId(u32);
///
/// impl ToAttribute for UserId {
///     fn to_attribute(&self) -> Option<Value> {
///         Some(Value::I64(i64::from(self.0)))
///     }
/// }
///
/// #[traced::traced(args(user))]
/// fn load(user: UserId) {}
/// # load(UserId(7));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded as a span attribute",
    label = "`traced::ToAttribute` is not implemented for `{Self}`",
    note = "record it with its Debug output (`args(?x)`) or its Display output (`args(%x)`), or implement `traced::ToAttribute` for it"
)]
pub trait ToAttribute {
    /// The attribute value, or `None` to leave the attribute out.
    fn to_attribute(&self) -> Option<Value>;

    /// The value to give the span builder before the sampler decides, when
    /// making it costs nothing (no formatting, no allocation), so that a
    /// sampler can decide on it. `None`, the default, records the value
    /// through [`to_attribute`](Self::to_attribute) after the span is
    /// sampled in, so a sampled-out call never makes it.
    ///
    /// Integers that fit an `i64`, floats, `bool`s and such
    /// [`Value`](opentelemetry::Value)s return their value; text does not,
    /// since it must be copied.
    ///
    /// ```
    /// use opentelemetry::Value;
    /// use traced::ToAttribute;
    ///
    /// struct Tenant(u32);
    ///
    /// impl ToAttribute for Tenant {
    ///     fn to_attribute(&self) -> Option<Value> {
    ///         Some(Value::I64(i64::from(self.0)))
    ///     }
    ///     // A sampler can keep every call of one tenant.
    ///     fn to_start_attribute(&self) -> Option<Value> {
    ///         self.to_attribute()
    ///     }
    /// }
    /// assert_eq!(Tenant(4).to_start_attribute(), Some(Value::I64(4)));
    /// ```
    #[inline]
    fn to_start_attribute(&self) -> Option<Value> {
        None
    }
}

macro_rules! lossless_i64 {
    ($($t:ty)*) => {$(
        impl ToAttribute for $t {
            #[inline]
            fn to_attribute(&self) -> Option<Value> {
                Some(Value::I64(i64::from(*self)))
            }
            #[inline]
            fn to_start_attribute(&self) -> Option<Value> {
                self.to_attribute()
            }
        }
    )*};
}
lossless_i64!(i8 i16 i32 i64 u8 u16 u32);

macro_rules! i64_or_decimal {
    ($($t:ty)*) => {$(
        impl ToAttribute for $t {
            #[inline]
            fn to_attribute(&self) -> Option<Value> {
                Some(match i64::try_from(*self) {
                    Ok(fits) => Value::I64(fits),
                    Err(_) => Value::String(self.to_string().into()),
                })
            }
            #[inline]
            fn to_start_attribute(&self) -> Option<Value> {
                // One that does not fit is text, made only when sampled in.
                i64::try_from(*self).ok().map(Value::I64)
            }
        }
    )*};
}
i64_or_decimal!(isize usize u64 u128 i128);

impl ToAttribute for f64 {
    #[inline]
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::F64(*self))
    }
    #[inline]
    fn to_start_attribute(&self) -> Option<Value> {
        self.to_attribute()
    }
}

impl ToAttribute for f32 {
    #[inline]
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::F64(f64::from(*self)))
    }
    #[inline]
    fn to_start_attribute(&self) -> Option<Value> {
        self.to_attribute()
    }
}

impl ToAttribute for bool {
    #[inline]
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
    #[inline]
    fn to_start_attribute(&self) -> Option<Value> {
        self.to_attribute()
    }
}

impl ToAttribute for char {
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::String(self.to_string().into()))
    }
}

impl ToAttribute for str {
    fn to_attribute(&self) -> Option<Value> {
        // Bounded like formatted text, so a huge body is not copied whole.
        let text = super::text::cut_str(self).unwrap_or_else(|| self.to_owned());
        Some(Value::String(text.into()))
    }
}

impl ToAttribute for String {
    fn to_attribute(&self) -> Option<Value> {
        self.as_str().to_attribute()
    }
}

impl ToAttribute for Cow<'_, str> {
    fn to_attribute(&self) -> Option<Value> {
        self.as_ref().to_attribute()
    }
}

impl ToAttribute for StringValue {
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}

impl ToAttribute for Value {
    fn to_attribute(&self) -> Option<Value> {
        Some(self.clone())
    }

    fn to_start_attribute(&self) -> Option<Value> {
        match self {
            Value::Bool(_) | Value::I64(_) | Value::F64(_) => Some(self.clone()),
            // Text and arrays may be copied by `clone`.
            _ => None,
        }
    }
}

impl<T: ToAttribute> ToAttribute for Option<T> {
    #[inline]
    fn to_attribute(&self) -> Option<Value> {
        self.as_ref().and_then(T::to_attribute)
    }
    #[inline]
    fn to_start_attribute(&self) -> Option<Value> {
        self.as_ref().and_then(T::to_start_attribute)
    }
}

macro_rules! through_pointer {
    ($($ptr:ty)*) => {$(
        impl<T: ToAttribute + ?Sized> ToAttribute for $ptr {
            #[inline]
            fn to_attribute(&self) -> Option<Value> {
                T::to_attribute(self)
            }
            #[inline]
            fn to_start_attribute(&self) -> Option<Value> {
                T::to_start_attribute(self)
            }
        }
    )*};
}
through_pointer!(&T &mut T Box<T> Rc<T> Arc<T>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_that_do_not_fit_are_decimal_strings() {
        assert_eq!(
            u64::MAX.to_attribute(),
            Some(Value::from(u64::MAX.to_string()))
        );
        assert_eq!((i64::MAX as u64).to_attribute(), Some(Value::I64(i64::MAX)));
        assert_eq!(
            u128::MAX.to_attribute(),
            Some(Value::from(u128::MAX.to_string()))
        );
        assert_eq!((-5_i128).to_attribute(), Some(Value::I64(-5)));
        assert_eq!(
            usize::MAX.to_attribute(),
            Some(Value::from(usize::MAX.to_string()))
        );
    }

    #[test]
    fn none_leaves_the_attribute_out() {
        assert_eq!(None::<u8>.to_attribute(), None);
        assert_eq!(Some(3_u8).to_attribute(), Some(Value::I64(3)));
    }

    #[test]
    fn only_values_made_for_free_are_given_at_start() {
        assert_eq!(7_u64.to_start_attribute(), Some(Value::I64(7)));
        assert_eq!(u64::MAX.to_start_attribute(), None);
        assert_eq!(<&bool>::to_start_attribute(&&true), Some(Value::Bool(true)));
        assert_eq!(Some(2.5_f64).to_start_attribute(), Some(Value::F64(2.5)));
        assert_eq!("text".to_start_attribute(), None);
        assert_eq!('x'.to_start_attribute(), None);
        assert_eq!(Value::from("text").to_start_attribute(), None);
        assert_eq!(Value::I64(1).to_start_attribute(), Some(Value::I64(1)));
    }

    #[test]
    fn text_and_pointers() {
        assert_eq!('x'.to_attribute(), Some(Value::from("x")));
        assert_eq!(Cow::Borrowed("a").to_attribute(), Some(Value::from("a")));
        assert_eq!((&&"b").to_attribute(), Some(Value::from("b")));
        assert_eq!(Arc::new(1.5_f32).to_attribute(), Some(Value::F64(1.5)));
    }
}
