//! Parses `#[traced(...)]`'s arguments into [`RawArgs`]: typed, spanned,
//! not yet checked against the function.
//!
//! Each option is parsed on its own; a malformed one is reported and skipped
//! up to the next comma, so one build shows every mistake.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, LitStr, Token};

use crate::errors::Errors;
use crate::suggest::closest;

pub const OPTIONS: &[&str] = &[
    "name",
    "kind",
    "tracer",
    "args",
    "attrs",
    "err",
    "ret",
    "parent",
    "root",
    "future",
    "init",
    "skip",
    "crate",
    "expected",
    "metrics",
    "metric_attrs",
];
const KINDS: &[&str] = &["internal", "server", "client", "producer", "consumer"];
const ERR_MODES: &[&str] = &["display", "debug", "type", "off"];
const RET_MODES: &[&str] = &["debug", "display"];

/// The arguments as written. Each option keeps the identifier that named it,
/// for error spans.
#[derive(Default, Clone)]
pub struct RawArgs {
    pub name: Option<(Ident, LitStr)>,
    pub kind: Option<(Ident, SpanKind)>,
    pub tracer: Option<(Ident, LitStr)>,
    pub args: Option<(Ident, Vec<Capture>)>,
    pub attrs: Option<(Ident, Vec<ExtraAttr>)>,
    pub err: Option<(Ident, ErrMode)>,
    pub ret: Option<(Ident, Format)>,
    pub parent: Option<(Ident, Expr)>,
    pub root: Option<Ident>,
    /// Trace the returned future to completion, whatever the return type
    /// looks like.
    pub future: Option<Ident>,
    /// On `main`: install `traced::init()` before the span, flush after.
    pub init: Option<Ident>,
    /// In an annotated impl block or trait: leave this method untraced.
    pub skip: Option<Ident>,
    /// `crate = path`: where `traced` is, for users who rename or re-export it.
    pub krate: Option<(Ident, syn::Path)>,
    /// `expected = path`: a `fn(&E) -> bool` saying which `Err`s the caller
    /// expects (not failures).
    pub expected: Option<(Ident, Expr)>,
    /// `metrics` or `metrics = "name"`: the histogram of call durations.
    pub metrics: Option<(Ident, Option<LitStr>)>,
    /// `metric_attrs(key = expr, ..)`: chosen attributes of the measurement.
    pub metric_attrs: Option<(Ident, Vec<ExtraAttr>)>,
}

impl RawArgs {
    /// `self`, with every option `over` gives replaced by `over`'s: a
    /// method's own options win over its block's, key by key.
    pub fn overridden_by(self, over: RawArgs) -> RawArgs {
        // `root` and `parent` both choose the parent: one is one key.
        let (root, parent) = if over.root.is_some() || over.parent.is_some() {
            (over.root, over.parent)
        } else {
            (self.root, self.parent)
        };
        RawArgs {
            name: over.name.or(self.name),
            kind: over.kind.or(self.kind),
            tracer: over.tracer.or(self.tracer),
            args: over.args.or(self.args),
            attrs: over.attrs.or(self.attrs),
            err: over.err.or(self.err),
            ret: over.ret.or(self.ret),
            parent,
            root,
            future: over.future.or(self.future),
            init: over.init.or(self.init),
            skip: over.skip.or(self.skip),
            krate: over.krate.or(self.krate),
            expected: over.expected.or(self.expected),
            metrics: over.metrics.or(self.metrics),
            metric_attrs: over.metric_attrs.or(self.metric_attrs),
        }
    }

