//! Checks the arguments against the function and resolves defaults:
//! `(RawArgs, TracedFn)` → [`Plan`]. Every problem found is reported.

use std::collections::HashMap;

use syn::LitStr;

use crate::args::{ErrMode, RawArgs, SpanKind};
use crate::errors::Errors;
use crate::future::returned_future;
use crate::item::TracedFn;
use crate::model::{FunctionName, FutureReturn, ParentChoice, Place, Plan, Shape};
use crate::params::{Binding, bindings, mentions_self_type, unraw};
use crate::suggest::closest;

pub fn validate(args: RawArgs, function: TracedFn, place: &Place, errors: &mut Errors) -> Plan {
    if let Some(constness) = &function.sig.constness {
        errors.push_at(
            constness,
            "#[traced] cannot instrument a `const fn`: a span is started and ended at run time, which a const context cannot do; remove `const` or the attribute",
        );
    }
    if let (Some(root), Some((parent, _))) = (&args.root, &args.parent) {
        errors.push_at(
            root,
            format!("`root` and `parent` both choose the span's parent; keep `root` to start a new trace or `{parent}` to continue the given context"),
        );
    }

    let parameters: Vec<String> = bindings(&function.sig).iter().map(Binding::name).collect();
    // Each key, with the option that recorded it first, to name a clash.
    let mut keys: HashMap<String, &'static str> = HashMap::new();
    let captures = args.args.map(|(_, captures)| captures).unwrap_or_default();
    for capture in &captures {
        let name = unraw(&capture.ident);
        if !parameters.contains(&name) {
            errors.push_at(
                &capture.ident,
                unknown_parameter(&name, &function, &parameters),
            );
        } else if keys.insert(name.clone(), "args").is_some() {
            errors.push_at(
                &capture.ident,
                format!("`{name}` is listed twice in `args`; list it once"),
            );
        }
    }
    let extras = args.attrs.map(|(_, extras)| extras).unwrap_or_default();
    for extra in &extras {
        if let Some(owner) = reserved_by(&extra.key, args.ret.is_some()) {
            errors.push_at(
                &extra.key_tokens,
                format!(
                    "attribute `{}` is recorded by {owner}; choose another key",
                    extra.key
                ),
            );
        }
        if let Some(first) = keys.insert(extra.key.clone(), "attrs") {
            errors.push_at(
                &extra.key_tokens,
                format!(
                    "attribute `{}` is already recorded by `{first}`; give each attribute its own key",
                    extra.key
                ),
            );
        }
    }
    for attribute in function
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("track_caller"))
    {
        errors.push_at(attribute, TRACK_CALLER);
    }
    // `#![track_caller]` at the top of the body would end up on the fn too.
    for (attribute, path) in function.inner_attributes() {
        if path.is_some_and(|path| path.is_ident("track_caller")) {
            errors.push_at(attribute, TRACK_CALLER);
        }
    }

    if let (Some(skip), None) = (&args.skip, &place.owner) {
        errors.push_at(
            skip,
            "`skip` leaves one method of a #[traced] impl block or trait untraced; on a fn of its own, remove the attribute instead",
        );
    }
    let is_main =
        function.sig.ident == "main" && place.owner.is_none() && function.sig.inputs.is_empty();
    match &args.init {
        Some(init) if !is_main => errors.push_at(
            init,
            "`init` installs the tracing pipeline for the whole program, so it goes on `main` only; call `traced::init()` in `main` instead",
        ),
        None if is_main => errors.push_at(
            &function.sig.ident,
            "#[traced] on `main` starts the span before the body runs, so a provider the body installs (`traced::init()`) never sees it and every span below becomes a trace of its own; write `#[traced(init)]` to install the pipeline first and flush it after (feature `otlp`), or trace the fns `main` calls",
        ),
        _ => {}
    }

    let mut expected = args.expected;
    if let Some((key, _)) = &expected {
        let returns_future =
            returned_future(&function.sig.output).is_some() || args.future.is_some();
        if crate::model::cannot_be_result(&function.sig.output) && !returns_future {
            if place.owner.is_some() {
                // On a block, `expected` is for the fns that return a `Result`.
                expected = None;
            } else {
                errors.push_at(
                    key,
                    format!("`expected` picks out the `Err`s a caller expects, and `{}` cannot return a `Result`; remove `expected`", function.sig.ident),
                );
            }
        }
    }
    if let (Some((key, _)), None, None) =
        (&args.metric_attrs, &args.metrics, &place.defaults.metrics)
    {
        errors.push_at(
            key,
            "`metric_attrs` adds attributes to the call's measurement, and nothing measures it; add `metrics`",
        );
    }
    for extra in args.metric_attrs.iter().flat_map(|(_, extras)| extras) {
        if matches!(extra.key.as_str(), "code.function.name" | "error.type") {
            errors.push_at(
                &extra.key_tokens,
                format!("attribute `{}` is recorded on every measurement by #[traced]; choose another key", extra.key),
            );
        }
    }
    let async_trait = function.async_trait_body();
    let declared_future = returned_future(&function.sig.output);
    let shape = if function.sig.asyncness.is_some() {
        Shape::Async
    } else if let Some(body) = async_trait {
        Shape::AsyncTrait(Box::new(body))
    } else if let Some(future) = declared_future {
        Shape::Future(future)
    } else if args.future.is_some() {
        Shape::Future(FutureReturn::Boxed)
    } else {
        Shape::Sync
    };
    if let (Some(future), Shape::Async | Shape::AsyncTrait(_)) = (&args.future, &shape) {
        errors.push_at(
            future,
            "`future` is for a fn that returns a future it builds; an `async fn` is traced to completion already, so remove `future`",
        );
    }
    let function_name = match &place.owner {
        Some(owner) => FunctionName::Owner(format!("{owner}::{}", unraw(&function.sig.ident))),
        None if mentions_self_type(&function.sig) => FunctionName::SelfType,
        None => FunctionName::Module,
    };
    let parent = match (args.root, args.parent) {
        (Some(_), _) => ParentChoice::Root,
        (None, Some((_, expr))) => ParentChoice::Explicit(expr),
        (None, None) => ParentChoice::Current,
    };
    // A name given with `name` is taken as written; the default one is
    // `prefix` + `Owner::` + the fn's name.
    let span_name = match args.name {
        Some((_, name)) => name,
        None => {
            let prefix = place.defaults.prefix.as_deref().unwrap_or_default();
            let owner = place
                .owner
                .as_ref()
                .map_or_else(String::new, |owner| format!("{owner}::"));
            let fn_name = unraw(&function.sig.ident);
            LitStr::new(
                &format!("{prefix}{owner}{fn_name}"),
                function.sig.ident.span(),
            )
        }
    };
    let tracer = match args.tracer {
        Some((_, tracer)) => Some(tracer),
        None => place
            .defaults
            .tracer
            .as_ref()
            .map(|tracer| LitStr::new(tracer, proc_macro2::Span::call_site())),
    };
    Plan {
        span_name,
        kind: args.kind.map_or(SpanKind::Internal, |(_, kind)| kind),
        tracer,
        captures,
        extras,
        err: args
            .err
            .map(|(_, mode)| mode)
            .or(place.defaults.err)
            .unwrap_or(ErrMode::Display),
        ret: args.ret,
        parent,
        shape,
        line: place.line,
        function_name,
        init: args.init.is_some(),
        expected: expected.map(|(_, expected)| expected),
        metric: match (&args.metrics, &place.defaults.metrics) {
            (Some((_, Some(name))), _) => Some(name.clone()),
            (Some((key, None)), _) => Some(LitStr::new(DEFAULT_METRIC, key.span())),
            (None, Some(default)) => Some(LitStr::new(
                if default == "on" {
                    DEFAULT_METRIC
                } else {
                    default
                },
                proc_macro2::Span::call_site(),
            )),
            (None, None) => None,
        },
        metric_attrs: args
            .metric_attrs
            .map(|(_, extras)| extras)
            .unwrap_or_default(),
        private: match &args.krate {
            Some((_, path)) => quote::quote!(#path::__private),
            None => quote::quote!(::traced::__private),
        },
        manifest: place.manifest.clone(),
        function,
    }
}

