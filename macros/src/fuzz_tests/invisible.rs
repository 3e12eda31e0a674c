//! Invisible groups: parts of an item wrapped as `macro_rules!` fragments arrive.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use proptest::prelude::*;

/// Parts of an item to wrap in invisible (`Delimiter::None`) groups, as
/// rustc passes a `macro_rules!` fragment (`$v:vis`, `$p:pat`, `$t:ty`,
/// `$b:block`) on to an attribute macro (rustc 1.95 does so for all five, and
/// for `$e:expr` and `$l:literal` in the arguments; an `$i:item` arrives
/// flattened, so the whole item is never wrapped).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Invisible {
    pub(super) vis: bool,
    pub(super) patterns: bool,
    pub(super) types: bool,
    pub(super) ret: bool,
    pub(super) body: bool,
}

const OPEN: &str = "INVISIBLE_OPEN";
const CLOSE: &str = "INVISIBLE_CLOSE";

pub(super) fn wrap_invisible(on: bool, text: &str) -> String {
    if on {
        format!(" {OPEN} {text} {CLOSE} ")
    } else {
        text.to_owned()
    }
}

/// Turns the tokens between the marker idents [`OPEN`] and [`CLOSE`] into
/// an invisible group.
pub(super) fn invisible_groups(tokens: TokenStream) -> TokenStream {
    let mut levels: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tree in tokens {
        let tree = match tree {
            TokenTree::Ident(ident) if ident == OPEN => {
                levels.push(Vec::new());
                continue;
            }
            TokenTree::Ident(ident) if ident == CLOSE => {
                let inner = levels.pop().expect("balanced markers");
                TokenTree::Group(Group::new(Delimiter::None, inner.into_iter().collect()))
            }
            TokenTree::Group(group) => TokenTree::Group(Group::new(
                group.delimiter(),
                invisible_groups(group.stream()),
            )),
            other => other,
        };
        levels.last_mut().expect("balanced markers").push(tree);
    }
    assert_eq!(levels.len(), 1, "balanced markers");
    levels.pop().unwrap_or_default().into_iter().collect()
}

pub(super) fn invisible() -> impl Strategy<Value = Invisible> {
    let flag = || prop::bool::weighted(0.3);
    (flag(), flag(), flag(), flag(), flag()).prop_map(|(vis, patterns, types, ret, body)| {
        Invisible {
            vis,
            patterns,
            types,
            ret,
            body,
        }
    })
}