    /// The options that name one fn's parts and so cannot go on a block,
    /// each with the token that gave it.
    pub fn per_fn_options(&self) -> Vec<&Ident> {
        let mut found = Vec::new();
        found.extend(self.name.as_ref().map(|(key, _)| key));
        found.extend(self.args.as_ref().map(|(key, _)| key));
        found.extend(self.attrs.as_ref().map(|(key, _)| key));
        found.extend(self.parent.as_ref().map(|(key, _)| key));
        found.extend(self.metric_attrs.as_ref().map(|(key, _)| key));
        found.extend(self.init.as_ref());
        found.extend(self.skip.as_ref());
        found.extend(self.future.as_ref());
        found
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SpanKind {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ErrMode {
    Display,
    Debug,
    /// The error's type name only: its text may hold user data.
    Type,
    Off,
}

/// How a value becomes an attribute.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// Through `traced::ToAttribute`.
    Attribute,
    /// `?x`: its `Debug` text.
    Debug,
    /// `%x`: its `Display` text.
    Display,
}

/// One entry of `args(...)`.
#[derive(Clone)]
pub struct Capture {
    pub format: Format,
    pub ident: Ident,
}

/// One entry of `attrs(...)`.
#[derive(Clone)]
pub struct ExtraAttr {
    pub key: String,
    /// Spans the whole key, for errors.
    pub key_tokens: proc_macro2::TokenStream,
    pub format: Format,
    pub value: Expr,
}

pub fn parse(tokens: proc_macro2::TokenStream, errors: &mut Errors) -> RawArgs {
    let mut args = RawArgs::default();
    let parser = |input: ParseStream| {
        while !input.is_empty() {
            if let Err(error) = parse_option(input, &mut args) {
                errors.push(error);
                skip_to_next_option(input)?;
            }
            if input.is_empty() {
                break;
            }
            if let Err(error) = input.parse::<Token![,]>() {
                errors.push(error);
                skip_to_next_option(input)?;
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
            }
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
    args
}

fn skip_to_next_option(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

fn parse_option(input: ParseStream, args: &mut RawArgs) -> syn::Result<()> {
    let key = input.call(Ident::parse_any).map_err(|error| {
        syn::Error::new(
            error.span(),
            format!("expected an option: one of {}", list(OPTIONS)),
        )
    })?;
    match key.to_string().as_str() {
        "name" => {
            let value = string_value(input, &key, "name = \"checkout\"")?;
            set_once(&mut args.name, key, value)
        }
        "tracer" => {
            let value = string_value(input, &key, "tracer = \"my-library\"")?;
            set_once(&mut args.tracer, key, value)
        }
        "kind" => {
            let value = word_value(input, &key, KINDS)?;
            let kind = match value.as_str() {
                "server" => SpanKind::Server,
                "client" => SpanKind::Client,
                "producer" => SpanKind::Producer,
                "consumer" => SpanKind::Consumer,
                _ => SpanKind::Internal,
            };
            set_once(&mut args.kind, key, kind)
        }
        "err" => {
            let value = word_value(input, &key, ERR_MODES)?;
            let mode = match value.as_str() {
                "debug" => ErrMode::Debug,
                "type" => ErrMode::Type,
                "off" => ErrMode::Off,
                _ => ErrMode::Display,
            };
            set_once(&mut args.err, key, mode)
        }
        "ret" => {
            let format = if input.peek(Token![=]) {
                match word_value(input, &key, RET_MODES)?.as_str() {
                    "display" => Format::Display,
                    _ => Format::Debug,
                }
            } else {
                Format::Debug
            };
            set_once(&mut args.ret, key, format)
        }
        "parent" => {
            let wrong = || {
                syn::Error::new(
                    key.span(),
                    "`parent` takes an expression giving an `opentelemetry::Context` or a `&Context`: `parent = &cx`",
                )
            };
            input.parse::<Token![=]>().map_err(|_| wrong())?;
            if input.is_empty() || input.peek(Token![,]) {
                return Err(wrong());
            }
            let expr: Expr = input.parse()?;
            set_once(&mut args.parent, key, expr)
        }
        "root" => flag(input, key, &mut args.root),
        "future" => flag(input, key, &mut args.future),
        "init" => flag(input, key, &mut args.init),
        "skip" => flag(input, key, &mut args.skip),
        "metrics" => {
            let name = if input.peek(Token![=]) {
                Some(string_value(
                    input,
                    &key,
                    "metrics = \"checkout.duration\"",
                )?)
            } else {
                None
            };
            set_once(&mut args.metrics, key, name)
        }
        "metric_attrs" => {
            let content = parenthesized(input, &key, "metric_attrs(payment.method = %method)")?;
            let extras = parse_list(&content, parse_extra_attr)
                .map_err(|error| retitled(error, "`attrs` entries", "`metric_attrs` entries"))?;
            set_once(&mut args.metric_attrs, key, extras.into_iter().collect())
        }
        "expected" => {
            let wrong = || {
                syn::Error::new(
                    key.span(),
                    "`expected` takes a fn that says which errors the caller expects: `expected = is_not_found`, with `fn is_not_found(error: &MyError) -> bool`",
                )
            };
            input.parse::<Token![=]>().map_err(|_| wrong())?;
            if input.is_empty() || input.peek(Token![,]) {
                return Err(wrong());
            }
            let expr: Expr = input.parse()?;
            set_once(&mut args.expected, key, expr)
        }
        "crate" => {
            let wrong = || {
                syn::Error::new(
                    key.span(),
                    "`crate` takes the path `traced` is reached by: `crate = ::my_reexport::traced`",
                )
            };
            input.parse::<Token![=]>().map_err(|_| wrong())?;
            let path = input
                .call(syn::Path::parse_mod_style)
                .map_err(|_| wrong())?;
            set_once(&mut args.krate, key, path)
        }
        "args" => {
            let content = parenthesized(input, &key, "args(user_id, ?request, %path)")?;
            let captures = parse_list(&content, parse_capture)?;
            set_once(&mut args.args, key, captures.into_iter().collect())
        }
        "attrs" => {
            let content = parenthesized(
                input,
                &key,
                "attrs(user.id = user.id, \"http.route\" = %route)",
            )?;
            let extras = parse_list(&content, parse_extra_attr)?;
            set_once(&mut args.attrs, key, extras.into_iter().collect())
        }
        other => {
            let hint = match closest(other, OPTIONS.iter().copied()) {
                Some(close) => format!(" (did you mean `{close}`?)"),
                None => String::new(),
            };
            Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown option `{other}`{hint}; the options are {}",
                    list(OPTIONS)
                ),
            ))
        }
    }
}

/// An option that takes no value: `root`, `future`, `init`, `skip`.
fn flag(input: ParseStream, key: Ident, slot: &mut Option<Ident>) -> syn::Result<()> {
    if input.peek(Token![=]) || input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` takes no value: write `{key}` on its own"),
        ));
    }
    if slot.is_some() {
        return Err(given_twice(&key));
    }
    *slot = Some(key);
    Ok(())
}

fn set_once<T>(slot: &mut Option<(Ident, T)>, key: Ident, value: T) -> syn::Result<()> {
    if slot.is_some() {
        return Err(given_twice(&key));
    }
    *slot = Some((key, value));
    Ok(())
}

fn given_twice(key: &Ident) -> syn::Error {
    syn::Error::new(
        key.span(),
        format!("option `{key}` is given twice; keep one"),
    )
}

/// The error for `key` or `key =` with nothing after (a `,` or the end
/// follows), if that is what `input` holds. Nothing is consumed, so the `,`
/// is left to end the option and the next one is still parsed.
fn missing_value(input: ParseStream, key: &Ident, wanted: &str) -> Option<syn::Error> {
    let ahead = input.fork();
    let eq = ahead.parse::<Option<Token![=]>>().ok()?;
    if !(ahead.is_empty() || ahead.peek(Token![,])) {
        return None;
    }
    Some(match eq {
        Some(eq) => syn::Error::new_spanned(
            quote::quote!(#key #eq),
            format!("`{key} =` is missing its value: {wanted}"),
        ),
        None => syn::Error::new(
            key.span(),
            format!("`{key}` is missing its value: {wanted}"),
        ),
    })
}

fn string_value(input: ParseStream, key: &Ident, example: &str) -> syn::Result<LitStr> {
    if let Some(error) = missing_value(
        input,
        key,
        &format!("expected a string literal, e.g. `{example}`"),
    ) {
        return Err(error);
    }
    let wrong =
        |span: Span| syn::Error::new(span, format!("`{key}` takes a string literal: `{example}`"));
    input.parse::<Token![=]>().map_err(|_| wrong(key.span()))?;
    if input.peek(LitStr) {
        input.parse()
    } else {
        let found: TokenTree = input.parse().map_err(|_| wrong(key.span()))?;
        Err(wrong(found.span()))
    }
}

fn word_value(input: ParseStream, key: &Ident, allowed: &[&str]) -> syn::Result<String> {
    let wrong = |span: Span, found: Option<&str>| {
        let found = found.map_or(String::new(), |found| format!(" `{found}`"));
        syn::Error::new(
            span,
            format!(
                "invalid `{key}` value{found}: expected one of {}, e.g. `{key} = {}`",
                list(allowed),
                allowed[0]
            ),
        )
    };
    if let Some(error) = missing_value(
        input,
        key,
        &format!(
            "expected one of {}, e.g. `{key} = {}`",
            list(allowed),
            allowed[0]
        ),
    ) {
        return Err(error);
    }
    input
        .parse::<Token![=]>()
        .map_err(|_| wrong(key.span(), None))?;
    let found: TokenTree = input.parse().map_err(|_| wrong(key.span(), None))?;
    let text = found.to_string();
    let unquoted = text.trim_matches('"');
    if allowed.contains(&text.as_str()) {
        Ok(text)
    } else if text.starts_with('"') && allowed.contains(&unquoted) {
        Err(syn::Error::new(
            found.span(),
            format!("`{key}` takes a word, not a string: write `{key} = {unquoted}`"),
        ))
    } else {
        Err(wrong(found.span(), Some(&text)))
    }
}

fn parenthesized<'a>(
    input: ParseStream<'a>,
    key: &Ident,
    example: &str,
) -> syn::Result<syn::parse::ParseBuffer<'a>> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` takes a parenthesized list: `{example}`"),
        ));
    }
    let content;
    syn::parenthesized!(content in input);
    Ok(content)
}

