//! Parses the annotated item into [`TracedFn`].
//!
//! Only the signature is parsed; the body stays raw tokens, so a body with a
//! syntax error is reported by rustc at the right place instead of by us, and
//! big bodies cost nothing to parse.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{
    Attribute, Block, Expr, ExprAsync, ItemImpl, ItemTrait, Signature, Stmt, Token, Visibility,
};

/// What `#[traced]` was put on.
pub enum Annotated {
    Fn(TracedFn),
    /// Every fn of the block is traced (see `block`).
    Impl(ItemImpl),
    /// Every method with a default body is traced.
    Trait(ItemTrait),
}

impl Parse for Annotated {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ahead = input.fork();
        ahead.call(Attribute::parse_outer)?;
        ahead.parse::<Visibility>()?;
        while ahead.peek(Token![unsafe]) || ahead.peek(Token![default]) {
            ahead.parse::<TokenTree>()?;
        }
        let annotated = if ahead.peek(Token![impl]) {
            Annotated::Impl(input.parse()?)
        } else if ahead.peek(Token![trait]) {
            Annotated::Trait(input.parse()?)
        } else {
            return Ok(Annotated::Fn(input.parse()?));
        };
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the block"));
        }
        Ok(annotated)
    }
}

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
        if input.peek(Token![safe]) {
            // Only foreign fns can be declared `safe`.
            let safe: Token![safe] = input.parse()?;
            return Err(syn::Error::new(safe.span, FOREIGN_FN));
        }
        let sig: Signature = input.parse()?;
        if input.peek(Token![;]) {
            return Err(no_body(&sig));
        }
        let body = parse_body(input)?;
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

const FOREIGN_FN: &str = "#[traced] cannot instrument a foreign fn declared in an `extern` block; wrap it in a Rust fn and put the attribute there";

/// The body: `{ ... }`, or the same in an invisible group, as rustc passes
/// on a `macro_rules!` `$body:block` (`Group(None, [Group(Brace, ..)])`).
fn parse_body(input: ParseStream) -> syn::Result<Group> {
    let Ok(tree) = input.parse::<TokenTree>() else {
        return Err(input.error(
            "expected the function body in `{ ... }` after the signature; write the statements between braces",
        ));
    };
    brace_group(&tree).ok_or_else(|| {
        syn::Error::new(
            tree.span(),
            format!(
                "expected the function body in `{{ ... }}`, found {}; write the statements between braces after the signature",
                describe(&tree)
            ),
        )
    })
}

/// `tree` as a `{ ... }` group: itself, or the one group an invisible group
/// holds (at any depth of invisible groups).
fn brace_group(tree: &TokenTree) -> Option<Group> {
    let TokenTree::Group(group) = tree else {
        return None;
    };
    match group.delimiter() {
        Delimiter::Brace => Some(group.clone()),
        Delimiter::None => {
            let mut inner = group.stream().into_iter();
            match (inner.next(), inner.next()) {
                (Some(only), None) => brace_group(&only),
                _ => None,
            }
        }
        Delimiter::Parenthesis | Delimiter::Bracket => None,
    }
}

/// A token for an error message: `( ... )` for a group, the text otherwise
/// (shortened when long).
fn describe(tree: &TokenTree) -> String {
    let text = match tree {
        TokenTree::Group(group) => match group.delimiter() {
            Delimiter::Parenthesis => return "`( ... )`".to_owned(),
            Delimiter::Bracket => return "`[ ... ]`".to_owned(),
            Delimiter::Brace => return "`{ ... }`".to_owned(),
            Delimiter::None => group.stream().to_string(),
        },
        other => other.to_string(),
    };
    if text.trim().is_empty() {
        return "an empty macro fragment".to_owned();
    }
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("`{short}...`")
    } else {
        format!("`{short}`")
    }
}

/// A declaration without a body: a trait method, or a fn in an `extern`
/// block. Without the surrounding item the two look alike, so unless an ABI
/// gives it away the message names both.
fn no_body(sig: &Signature) -> syn::Error {
    let name = &sig.ident;
    let message = if sig.abi.is_some() {
        FOREIGN_FN.to_owned()
    } else {
        format!(
            "#[traced] needs a function body, and `{name}` has none; for a trait method, put the attribute on the method in each impl or give it a default body; for a fn in an `extern` block, wrap it in a Rust fn and trace that"
        )
    };
    syn::Error::new_spanned(name, message)
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
            || ahead.peek(Token![safe])
            || ahead.peek(syn::LitStr)
            || ahead.peek(Token![extern]);
        if !qualifier || ahead.parse::<TokenTree>().is_err() {
            return false;
        }
    }
}

