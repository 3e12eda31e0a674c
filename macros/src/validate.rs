//! Checks the arguments against the function and resolves defaults:
//! `(RawArgs, TracedFn)` → [`Plan`]. Every problem found is reported.

use std::collections::HashMap;

use syn::LitStr;

use crate::args::{ErrMode, RawArgs, SpanKind};
use crate::errors::Errors;
use crate::item::TracedFn;
use crate::model::{ParentChoice, Plan, Shape};
use crate::params::{Binding, bindings, unraw};
use crate::suggest::closest;

pub fn validate(args: RawArgs, function: TracedFn, line: u32, errors: &mut Errors) -> Plan {
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

    let shape = if function.sig.asyncness.is_some() {
        Shape::Async
    } else if let Some(body) = function.async_trait_body() {
        Shape::AsyncTrait(Box::new(body))
    } else {
        Shape::Sync
    };
    let parent = match (args.root, args.parent) {
        (Some(_), _) => ParentChoice::Root,
        (None, Some((_, expr))) => ParentChoice::Explicit(expr),
        (None, None) => ParentChoice::Current,
    };
    let span_name = match args.name {
        Some((_, name)) => name,
        None => LitStr::new(&unraw(&function.sig.ident), function.sig.ident.span()),
    };
    Plan {
        span_name,
        kind: args.kind.map_or(SpanKind::Internal, |(_, kind)| kind),
        tracer: args.tracer.map(|(_, tracer)| tracer),
        captures,
        extras,
        err: args.err.map_or(ErrMode::Display, |(_, mode)| mode),
        ret: args.ret,
        parent,
        shape,
        line,
        function,
    }
}

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
