//! Token soup: random tokens as arguments, or in a grammar-built item.

use std::fmt;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::args_grammar::{ArgsSpec, Effect::Fail, Opt, args_spec};
use super::fn_grammar::{FnSpec, Hole, fn_spec};
use super::pipeline::lex;

/// Tokens, shown compactly and faithfully: a joint punct touches the next
/// token (`::`, `'a`), an alone one does not (`: :`, `' a`); `⟦ ⟧` is an
/// invisible group.
#[derive(Clone)]
pub(super) struct Soup(pub(super) Vec<TokenTree>);

impl fmt::Debug for Soup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Soup[{}]", self.text())
    }
}

impl Soup {
    fn stream(&self) -> TokenStream {
        self.0.iter().cloned().collect()
    }

    pub(super) fn text(&self) -> String {
        fn write(trees: &[TokenTree], out: &mut String) {
            for tree in trees {
                match tree {
                    TokenTree::Ident(ident) => out.push_str(&ident.to_string()),
                    TokenTree::Literal(literal) => out.push_str(&literal.to_string()),
                    TokenTree::Punct(punct) => {
                        out.push(punct.as_char());
                        if punct.spacing() == Spacing::Joint {
                            continue;
                        }
                    }
                    TokenTree::Group(group) => {
                        let (open, close) = match group.delimiter() {
                            Delimiter::Parenthesis => ("(", ")"),
                            Delimiter::Bracket => ("[", "]"),
                            Delimiter::Brace => ("{", "}"),
                            Delimiter::None => ("⟦", "⟧"),
                        };
                        out.push_str(open);
                        let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                        write(&inner, out);
                        out.push_str(close);
                    }
                }
                out.push(' ');
            }
        }
        let mut out = String::new();
        write(&self.0, &mut out);
        out.trim_end().to_owned()
    }
}

/// Words the macro or a fn signature give meaning to, and some they do not.
/// (`core` and `compile_error` are left out: output is split at them.)
const SOUP_WORDS: &[&str] = &[
    "fn",
    "async",
    "const",
    "unsafe",
    "extern",
    "safe",
    "default",
    "pub",
    "crate",
    "self",
    "Self",
    "super",
    "impl",
    "trait",
    "struct",
    "enum",
    "where",
    "for",
    "dyn",
    "mut",
    "ref",
    "move",
    "return",
    "let",
    "if",
    "match",
    "loop",
    "as",
    "in",
    "static",
    "type",
    "union",
    "macro_rules",
    "_",
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
    "traced",
    "main",
    "server",
    "client",
    "debug",
    "display",
    "off",
    "internal",
    "a",
    "b",
    "x",
    "T",
    "u8",
    "Result",
    "Box",
    "Pin",
    "async_trait",
    "track_caller",
    "doc",
    "cfg",
    "inline",
    "code",
    "line",
    "number",
    "error",
    "ünï",
];
const SOUP_RAW_WORDS: &[&str] = &["type", "fn", "name", "match", "async", "a"];
const SOUP_PUNCTS: &[char] = &[
    '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '^', '&', '|', '@', '.', ',', ';', ':', '#',
    '$', '?', '\'',
];
const SOUP_LITERALS: &[&str] = &[
    "\"x\"",
    "\"\"",
    "\"a.b\"",
    "\"code.line.number\"",
    "\"return\"",
    "r#\"raw\"#",
    "b\"x\"",
    "c\"x\"",
    "'c'",
    "b'c'",
    "0",
    "1u8",
    "-1",
    "1.5",
    "1e9",
    "0xFF",
    "340282366920938463463374607431768211456",
    "\"\\u{0}\"",
    "\"{a}\"",
];

fn soup_leaf() -> impl Strategy<Value = TokenTree> {
    prop_oneof![
        6 => select(SOUP_WORDS)
            .prop_map(|word| TokenTree::Ident(Ident::new(word, Span::call_site()))),
        1 => select(SOUP_RAW_WORDS)
            .prop_map(|word| TokenTree::Ident(Ident::new_raw(word, Span::call_site()))),
        6 => (select(SOUP_PUNCTS), any::<bool>()).prop_map(|(c, joint)| {
            TokenTree::Punct(Punct::new(c, if joint { Spacing::Joint } else { Spacing::Alone }))
        }),
        2 => select(SOUP_LITERALS)
            .prop_map(|text| TokenTree::Literal(text.parse::<Literal>().expect("literal lexes"))),
    ]
}