fn not_a_fn(input: ParseStream) -> syn::Error {
    let first = input.fork().parse::<TokenTree>();
    let word = match &first {
        Ok(TokenTree::Ident(word)) => word.to_string(),
        _ => String::new(),
    };
    let message = match word.as_str() {
        "struct" | "enum" | "union" | "mod" | "static" | "type" | "use" | "const"
        | "macro_rules" => format!(
            "#[traced] can only be applied to a function, an `impl` block or a trait, not to {} `{word}` item; put it on the `fn` whose calls you want as spans",
            if word == "enum" { "an" } else { "a" }
        ),
        _ => "#[traced] can only be applied to a function, an `impl` block or a trait; put it on the `fn` whose calls you want as spans".to_owned(),
    };
    match first {
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

/// A method rewritten by `#[async_trait]` before we see it: not `async`,
/// returning a boxed future bound by async-trait's `'async_trait` lifetime,
/// with a body that is only `Box::pin(async move { ... })`. Its span must
/// cover the async block's execution, not the boxing.
pub struct AsyncTraitBody {
    pub pin_call: Expr,
    pub async_block: ExprAsync,
}

impl TracedFn {
    /// The `#![...]` attributes from the top of the body, each as emitted
    /// (`#[...]`, spanning the original `#![...]`) with its path.
    pub fn inner_attributes(&self) -> Vec<(TokenStream, Option<syn::Path>)> {
        let trees: Vec<TokenTree> = self.inner_attrs.clone().into_iter().collect();
        trees
            .chunks(2)
            .map(|pair| {
                let path = match pair {
                    [_, TokenTree::Group(group)] => attribute_path(group.stream()),
                    _ => None,
                };
                (pair.iter().cloned().collect(), path)
            })
            .collect()
    }

    pub fn async_trait_body(&self) -> Option<AsyncTraitBody> {
        let syn::ReturnType::Type(_, ty) = &self.sig.output else {
            return None;
        };
        if self.sig.asyncness.is_some() || !has_lifetime(&ty.to_token_stream(), "async_trait") {
            return None;
        }
        let body = &self.body;
        let block: Block = syn::parse2(quote::quote!({ #body })).ok()?;
        let [Stmt::Expr(Expr::Call(call), None)] = block.stmts.as_slice() else {
            return None;
        };
        let Expr::Path(func) = call.func.as_ref() else {
            return None;
        };
        let is_box_pin = func.path.segments.len() >= 2
            && func
                .path
                .segments
                .iter()
                .rev()
                .nth(1)
                .is_some_and(|s| s.ident == "Box")
            && func.path.segments.last().is_some_and(|s| s.ident == "pin");
        let Some(Expr::Async(async_block)) = call.args.first() else {
            return None;
        };
        if !is_box_pin || call.args.len() != 1 || async_block.capture.is_none() {
            return None;
        }
        Some(AsyncTraitBody {
            pin_call: (*call.func).clone(),
            async_block: async_block.clone(),
        })
    }
}

/// Whether the lifetime `'name` appears among `tokens`, at any depth.
fn has_lifetime(tokens: &TokenStream, name: &str) -> bool {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    trees.iter().enumerate().any(|(index, tree)| match tree {
        TokenTree::Punct(quote) if quote.as_char() == '\'' => {
            matches!(trees.get(index + 1), Some(TokenTree::Ident(ident)) if ident == name)
        }
        TokenTree::Group(group) => has_lifetime(&group.stream(), name),
        _ => false,
    })
}

/// The path an attribute's content starts with (`track_caller` in
/// `track_caller`, `allow` in `allow(x)`), if it starts with one.
fn attribute_path(content: TokenStream) -> Option<syn::Path> {
    let parser = |input: ParseStream| {
        let path = input.call(syn::Path::parse_mod_style)?;
        input.parse::<TokenStream>()?;
        Ok(path)
    };
    syn::parse::Parser::parse2(parser, content).ok()
}
