//! `#[traced]` on an `impl` block or a trait: each fn in it is traced as if
//! it carried the block's options, merged with its own `#[traced(..)]`.
//!
//! Input:
//!
//! ```ignore
//! #[traced(err = type)]
//! impl<T: Db> Repo for Cache<T> {
//!     fn get(&self, id: u64) -> Result<Row, DbError> { .. }
//!     #[traced(args(id))]
//!     fn put(&self, id: u64) -> Result<(), DbError> { .. }
//!     #[traced(skip)]
//!     fn len(&self) -> usize { .. }
//! }
//! ```
//!
//! Output: the same block, where `get` is expanded as `#[traced(err = type)]`
//! with span name `Cache::get`, `put` as `#[traced(err = type, args(id))]`,
//! and `len` is left as it is.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Attribute, ImplItem, ImplItemFn, ItemImpl, ItemTrait, Meta, TraitItem, Type};

use crate::args::RawArgs;
use crate::errors::Errors;
use crate::item::TracedFn;
use crate::model::Place;

/// What the macro needs from its caller to expand one fn.
pub struct Expansion<'a> {
    pub defaults: &'a crate::defaults::Defaults,
    pub manifest: Option<String>,
    pub line_of: fn(proc_macro2::Span) -> u32,
}

/// One fn: validated and expanded, or `None` when there were errors (they
/// are in `errors`).
pub fn expand_fn(
    args: RawArgs,
    function: TracedFn,
    owner: Option<String>,
    expansion: &Expansion,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let place = Place {
        owner,
        defaults: expansion.defaults,
        line: (expansion.line_of)(function.sig.ident.span()),
        manifest: expansion.manifest.clone(),
    };
    let mut own = Errors::default();
    let plan = crate::validate::validate(args, function, &place, &mut own);
    match own.finish() {
        Ok(()) => Some(crate::expand::expand(&plan)),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

pub fn expand_impl(
    args: RawArgs,
    mut block: ItemImpl,
    expansion: &Expansion,
    errors: &mut Errors,
) -> TokenStream {
    let args = refuse_per_fn_options(args, "an impl block", errors);
    let owner = type_name(&block.self_ty);
    let mut has_fn = false;
    for item in &mut block.items {
        let ImplItem::Fn(method) = item else {
            continue;
        };
        has_fn = true;
        let own = take_traced_attributes(&mut method.attrs, errors);
        if let Some(expanded) = expand_method(&args, own, method, &owner, expansion, errors) {
            *item = ImplItem::Verbatim(expanded);
        }
    }
    if !has_fn {
        errors.push_at(
            &block.self_ty,
            format!("this impl block of `{owner}` has no fn for #[traced] to trace; remove the attribute, or put it on a block with fns"),
        );
    }
    block.into_token_stream()
}

pub fn expand_trait(
    args: RawArgs,
    mut definition: ItemTrait,
    expansion: &Expansion,
    errors: &mut Errors,
) -> TokenStream {
    let args = refuse_per_fn_options(args, "a trait", errors);
    let owner = crate::params::unraw(&definition.ident);
    let mut has_default = false;
    for item in &mut definition.items {
        let TraitItem::Fn(method) = item else {
            continue;
        };
        let own = take_traced_attributes(&mut method.attrs, errors);
        let Some(body) = &method.default else {
            // A required method: nothing to trace. Its own attribute asks
            // for the impossible, which the fn path explains.
            if let Some((attribute, _)) = own {
                let declared = quote::quote!(#(#attribute)* #method);
                if let Err(error) = syn::parse2::<TracedFn>(declared) {
                    errors.push(error);
                }
            }
            continue;
        };
        has_default = true;
        let as_fn = ImplItemFn {
            attrs: method.attrs.clone(),
            vis: syn::Visibility::Inherited,
            modifiers: syn::FnModifiers::default(),
            sig: method.sig.clone(),
            block: body.clone(),
        };
        if let Some(expanded) = expand_method(&args, own, &as_fn, &owner, expansion, errors) {
            *item = TraitItem::Verbatim(expanded);
        }
    }
    if !has_default {
        errors.push_at(
            &definition.ident,
            format!("no method of `{owner}` has a default body, so #[traced] has nothing to trace here; put #[traced] on the impl blocks of `{owner}` instead"),
        );
    }
    definition.into_token_stream()
}

/// The expanded method, or `None` to leave it as it is: `#[traced(skip)]`,
/// a `const fn` or a `default fn` without an attribute of its own, or errors.
fn expand_method(
    block_args: &RawArgs,
    own: Option<(Vec<Attribute>, RawArgs)>,
    method: &ImplItemFn,
    owner: &str,
    expansion: &Expansion,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let has_own = own.is_some();
    let args = match own {
        Some((_, own)) => block_args.clone().overridden_by(own),
        None => block_args.clone(),
    };
    if args.skip.is_some() {
        return None;
    }
    let unmarked_const = method.sig.constness.is_some() && !has_own;
    if unmarked_const || method.modifiers.defaultness.is_some() {
        return None;
    }
    let function = match syn::parse2::<TracedFn>(method.to_token_stream()) {
        Ok(function) => function,
        Err(error) => {
            errors.push(error);
            return None;
        }
    };
    expand_fn(args, function, Some(owner.to_owned()), expansion, errors)
}

/// Reports each option that belongs to one fn, and returns the block's
/// options without them, so that they are not reported again on every fn.
fn refuse_per_fn_options(args: RawArgs, block: &str, errors: &mut Errors) -> RawArgs {
    for key in args.per_fn_options() {
        let message = match key.to_string().as_str() {
            "skip" | "init" | "future" => format!(
                "`{key}` applies to one fn, not to {block}: put `#[traced({key})]` on the fn"
            ),
            "name" => format!(
                "`name` names one fn's span, so it cannot go on {block}; put `#[traced(name = \"..\")]` on the method it is for"
            ),
            "parent" => format!(
                "`parent` is computed from one fn's parameters, so it cannot go on {block}; put `#[traced(parent = ..)]` on the method it is for"
            ),
            _ => format!(
                "`{key}` names one fn's parameters, so it cannot go on {block}; put `#[traced({key}(..))]` on the method it is for"
            ),
        };
        errors.push_at(key, message);
    }
    RawArgs {
        name: None,
        args: None,
        attrs: None,
        parent: None,
        init: None,
        skip: None,
        future: None,
        metric_attrs: None,
        ..args
    }
}

/// Removes a method's own `#[traced(..)]` attributes, returning them with
/// their parsed options (`None` when it has none).
fn take_traced_attributes(
    attrs: &mut Vec<Attribute>,
    errors: &mut Errors,
) -> Option<(Vec<Attribute>, RawArgs)> {
    let (own, rest): (Vec<Attribute>, Vec<Attribute>) =
        attrs.drain(..).partition(is_traced_attribute);
    *attrs = rest;
    let first = own.first()?;
    if let Some(second) = own.get(1) {
        errors.push_at(second, "#[traced] is given twice on this fn; keep one");
    }
    let args = match &first.meta {
        Meta::Path(_) => RawArgs::default(),
        Meta::List(list) => crate::args::parse(list.tokens.clone(), errors),
        Meta::NameValue(value) => {
            errors.push_at(
                value,
                "#[traced] takes options in parentheses: `#[traced(err = type)]`",
            );
            RawArgs::default()
        }
    };
    Some((own, args))
}

/// `#[traced]`, `#[traced::traced]`, `#[::traced::traced(..)]`, or the
/// attribute under a renamed or re-exported crate (`#[tr::traced]`): any
/// path ending in `traced`.
fn is_traced_attribute(attribute: &Attribute) -> bool {
    attribute
        .path()
        .segments
        .last()
        .is_some_and(|last| last.ident == "traced")
}

/// The name a block's spans use for its type: the last path segment without
/// generic arguments (`Cache` for `Cache<T>`), through references.
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) => match path.path.segments.last() {
            Some(last) => crate::params::unraw(&last.ident),
            None => ty.to_token_stream().to_string(),
        },
        Type::Reference(reference) => type_name(&reference.elem),
        Type::Group(group) => type_name(&group.elem),
        Type::Paren(paren) => type_name(&paren.elem),
        other => other.to_token_stream().to_string().replace(' ', ""),
    }
}
