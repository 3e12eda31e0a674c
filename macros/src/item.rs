//! Parses the annotated item into [`TracedFn`].
//!
//! Only the signature is parsed; the body stays raw tokens, so a body with a
//! syntax error is reported by rustc at the right place instead of by us, and
//! big bodies cost nothing to parse.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Block, Expr, ExprAsync, Signature, Stmt, Token, Visibility};

pub struct TracedFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    /// `#![...]` attributes from the top of the body, re-emitted as outer
    /// attributes of the fn (the body is moved into a closure or async block,
    /// where inner attributes are not allowed).
    pub inner_attrs: TokenStream,
    /// The body's statements, without the braces.
    pub body: TokenStream,
}

impl Parse for TracedFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if !looks_like_fn(input) {
            return Err(not_a_fn(input));
        }
        let sig: Signature = input.parse()?;
        if input.peek(Token![;]) {
            return Err(syn::Error::new_spanned(
                &sig.ident,
                format!(
                    "#[traced] needs a function body, and `{}` has none; put the attribute on the fn in each impl, or give the trait method a default body",
                    sig.ident
                ),
            ));
        }
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(
                body.span(),
                "expected the function body in `{ ... }`",
            ));
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function body"));
        }
        let (inner_attrs, body) = split_inner_attributes(body.stream());
        Ok(TracedFn {
            attrs,
            vis,
            sig,
            inner_attrs,
            body,
        })
    }
}

/// Whether the next tokens start a fn signature (qualifiers, then `fn`).
fn looks_like_fn(input: ParseStream) -> bool {
    let ahead = input.fork();
    loop {
        if ahead.peek(Token![fn]) {
            return true;
        }
        let qualifier = ahead.peek(Token![const])
            || ahead.peek(Token![async])
            || ahead.peek(Token![unsafe])
            || ahead.peek(Token![default])
            || ahead.peek(syn::LitStr)
            || ahead.peek(Token![extern]);
        if !qualifier || ahead.parse::<TokenTree>().is_err() {
            return false;
        }
    }
}

fn not_a_fn(input: ParseStream) -> syn::Error {
    let what = match input.fork().parse::<TokenTree>() {
        Ok(TokenTree::Ident(word)) => match word.to_string().as_str() {
            "struct" | "enum" | "union" | "trait" | "impl" | "mod" | "static" | "type" | "use"
            | "const" | "macro_rules" => format!("a `{word}` item"),
            _ => "this item".to_owned(),
        },
        _ => "this item".to_owned(),
    };
    let message = format!(
        "#[traced] can only be applied to a function, not to {what}; put it on the `fn` whose calls you want as spans"
    );
    match input.fork().parse::<TokenTree>() {
        Ok(first) => syn::Error::new(first.span(), message),
        Err(_) => input.error(message),
    }
}

/// Splits leading `#![...]` attributes off a body, turning them into `#[...]`.
fn split_inner_attributes(body: TokenStream) -> (TokenStream, TokenStream) {
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let mut outer = TokenStream::new();
    let mut start = 0;
    while let [
        TokenTree::Punct(pound),
        TokenTree::Punct(bang),
        TokenTree::Group(group),
        ..,
    ] = &trees[start..]
    {
        let is_inner = pound.as_char() == '#'
            && bang.as_char() == '!'
            && group.delimiter() == Delimiter::Bracket;
        if !is_inner {
            break;
        }
        outer.extend([
            TokenTree::Punct(pound.clone()),
            TokenTree::Group(group.clone()),
        ]);
        start += 3;
    }
    (outer, trees[start..].iter().cloned().collect())
}

/// A method rewritten by `#[async_trait]` before we see it: not `async`, and
/// its body ends in `Box::pin(async move { ... })`. Its span must cover the
/// async block's execution, not the boxing.
pub struct AsyncTraitBody {
    pub leading: Vec<Stmt>,
    pub pin_call: Expr,
    pub async_block: ExprAsync,
}

impl TracedFn {
    pub fn async_trait_body(&self) -> Option<AsyncTraitBody> {
        if self.sig.asyncness.is_some() {
            return None;
        }
        let returns_future = match &self.sig.output {
            syn::ReturnType::Type(_, ty) => ty.to_token_stream().to_string().contains("Future"),
            syn::ReturnType::Default => false,
        };
        if !returns_future {
            return None;
        }
        let body = &self.body;
        let block: Block = syn::parse2(quote::quote!({ #body })).ok()?;
        let mut stmts = block.stmts;
        let Some(Stmt::Expr(Expr::Call(call), None)) = stmts.pop() else {
            return None;
        };
        let Expr::Path(func) = call.func.as_ref() else {
            return None;
        };
        let segments: Vec<String> = func
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || call.args.len() != 1 {
            return None;
        }
        let Some(Expr::Async(async_block)) = call.args.first().cloned() else {
            return None;
        };
        async_block.capture?;
        Some(AsyncTraitBody {
            leading: stmts,
            pin_call: (*call.func).clone(),
            async_block,
        })
    }
}
