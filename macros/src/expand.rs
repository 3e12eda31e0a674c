//! [`Plan`] → tokens. Cannot fail: every check happened in `validate`.
//!
//! Input:
//!
//! ```ignore
//! #[traced(args(id))]
//! fn load(id: u64) -> Result<User, DbError> { body }
//! ```
//!
//! Output (paths shortened to `__private::`):
//!
//! ```ignore
//! fn load(id: u64) -> Result<User, DbError> {
//!     let mut __traced_span = __private::SpanGuard::start(
//!         __private::site!("load", Internal, "load", 7u32, 1usize, true),
//!         Parent::Current,
//!         |attributes| attributes.arg("id", &id),
//!     );
//!     let __traced_out = __traced_span.run(move || { <return type hint> body });
//!     if __traced_span.is_recording() { <record an Err> }
//!     __traced_out
//! }
//! ```
//!
//! An `async fn` awaits its body through `__private::traced_future(..)`,
//! which also records the outcome, or directly when there is no span. A fn
//! returning a future builds it inside the span and returns it wrapped the
//! same way.
//! The guard ends the span when it drops: on return, on panic, and when an
//! async fn's future is dropped early.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, GenericArgument, Lit, PathArguments, ReturnType, Type};

use crate::args::{ErrMode, Format, SpanKind};
use crate::model::{FunctionName, FutureReturn, ParentChoice, Plan, Shape};
use crate::params::{bindings, mentions, unraw};

