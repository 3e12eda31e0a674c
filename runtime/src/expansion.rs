//! The parts of every `#[traced]` expansion that do not depend on the fn,
//! as `macro_rules!`, so each expansion stays a few lines and the autoref
//! trick lives in this crate alone. `module_path!`, `file!` and `env!` in
//! them expand in the annotated crate, where the macros are invoked.

/// The fn's static call site: `site!(span name, kind, fn name, line,
/// captured attributes, panic text kept, [metrics "histogram",] [tracer
/// "scope"])`.
#[doc(hidden)]
#[macro_export]
macro_rules! __traced_site {
    ($name:expr, $kind:ident, $function:expr, $line:expr, $captured:expr, $panic_text:expr, metrics $metric:expr $(, $($rest:tt)*)?) => {{
        const _: () = $crate::__private::metrics_need_feature::<()>();
        $crate::__traced_site!(@metric ::core::option::Option::Some($metric), $name, $kind, $function, $line, $captured, $panic_text $(, $($rest)*)?)
    }};
    ($name:expr, $kind:ident, $function:expr, $line:expr, $captured:expr, $panic_text:expr $(, $($rest:tt)*)?) => {
        $crate::__traced_site!(@metric ::core::option::Option::None, $name, $kind, $function, $line, $captured, $panic_text $(, $($rest)*)?)
    };
    (@metric $metric:expr, $name:expr, $kind:ident, $function:expr, $line:expr, $captured:expr, $panic_text:expr) => {
        $crate::__traced_site!(@site $metric, $name, $kind, $function, $line, $captured, $panic_text,
            ::core::env!("CARGO_PKG_NAME"),
            ::core::option::Option::Some(::core::env!("CARGO_PKG_VERSION")))
    };
    (@metric $metric:expr, $name:expr, $kind:ident, $function:expr, $line:expr, $captured:expr, $panic_text:expr, tracer $tracer:expr) => {
        $crate::__traced_site!(@site $metric, $name, $kind, $function, $line, $captured, $panic_text,
            $tracer, ::core::option::Option::None)
    };
    (@site $metric:expr, $name:expr, $kind:ident, $function:expr, $line:expr, $captured:expr, $panic_text:expr, $scope:expr, $version:expr) => {{
        static __TRACED_SITE: $crate::__private::CallSite = $crate::__private::CallSite::new(
            $name,
            $crate::__private::SpanKind::$kind,
            $scope,
            $version,
            ::core::concat!(::core::module_path!(), "::", $function),
            ::core::file!(),
            $line,
            $captured,
            $panic_text,
            $metric,
        );
        &__TRACED_SITE
    }};
}

/// Records a returned `Err(e)` on the span, as `err = display | debug |
/// type` asks, whatever the type of `$out` (a reference to the value).
///
/// Method resolution on the concrete type ("autoref specialisation", see
/// `outcome`) picks what applies: a `Result` under any alias is seen as one;
/// with `display`, a `std::error::Error` (or a type holding a `dyn Error`,
/// as `anyhow::Error`) is told with its cause chain; otherwise its text
/// comes from the preferred of `Display`/`Debug`, else the other, else its
/// type name; anything else is never an error. `$expected` says the caller
/// expects this `Err`: it is then not a failure. Nothing is
/// asked of the user's types, so no bound is added to the fn.
#[doc(hidden)]
#[macro_export]
macro_rules! __traced_record_error {
    ($span:expr, $out:expr, $mode:ident) => {
        $crate::__traced_record_error!($span, $out, $mode, false)
    };
    ($span:expr, $out:expr, display, $expected:expr) => {
        $crate::__traced_record_error!(@text $span, $out, ErrDisplayFirst, $expected)
    };
    ($span:expr, $out:expr, debug, $expected:expr) => {
        $crate::__traced_record_error!(@text $span, $out, ErrDebugFirst, $expected)
    };
    ($span:expr, $out:expr, type, $expected:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::{RecordErrorTypeName as _, RecordNoError as _};
        (&&$crate::__private::ErrTypeOnly($out)).traced_record_error($span, $expected);
    }};
    (@text $span:expr, $out:expr, $wrapper:ident, $expected:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::{
            RecordErrorBest as _, RecordErrorChain as _, RecordErrorDynChain as _,
            RecordErrorSecond as _, RecordErrorTypeName as _, RecordNoError as _,
        };
        (&&&&&&$crate::__private::$wrapper($out)).traced_record_error($span, $expected);
    }};
}

/// Sets attributes on the current span from inside a body: values only
/// known halfway through a call.
///
/// The grammar is that of `attrs(..)`: `key = value`, where the key is an
/// identifier, a dotted path or a string, and the value goes through
/// [`ToAttribute`], or its `Debug` text with `?`, or its `Display` text with
/// `%`. The same rules as for `args` apply: text is cut at the limit
/// ([`set_max_text_len`]), a panicking `Debug`, `Display` or expression is
/// caught (the span gets `traced.attributes.error`) and the call goes on,
/// and a [`Secret`] records `[redacted]`.
///
/// The span is the *current* OpenTelemetry span, whoever made it: a
/// `#[traced]` fn, hand-written OpenTelemetry code, or a `tracing` span
/// under tracing-opentelemetry with context activation. When the current
/// span is not recording (no provider, sampled out, or no span at all) the
/// values are not even evaluated, so nothing is formatted.
///
/// ```
/// use traced::traced;
///
/// #[derive(Debug)]
/// struct Row { id: u64 }
///
/// #[traced(args(customer))]
/// fn load_orders(customer: u64) -> Vec<Row> {
///     let rows = vec![Row { id: 1 }, Row { id: 2 }];
///     traced::record!(
///         db.rows = rows.len() as i64,
///         "db.first_row" = ?rows.first(),
///         cache = %"miss",
///     );
///     rows
/// }
/// # assert_eq!(load_orders(7).len(), 2);
/// ```
///
/// Inside a `#[traced]` fn, `tracing::Span::current()` is the enclosing
/// `tracing` span, not the fn's span; `record!` is the way to add to the
/// latter.
#[macro_export]
macro_rules! record {
    ($($entries:tt)*) => {
        $crate::__private::record_with_crate!($crate; $($entries)*)
    };
}
