//! The names a fn's parameters bind.

use proc_macro2::{Ident, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::{Attribute, FnArg, Pat, Signature};

/// One name bound by a parameter, with the parameter's `#[cfg]`s.
pub struct Binding<'a> {
    pub ident: Ident,
    pub cfgs: Vec<&'a Attribute>,
}

impl Binding<'_> {
    pub fn name(&self) -> String {
        unraw(&self.ident)
    }
}

/// The name without `r#`: how keys and span names spell it.
pub fn unraw(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// Every name the parameters bind, `self` and destructured patterns
/// included, in declaration order.
pub fn bindings(sig: &Signature) -> Vec<Binding<'_>> {
    let mut bindings = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => bindings.push(Binding {
                ident: Ident::new("self", receiver.self_token.span),
                cfgs: Vec::new(),
            }),
            FnArg::Typed(typed) => {
                let cfgs: Vec<&Attribute> = typed
                    .attrs
                    .iter()
                    .filter(|attr| attr.path().is_ident("cfg"))
                    .collect();
                let mut idents = Vec::new();
                bound_idents(&typed.pat, &mut idents);
                bindings.extend(idents.into_iter().map(|ident| Binding {
                    ident,
                    cfgs: cfgs.clone(),
                }));
            }
        }
    }
    bindings
}

fn bound_idents(pat: &Pat, idents: &mut Vec<Ident>) {
    match pat {
        Pat::Ident(binding) => {
            idents.push(binding.ident.clone());
            if let Some((_, sub)) = &binding.subpat {
                bound_idents(sub, idents);
            }
        }
        Pat::Tuple(tuple) => tuple.elems.iter().for_each(|pat| bound_idents(pat, idents)),
        Pat::TupleStruct(tuple) => tuple.elems.iter().for_each(|pat| bound_idents(pat, idents)),
        Pat::Struct(fields) => fields
            .fields
            .iter()
            .for_each(|field| bound_idents(&field.pat, idents)),
        Pat::Slice(slice) => slice.elems.iter().for_each(|pat| bound_idents(pat, idents)),
        Pat::Reference(reference) => bound_idents(&reference.pat, idents),
        Pat::Paren(paren) => bound_idents(&paren.pat, idents),
        Pat::Type(typed) => bound_idents(&typed.pat, idents),
        Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                bound_idents(first, idents);
            }
        }
        _ => {}
    }
}

/// Whether `ident` appears among `tokens`, at any depth, or as an inline
/// format argument (`"{ident}"`, `"{ident:?}"`) in a string literal.
pub fn mentions(tokens: &TokenStream, ident: &Ident) -> bool {
    let name = ident.to_string();
    let in_format = [format!("{{{name}}}"), format!("{{{name}:")];
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(found) => found == *ident,
        TokenTree::Group(group) => mentions(&group.stream(), ident),
        TokenTree::Literal(literal) => {
            let text = literal.to_string();
            text.starts_with('"') && in_format.iter().any(|arg| text.contains(arg.as_str()))
        }
        TokenTree::Punct(_) => false,
    })
}

/// Whether the signature can only be a method's: it takes `self` or names
/// `Self`, so `Self` can be named in the body.
pub fn mentions_self_type(sig: &Signature) -> bool {
    let self_type = Ident::new("Self", proc_macro2::Span::call_site());
    let takes_self = sig.receiver().is_some();
    takes_self
        || sig
            .inputs
            .iter()
            .any(|input| mentions(&quote::ToTokens::to_token_stream(input), &self_type))
        || mentions(&quote::ToTokens::to_token_stream(&sig.output), &self_type)
}