/// A comma-separated list inside parentheses. On an error the rest of the
/// list is consumed, so the error is reported once.
pub fn parse_list<T>(
    content: ParseStream,
    item: fn(ParseStream) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    match content.parse_terminated(item, Token![,]) {
        Ok(items) => Ok(items.into_iter().collect()),
        Err(error) => {
            while !content.is_empty() {
                content.parse::<TokenTree>()?;
            }
            Err(error)
        }
    }
}

fn parse_format(input: ParseStream) -> syn::Result<Format> {
    Ok(if input.peek(Token![?]) {
        input.parse::<Token![?]>()?;
        Format::Debug
    } else if input.peek(Token![%]) {
        input.parse::<Token![%]>()?;
        Format::Display
    } else {
        Format::Attribute
    })
}

fn parse_capture(input: ParseStream) -> syn::Result<Capture> {
    let format = parse_format(input)?;
    let ident = if input.peek(Token![self]) {
        input.call(Ident::parse_any)?
    } else {
        input.parse::<Ident>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "`args` lists parameter names, each optionally preceded by `?` (Debug) or `%` (Display): `args(id, ?request)`",
            )
        })?
    };
    if input.peek(Token![=]) {
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "`args` takes parameter names only; to record an expression under a key of your choosing, use `attrs({ident} = ...)`"
            ),
        ));
    }
    if input.peek(Token![.]) {
        return Err(field_access(input, &ident));
    }
    Ok(Capture { format, ident })
}

