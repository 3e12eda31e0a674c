//! Checks the arguments against the function and resolves defaults:
//! `(RawArgs, TracedFn)` → [`Plan`]. Every problem found is reported.

use std::collections::HashMap;

use syn::{FnArg, LitStr, Pat};

use crate::args::{ErrMode, RawArgs, SpanKind};
use crate::errors::Errors;
use crate::item::TracedFn;
use crate::model::{ParentChoice, Plan, Shape};
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

    let parameters = parameter_names(&function);
    // Each key, with the option that recorded it first, to name a clash.
    let mut keys: HashMap<String, &'static str> = HashMap::new();
    let captures = args.args.map(|(_, captures)| captures).unwrap_or_default();
    for capture in &captures {
        let name = capture.ident.unraw_string();
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
        errors.push_at(
            attribute,
            "#[traced] cannot keep `#[track_caller]` working: the body runs inside a closure, which stable Rust cannot mark `#[track_caller]`; remove one of the two attributes",
        );
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
        None => LitStr::new(
            &function.sig.ident.unraw_string(),
            function.sig.ident.span(),
        ),
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

trait UnrawString {
    fn unraw_string(&self) -> String;
}

impl UnrawString for proc_macro2::Ident {
    fn unraw_string(&self) -> String {
        syn::ext::IdentExt::unraw(self).to_string()
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

/// Every name the parameters bind, destructured patterns included.
fn parameter_names(function: &TracedFn) -> Vec<String> {
    let mut names = Vec::new();
    for input in &function.sig.inputs {
        match input {
            FnArg::Receiver(_) => names.push("self".to_owned()),
            FnArg::Typed(typed) => bound_names(&typed.pat, &mut names),
        }
    }
    names
}

fn bound_names(pat: &Pat, names: &mut Vec<String>) {
    match pat {
        Pat::Ident(binding) => {
            names.push(binding.ident.unraw_string());
            if let Some((_, sub)) = &binding.subpat {
                bound_names(sub, names);
            }
        }
        Pat::Tuple(tuple) => tuple.elems.iter().for_each(|pat| bound_names(pat, names)),
        Pat::TupleStruct(tuple) => tuple.elems.iter().for_each(|pat| bound_names(pat, names)),
        Pat::Struct(fields) => fields
            .fields
            .iter()
            .for_each(|field| bound_names(&field.pat, names)),
        Pat::Slice(slice) => slice.elems.iter().for_each(|pat| bound_names(pat, names)),
        Pat::Reference(reference) => bound_names(&reference.pat, names),
        Pat::Paren(paren) => bound_names(&paren.pat, names),
        Pat::Type(typed) => bound_names(&typed.pat, names),
        Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                bound_names(first, names);
            }
        }
        _ => {}
    }
}