/// The histogram `metrics` records into unless named.
const DEFAULT_METRIC: &str = "function.call.duration";

const TRACK_CALLER: &str = "#[traced] cannot keep `#[track_caller]` working: the body runs inside a closure, which stable Rust cannot mark `#[track_caller]`; remove one of the two attributes";

/// Who records `key` already, if anyone: two values under one key would
/// leave backends to pick one.
fn reserved_by(key: &str, records_return: bool) -> Option<&'static str> {
    match key {
        "code.function.name" | "code.file.path" | "code.line.number" => {
            Some("#[traced] on every span")
        }
        "error.type" => Some("#[traced] when the fn fails"),
        "return" if records_return => Some("`ret`"),
        _ => None,
    }
}

fn unknown_parameter(name: &str, function: &TracedFn, parameters: &[String]) -> String {
    let fn_name = &function.sig.ident;
    let mut message = format!("`args({name})`: `{fn_name}` has no parameter `{name}`");
    if let Some(close) = closest(name, parameters.iter().map(String::as_str)) {
        message.push_str(&format!("; did you mean `{close}`?"));
    } else if parameters.is_empty() {
        message.push_str("; it takes no parameters");
    } else {
        let listed: Vec<&str> = parameters.iter().map(String::as_str).collect();
        message.push_str(&format!(
            "; its parameters are {}",
            crate::args::list_all(&listed)
        ));
    }
    message.push_str(" (use `attrs(key = expr)` to record anything else)");
    message
}