/// `args(a.b.c)`: reads the fields, and says how to record them.
fn field_access(input: ParseStream, ident: &Ident) -> syn::Error {
    let start = input.fork();
    // As written, and as a key (raw idents unraw'd); a tuple index makes the
    // key a string, since an `attrs` key has names only.
    let mut written = ident.to_string();
    let mut key = ident.unraw().to_string();
    let mut key_needs_quotes = false;
    while input.peek(Token![.]) {
        let Ok(dot) = input.parse::<Token![.]>() else {
            break;
        };
        let how = format!(
            "`args` lists parameter names only; to record a field, write `attrs(key = {written}.field)`"
        );
        if input.is_empty() || input.peek(Token![,]) {
            return syn::Error::new(
                dot.span,
                format!("a field name is missing after `{written}.`: {how}"),
            );
        }
        if let Ok(field) = input.call(Ident::parse_any) {
            written.push_str(&format!(".{field}"));
            key.push_str(&format!(".{}", field.unraw()));
        } else {
            let found = input.parse::<TokenTree>().ok();
            let index = found.as_ref().and_then(|found| match found {
                TokenTree::Literal(literal) => {
                    let text = literal.to_string();
                    let is_index = !text.is_empty()
                        && !text.ends_with('.')
                        && text.chars().all(|c| c.is_ascii_digit() || c == '.');
                    is_index.then_some(text)
                }
                _ => None,
            });
            match (index, found) {
                (Some(index), _) => {
                    written.push_str(&format!(".{index}"));
                    key.push_str(&format!(".{index}"));
                    key_needs_quotes = true;
                }
                (None, found) => {
                    let span = found.as_ref().map_or(dot.span, TokenTree::span);
                    let found =
                        found.map_or_else(String::new, |found| format!(", found `{found}`"));
                    return syn::Error::new(
                        span,
                        format!("expected a field name after `{written}.`{found}: {how}"),
                    );
                }
            }
        }
    }
    let path = tokens_between(&start, input);
    let key = if key_needs_quotes {
        format!("{key:?}")
    } else {
        written.clone()
    };
    syn::Error::new_spanned(
        quote::quote!(#ident #path),
        format!(
            "`args` lists parameter names only; to record `{written}`, write `attrs({key} = {written})`"
        ),
    )
}

pub fn parse_extra_attr(input: ParseStream) -> syn::Result<ExtraAttr> {
    let start = input.fork();
    let key = if input.peek(LitStr) {
        let literal: LitStr = input.parse()?;
        if literal.value().is_empty() {
            return Err(syn::Error::new(
                literal.span(),
                "an attribute key cannot be empty",
            ));
        }
        literal.value()
    } else {
        let mut key = input
            .call(Ident::parse_any)
            .map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "`attrs` entries are `key = value`, where the key is an identifier, a dotted path or a string: `attrs(user.id = id, \"db.system\" = \"postgresql\")`",
                )
            })?
            .unraw()
            .to_string();
        while input.peek(Token![.]) {
            let dot = input.parse::<Token![.]>()?;
            match input.call(Ident::parse_any) {
                Ok(name) => {
                    key.push('.');
                    key.push_str(&name.unraw().to_string());
                }
                Err(_) => return Err(key_name_wanted(input, &key, dot)),
            }
        }
        key
    };
    let key_tokens = tokens_between(&start, input);
    if !input.peek(Token![=]) {
        return Err(syn::Error::new_spanned(
            &key_tokens,
            format!(
                "`attrs` entries are `key = value`: write `{key} = <expression>` (to record a parameter as it is, list it in `args({key})`)"
            ),
        ));
    }
    input.parse::<Token![=]>()?;
    let format = parse_format(input)?;
    if input.is_empty() || input.peek(Token![,]) {
        return Err(syn::Error::new_spanned(
            &key_tokens,
            format!("expected a value after `{key} =`: `{key} = <expression>`"),
        ));
    }
    let value: Expr = input.parse()?;
    Ok(ExtraAttr {
        key,
        key_tokens,
        format,
        value,
    })
}