pub fn expand(plan: &Plan) -> TokenStream {
    let function = &plan.function;
    let (attrs, inner_attrs, vis, sig) = (
        &function.attrs,
        &function.inner_attrs,
        &function.vis,
        &function.sig,
    );
    let body = match &plan.shape {
        Shape::Sync => {
            let hint = return_type_hint(&sig.output);
            let keep_order = keep_drop_order(plan);
            let original = &function.body;
            // `-> !` stays on the closure, so lints see a diverging body.
            let never = never_returns(plan).then(|| quote!(-> !));
            wrap(
                plan,
                Body::Closure(quote!(move || #never { #hint #keep_order #original })),
            )
        }
        Shape::Async => {
            let hint = return_type_hint(&sig.output);
            let original = &function.body;
            let keep_order = keep_drop_order(plan);
            wrap(
                plan,
                Body::Future(quote!(async move { #hint #keep_order #original })),
            )
        }
        Shape::AsyncTrait(rewritten) => {
            let pin_call = &rewritten.pin_call;
            let async_block = mark_captures_used(plan, rewritten.async_block.clone());
            let traced = wrap(plan, Body::Future(async_block.to_token_stream()));
            quote!(#pin_call(async move { #traced }))
        }
        Shape::Future(future) => {
            let hint = return_type_hint(&sig.output);
            let keep_order = keep_drop_order(plan);
            let original = &function.body;
            wrap(
                plan,
                Body::Builder(*future, quote!(move || { #hint #keep_order #original })),
            )
        }
    };
    let manifest = plan.manifest.as_ref().map(|path| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    quote! {
        #(#attrs)*
        #inner_attrs
        #vis #sig {
            #manifest
            #body
        }
    }
}

/// Makes the closure or async block take whole each parameter it should
/// hold, in reverse declaration order, so parameters drop in the order a plain
/// fn drops them (last first), inside the span. Without it the closure would
/// take them in order of first use, or only the fields it touches, and leave
/// the rest to drop after the span.
///
/// Taken: parameters the body names (in code or in a format string), and
/// `_`-prefixed ones (guards kept for their drop). A parameter the body never
/// names is left alone, so rustc still reports it as unused.
fn keep_drop_order(plan: &Plan) -> TokenStream {
    let body = &plan.function.body;
    let mentions = bindings(&plan.function.sig)
        .into_iter()
        .rev()
        .filter_map(|binding| {
            let kept_for_drop = binding.name().starts_with('_');
            if !kept_for_drop && !mentions(body, &binding.ident) {
                return None;
            }
            let (cfgs, ident) = (binding.cfgs, binding.ident);
            Some(quote!(#(#cfgs)* let _ = &#ident;))
        });
    quote!(#(#mentions)*)
}

/// async-trait moves each parameter into its async block with
/// `let x = x;`. The span records `args` from the fn's own parameters, so a
/// listed parameter the body never uses would leave that binding unused and
/// draw rustc's `unused variable` warning (whose `_x` fix would change the
/// attribute key). Each such binding is marked used right after it.
fn mark_captures_used(plan: &Plan, mut block: syn::ExprAsync) -> syn::ExprAsync {
    let captured: Vec<&Ident> = plan.captures.iter().map(|capture| &capture.ident).collect();
    let mut stmts = Vec::with_capacity(block.block.stmts.len());
    for stmt in std::mem::take(&mut block.block.stmts) {
        let moved = moved_parameter(&stmt).filter(|ident| captured.contains(&ident));
        stmts.push(stmt);
        if let Some(ident) = moved {
            stmts.push(syn::parse_quote!(let _ = &#ident;));
        }
    }
    block.block.stmts = stmts;
    block
}

/// `x` for a statement `let x = x;` (or `let mut x = x;`).
fn moved_parameter(stmt: &syn::Stmt) -> Option<Ident> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Ident(binding) = &local.pat else {
        return None;
    };
    let init = local.init.as_ref()?;
    match init.expr.as_ref() {
        syn::Expr::Path(path) if path.path.is_ident(&binding.ident) => Some(binding.ident.clone()),
        _ => None,
    }
}

/// The user's body, ready to run: a closure (sync fns), a future (async
/// fns), or a closure that builds the future the fn returns.
enum Body {
    Closure(TokenStream),
    Future(TokenStream),
    Builder(FutureReturn, TokenStream),
}

/// The statements around the body: start the span, capture arguments, run
/// the body, record the outcome, return it.
fn wrap(plan: &Plan, body: Body) -> TokenStream {
    let private = &plan.private;
    let span = internal("__traced_span");
    let out = internal("__traced_out");
    let site = call_site(plan);
    let parent = parent(plan);
    let captures = captures(plan);
    let start_fn = match plan.function_name {
        FunctionName::SelfType => quote!(start_method::<Self, _>),
        FunctionName::Module | FunctionName::Owner(_) => quote!(start),
    };
    let pipeline = plan.init.then(|| {
        let pipeline = internal("__traced_pipeline");
        // Declared before the span, so it drops after the span has ended.
        quote!(let #pipeline = #private::init_for_main(());)
    });
    let metric_attrs = metric_attributes(plan, &span);
    let start = quote! {
        #pipeline
        let mut #span = #private::SpanGuard::#start_fn(#site, #parent, #captures);
        #metric_attrs
    };
    if let Body::Builder(future, build) = body {
        let future_ident = internal("__traced_future");
        let finish = match (future, &plan.function.sig.output) {
            (FutureReturn::Boxed, ReturnType::Type(_, ty)) => {
                // At the return type, so a type that is no boxed future is
                // reported there.
                let private = respan(private, ty.span());
                quote_spanned!(ty.span()=> <#ty as #private::BoxedFuture>::traced)
            }
            _ => quote!(#private::traced_future),
        };
        let settled = future_outcome(plan, false);
        // The span is current while the body builds the future; the wrapper
        // makes it current during every poll and ends it on completion.
        return quote! {
            #start
            let #future_ident = #span.run(#build);
            #finish(#future_ident, #span, #settled)
        };
    }
    let run = match body {
        Body::Closure(closure) => quote!(#span.run(#closure)),
        Body::Builder(..) => TokenStream::new(),
        Body::Future(future) => {
            let future_ident = internal("__traced_future");
            let settled = future_outcome(plan, cannot_be_result(plan));
            // The wrapper makes the span current during every poll and
            // records the output. With no span, the body is awaited as it
            // is: nothing to make current, nothing to record.
            return quote! {
                #start
                let #future_ident = #future;
                if #span.is_active() {
                    #private::traced_future(#future_ident, #span, #settled).await
                } else {
                    #future_ident.await
                }
            };
        }
    };
    if never_returns(plan) {
        // Nothing comes back to record; binding a `!` value would only draw
        // lints in the user's crate.
        return quote!(#start #run);
    }
    let outcome = outcome(plan, &span, &quote!(&#out), cannot_be_result(plan));
    quote! {
        #start
        let #out = #run;
        #outcome
        #out
    }
}

fn never_returns(plan: &Plan) -> bool {
    matches!(&plan.function.sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)))
}

/// A name users cannot write or shadow: it resolves where the macro is
/// defined, not in the user's code.
pub fn internal(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

fn call_site(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let name = &plan.span_name;
    let kind = match plan.kind {
        SpanKind::Internal => quote!(Internal),
        SpanKind::Server => quote!(Server),
        SpanKind::Client => quote!(Client),
        SpanKind::Producer => quote!(Producer),
        SpanKind::Consumer => quote!(Consumer),
    };
    let tracer = plan.tracer.as_ref().map(|tracer| quote!(, tracer #tracer));
    let metric = plan.metric.as_ref().map(|name| quote!(, metrics #name));
    let fn_name = match &plan.function_name {
        FunctionName::Owner(qualified) => qualified.clone(),
        FunctionName::Module | FunctionName::SelfType => unraw(&plan.function.sig.ident),
    };
    let line = plan.line;
    let captured = plan.captures.len() + plan.extras.len();
    // Whoever keeps error text out (`err = type`, `err = off`) keeps panic
    // messages out too.
    let panic_text = matches!(plan.err, ErrMode::Display | ErrMode::Debug);
    quote!(#private::site!(#name, #kind, #fn_name, #line, #captured, #panic_text #metric #tracer))
}

fn parent(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    match &plan.parent {
        ParentChoice::Current => quote!(#private::Parent::Current),
        ParentChoice::Root => quote!(#private::Parent::Root),
        ParentChoice::Explicit(expr) => {
            let private = respan(private, expr.span());
            quote_spanned! {expr.span()=>
                #private::Parent::Explicit(#private::as_context(&(#expr)))
            }
        }
    }
}

/// `metric_attrs(..)`: recorded on the measurement at the start, when there
/// is one.
fn metric_attributes(plan: &Plan, span: &Ident) -> TokenStream {
    if plan.metric_attrs.is_empty() {
        return TokenStream::new();
    }
    let private = &plan.private;
    let attributes = internal("__traced_attributes");
    let records = plan.metric_attrs.iter().map(|extra| {
        let key = &extra.key;
        let expr = &extra.value;
        let value = format_value(
            private,
            extra.format,
            expr.span(),
            quote_spanned!(expr.span()=> &(#expr)),
        );
        quote!(#attributes.record(#key, #value);)
    });
    quote! {
        #span.metric_attributes(|#attributes: &mut #private::Attributes<'_>| { #(#records)* });
    }
}

/// The closure that records `args(..)` and `attrs(..)`. It runs twice,
/// at entry, before the body can move the values: before the sampler
/// decides, giving the builder the values made for free (integers, bools,
/// static text), so that a sampler can decide on them; and, only once the
/// span is sampled in, for the values that must be formatted or copied.
/// A span that is sampled out or has no provider formats nothing.
fn captures(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    if plan.captures.is_empty() && plan.extras.is_empty() {
        return quote!(#private::no_attributes);
    }
    let attributes = internal("__traced_attributes");
    let args = plan.captures.iter().map(|capture| {
        let ident = &capture.ident;
        let key = unraw(ident);
        if capture.format == Format::Attribute {
            return quote_spanned!(ident.span()=> #attributes.arg(#key, &#ident););
        }
        let value = format_value(
            private,
            capture.format,
            ident.span(),
            quote_spanned!(ident.span()=> &#ident),
        );
        quote_spanned! {ident.span()=>
            if #attributes.later() { #attributes.record(#key, #value); }
        }
    });
    let extras = plan.extras.iter().map(|extra| {
        let key = &extra.key;
        let expr = &extra.value;
        match (extra.format, expr) {
            (
                Format::Attribute,
                Expr::Lit(ExprLit {
                    lit: Lit::Str(text),
                    ..
                }),
            ) => {
                return quote!(#attributes.text(#key, #text););
            }
            (Format::Attribute, Expr::Lit(literal)) => {
                return quote!(#attributes.arg(#key, &#literal););
            }
            _ => {}
        }
        let value = format_value(
            private,
            extra.format,
            expr.span(),
            quote_spanned!(expr.span()=> &(#expr)),
        );
        quote!(if #attributes.later() { #attributes.record(#key, #value); })
    });
    quote! {
        |#attributes: &mut #private::Attributes<'_>| {
            #(#args)*
            #(#extras)*
        }
    }
}

/// The call that turns `reference` into an `Option<opentelemetry::Value>`,
/// spanned so that a missing trait impl is reported on the user's token.
pub fn format_value(
    private: &TokenStream,
    format: Format,
    at: Span,
    reference: TokenStream,
) -> TokenStream {
    // The path too, so that an unmet bound is reported on the user's token
    // alone.
    let private = &respan(private, at);
    match format {
        Format::Attribute => quote_spanned!(at=> #private::attribute_value(#reference)),
        Format::Debug => quote_spanned!(at=> #private::debug_value(#reference)),
        Format::Display => quote_spanned!(at=> #private::display_value(#reference)),
    }
}

/// Records a returned `Err` and, with `ret`, the returned value. The method
/// calls resolve on the concrete return type (see `traced::__private`'s
/// outcome module), so nothing is asked of that type.
fn outcome(plan: &Plan, span: &Ident, out: &TokenStream, cannot_fail: bool) -> TokenStream {
    let private = &plan.private;
    let mode = match plan.err {
        ErrMode::Off => None,
        _ if cannot_fail => None,
        ErrMode::Display => Some(quote!(display)),
        ErrMode::Debug => Some(quote!(debug)),
        ErrMode::Type => Some(quote!(type)),
    };
    let expected = plan.expected.as_ref().map(|expected| {
        // At the path, so a fn of the wrong type is reported there.
        let private = respan(private, expected.span());
        let check = quote_spanned!(expected.span()=> #private::is_expected(#out, #expected));
        quote!(, #check)
    });
    let record_error =
        mode.map(|mode| quote!(#private::record_error!(&#span, #out, #mode #expected);));
    let record_return = match &plan.ret {
        None => TokenStream::new(),
        Some((ret, format)) => {
            // Spanned at `ret`, so a value that cannot be formatted is reported
            // there.
            let value = Ident::new("__traced_value", ret.span());
            let formatted = format_value(private, *format, ret.span(), quote!(#value));
            if cannot_fail {
                quote! {
                    let #value = #out;
                    #span.record("return", #formatted);
                }
            } else {
                quote! {
                    #[allow(unused_imports)]
                    use #private::{PlainOutcome as _, ResultOutcome as _};
                    if let ::core::option::Option::Some(#value) = (&#private::Outcome(#out)).traced_ok() {
                        #span.record("return", #formatted);
                    }
                }
            }
        }
    };
    if record_error.is_none() && record_return.is_empty() {
        return TokenStream::new();
    }
    if plan.metric.is_none() {
        return quote! {
            if #span.is_recording() {
                #record_error
                #record_return
            }
        };
    }
    // A measurement wants the error's type even when no span records.
    let record_return =
        (!record_return.is_empty()).then(|| quote!(if #span.is_recording() { #record_return }));
    quote! {
        if #span.wants_outcome() {
            #record_error
            #record_return
        }
    }
}

fn cannot_be_result(plan: &Plan) -> bool {
    crate::model::cannot_be_result(&plan.function.sig.output)
}

/// What a traced future does with its output when it completes: record an
/// `Err` and, with `ret`, the value, as for a fn's return value.
fn future_outcome(plan: &Plan, cannot_fail: bool) -> TokenStream {
    let private = &plan.private;
    let span = internal("__traced_span");
    let out = internal("__traced_out");
    if never_returns(plan) {
        return quote!(#private::no_outcome);
    }
    let outcome = outcome(plan, &span, &quote!(#out), cannot_fail);
    if outcome.is_empty() {
        return quote!(#private::no_outcome);
    }
    quote! {
        |#span: &#private::SpanGuard, #out| { #outcome }
    }
}

/// Tells inference the body's type up front, so `?` inside the closure or
/// async block converts errors into the fn's error type. `impl Trait` is not
/// allowed there and becomes `_`.
fn return_type_hint(output: &ReturnType) -> TokenStream {
    let ty = match output {
        // `()`: nothing to infer, and `?` cannot be used.
        ReturnType::Default => return TokenStream::new(),
        ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)) => return TokenStream::new(),
        ReturnType::Type(_, ty) => erase_impl_trait(ty).to_token_stream(),
    };
    let at = return_type_span(output);
    let never = Ident::new("__traced_never", Span::mixed_site().located_at(at));
    // Located at the return type, so rustc's "return type inferred here"
    // notes point at the signature rather than at the attribute.
    quote! {
        if let ::core::option::Option::Some(#never) = ::core::option::Option::None::<#ty> {
            #[allow(unreachable_code)]
            return #never;
        }
    }
}

/// The return type's span, or the call site for `()`.
fn return_type_span(output: &ReturnType) -> Span {
    match output {
        ReturnType::Default => Span::call_site(),
        ReturnType::Type(_, ty) => ty.span(),
    }
}

fn erase_impl_trait(ty: &Type) -> Type {
    let mut ty = ty.clone();
    erase_in_place(&mut ty);
    ty
}

fn erase_in_place(ty: &mut Type) {
    match ty {
        Type::ImplTrait(impl_trait) => {
            let underscore = syn::Token![_](impl_trait.span());
            *ty = syn::parse_quote!(#underscore);
        }
        Type::Array(array) => erase_in_place(&mut array.elem),
        Type::Group(group) => erase_in_place(&mut group.elem),
        // `(impl Debug)` would become `(_)`, which draws `unused_parens`.
        Type::Paren(paren) => {
            erase_in_place(&mut paren.elem);
            *ty = (*paren.elem).clone();
        }
        Type::Ptr(ptr) => erase_in_place(&mut ptr.elem),
        Type::Reference(reference) => erase_in_place(&mut reference.elem),
        Type::Slice(slice) => erase_in_place(&mut slice.elem),
        Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(erase_in_place),
        Type::Path(path) => erase_in_path(&mut path.path),
        Type::TraitObject(object) => {
            for bound in &mut object.bounds {
                if let syn::TypeParamBound::Trait(bound) = bound {
                    erase_in_path(&mut bound.path);
                }
            }
        }
        _ => {}
    }
}

fn erase_in_path(path: &mut syn::Path) {
    for segment in &mut path.segments {
        if let PathArguments::AngleBracketed(generics) = &mut segment.arguments {
            for argument in &mut generics.args {
                match argument {
                    GenericArgument::Type(ty) => erase_in_place(ty),
                    GenericArgument::AssocType(assoc) => erase_in_place(&mut assoc.ty),
                    _ => {}
                }
            }
        }
    }
}

/// `tokens`, every one located at `at` (for error messages) but resolved as
/// before (a `$crate` passed in by `traced::record!` keeps pointing at
/// `traced`).
fn respan(tokens: &TokenStream, at: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(&group.stream(), at));
                inner.set_span(at);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(tree.span().located_at(at));
            }
            tree
        })
        .collect()
}