fn soup_tree() -> impl Strategy<Value = TokenTree> {
    soup_leaf().prop_recursive(3, 40, 6, |inner| {
        (
            select(
                &[
                    Delimiter::Parenthesis,
                    Delimiter::Bracket,
                    Delimiter::Brace,
                    Delimiter::None,
                ][..],
            ),
            vec(inner, 0..6),
        )
            .prop_map(|(delimiter, trees)| {
                TokenTree::Group(Group::new(delimiter, trees.into_iter().collect()))
            })
    })
}

fn soup(max: usize) -> impl Strategy<Value = Soup> {
    vec(soup_tree(), 0..max).prop_map(Soup)
}

/// Replaces each `HOLE` ident in `tokens`, at any depth, with `soup`.
fn fill_hole(tokens: TokenStream, soup: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) if ident == "HOLE" => out.extend(soup.clone()),
            TokenTree::Group(group) => {
                let mut filled = Group::new(group.delimiter(), fill_hole(group.stream(), soup));
                filled.set_span(group.span());
                out.extend([TokenTree::Group(filled)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// Arguments with random tokens in them.
#[derive(Clone, Debug)]
pub(super) enum SoupArgs {
    /// Nothing but random tokens.
    Pure(Soup),
    /// A valid-looking list with random tokens spliced in at one option.
    Spliced(ArgsSpec, usize, Soup),
    /// An option whose value is random tokens: `{key}HOLE`.
    Value(&'static str, Soup),
}

const VALUE_HOLES: &[&str] = &[
    "name = HOLE",
    "kind = HOLE",
    "err = HOLE",
    "ret = HOLE",
    "ret HOLE",
    "root HOLE",
    "parent = HOLE",
    "args(HOLE)",
    "args(a, HOLE)",
    "args(a.HOLE)",
    "attrs(HOLE)",
    "attrs(k = HOLE)",
    "attrs(k.HOLE = 1)",
    "attrs(HOLE = 1)",
    "HOLE = 1",
    "name = \"x\", HOLE, root",
    "future HOLE",
    "init HOLE",
    "skip HOLE",
    "skip, HOLE",
];

impl SoupArgs {
    pub(super) fn tokens(&self) -> TokenStream {
        match self {
            SoupArgs::Pure(soup) => soup.stream(),
            SoupArgs::Spliced(spec, at, soup) => {
                let mut spec = spec.clone();
                if !spec.opts.is_empty() {
                    let at = at % spec.opts.len();
                    spec.opts[at].0 = Opt::Fixed("HOLE", Fail(""));
                }
                fill_hole(lex(&spec.render()), &soup.stream())
            }
            SoupArgs::Value(text, soup) => fill_hole(lex(text), &soup.stream()),
        }
    }
}

pub(super) fn soup_args() -> impl Strategy<Value = SoupArgs> {
    prop_oneof![
        soup(10).prop_map(SoupArgs::Pure),
        (args_spec(), any::<usize>(), soup(6))
            .prop_map(|(spec, at, soup)| SoupArgs::Spliced(spec, at, soup)),
        (select(VALUE_HOLES), soup(5)).prop_map(|(text, soup)| SoupArgs::Value(text, soup)),
    ]
}

/// An item with random tokens in it.
#[derive(Clone, Debug)]
pub(super) enum SoupItem {
    Pure(Soup),
    /// A grammar-built fn with random tokens at one place.
    Hole(Box<FnSpec>, Hole, Soup),
}

impl SoupItem {
    pub(super) fn tokens(&self) -> TokenStream {
        match self {
            SoupItem::Pure(soup) => soup.stream(),
            SoupItem::Hole(function, hole, soup) => {
                fill_hole(lex(&function.render_with_hole(Some(*hole))), &soup.stream())
            }
        }
    }
}

fn hole() -> impl Strategy<Value = Hole> {
    select(
        &[
            Hole::Attr,
            Hole::Qualifiers,
            Hole::Generics,
            Hole::Params,
            Hole::Return,
            Hole::Where,
            Hole::Body,
            Hole::Body,
            Hole::After,
        ][..],
    )
}

pub(super) fn soup_item() -> impl Strategy<Value = SoupItem> {
    prop_oneof![
        1 => soup(12).prop_map(SoupItem::Pure),
        4 => (fn_spec(), hole(), soup(6))
            .prop_map(|(function, hole, soup)| SoupItem::Hole(Box::new(function), hole, soup)),
    ]
}