/// `attrs(a. = 1)`, `attrs(a.0 = 1)`: no name after a `.` of a key.
fn key_name_wanted(input: ParseStream, key: &str, dot: Token![.]) -> syn::Error {
    if input.is_empty() || input.peek(Token![=]) || input.peek(Token![,]) {
        return syn::Error::new(
            dot.span,
            format!(
                "a name is missing after `{key}.` in the attribute key: write `{key}.name = <expression>`"
            ),
        );
    }
    let Ok(found) = input.parse::<TokenTree>() else {
        return syn::Error::new(dot.span, format!("expected a name after `{key}.`"));
    };
    let quoted = match &found {
        TokenTree::Literal(literal) if literal.to_string().chars().all(|c| c.is_ascii_digit()) => {
            format!("; quote a key that is not all names: `\"{key}.{literal}\" = <expression>`")
        }
        _ => "; a key is names joined by `.` (`user.id`) or a string (`\"user.id\"`)".to_owned(),
    };
    syn::Error::new(
        found.span(),
        format!("expected a name after `{key}.` in the attribute key, found `{found}`{quoted}"),
    )
}

/// The tokens `start` saw that `end` has moved past.
fn tokens_between(start: &syn::parse::ParseBuffer, end: ParseStream) -> proc_macro2::TokenStream {
    let mut tokens = proc_macro2::TokenStream::new();
    let _ = start.step(|cursor| {
        let mut rest = *cursor;
        while rest != end.cursor() {
            match rest.token_tree() {
                Some((tree, next)) => {
                    tokens.extend([tree]);
                    rest = next;
                }
                None => break,
            }
        }
        Ok(((), rest))
    });
    tokens
}

/// `a, b or c`, each in backticks: a choice.
pub fn list(words: &[&str]) -> String {
    join(words, "or")
}

/// `a, b and c`, each in backticks: an enumeration.
pub fn list_all(words: &[&str]) -> String {
    join(words, "and")
}

fn join(words: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = words.iter().map(|word| format!("`{word}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{} {conjunction} {last}", rest.join(", "))
        }
        _ => quoted.concat(),
    }
}

/// `error`'s messages with `from` said as `to`: the entries of `attrs`,
/// `metric_attrs` and `record!` share one grammar and its messages.
pub fn retitled(error: syn::Error, from: &str, to: &str) -> syn::Error {
    let mut errors = error
        .into_iter()
        .map(|error| syn::Error::new(error.span(), error.to_string().replace(from, to)));
    let mut first = errors
        .next()
        .unwrap_or_else(|| syn::Error::new(Span::call_site(), to));
    errors.for_each(|error| first.combine(error));
    first
}
