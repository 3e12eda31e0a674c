#![deny(warnings)]
#![forbid(unsafe_code)]
#![deny(
    rust_2018_idioms,
    unused_qualifications,
    unused_results,
    unused_lifetimes,
    unused_import_braces,
    unused_macro_rules,
    single_use_lifetimes,
    trivial_casts,
    trivial_numeric_casts,
    unreachable_pub,
    missing_debug_implementations,
    let_underscore_drop,
    unit_bindings,
    redundant_lifetimes,
    meta_variable_misuse,
    non_ascii_idents
)]

// Allow-by-default lints that crates often deny: the expansion must not
// trip them (and it must contain no `unsafe`).

use std::error::Error;

use opentelemetry::Context;
use traced::traced;

#[derive(Debug)]
struct Store {
    items: Vec<String>,
}

impl Store {
    #[traced(args(index), ret, err = debug)]
    fn get(&self, index: usize) -> Result<&str, String> {
        self.items
            .get(index)
            .map(String::as_str)
            .ok_or_else(|| format!("no item {index}"))
    }

    #[traced(attrs(count = self.items.len()))]
    fn push(&mut self, item: String) {
        self.items.push(item);
    }

    #[traced(root, args(?self))]
    async fn first(&self) -> Option<&String> {
        self.items.first()
    }
}

#[traced(parent = cx, kind = client, name = "boxed", tracer = "strict")]
fn boxed_error(cx: &Context, text: &str) -> Result<u8, Box<dyn Error + Send + Sync>> {
    let _ = cx;
    Ok(text.parse::<u8>()?)
}

#[traced(args(%text))]
fn dyn_error(text: &str) -> Result<u8, Box<dyn Error>> {
    if text.is_empty() {
        return Err("empty".into());
    }
    Ok(text.parse::<u8>()?)
}

#[traced]
async fn inner_attributes_async(x: u8) -> u8 {
    #![allow(clippy::let_and_return)]
    let y = x;
    y
}

fn main() {
    let mut store = Store { items: Vec::new() };
    store.push("a".to_owned());
    assert_eq!(store.get(0), Ok("a"));
    assert!(store.get(1).is_err());
    assert_eq!(boxed_error(&Context::new(), "5").unwrap(), 5);
    assert!(boxed_error(&Context::new(), "x").is_err());
    assert!(dyn_error("").is_err());
    assert_eq!(dyn_error("6").unwrap(), 6);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(
        runtime.block_on(store.first()).map(String::as_str),
        Some("a")
    );
    assert_eq!(runtime.block_on(inner_attributes_async(2)), 2);
}
