//! What a reviewer reads first: one typical expansion of each shape, as
//! the compiler gets it (one statement per line). A change to what every
//! traced fn expands to shows up here as a snapshot diff.

use crate::traced_tokens;

/// The expansion of `#[traced(args)] item`, a statement per line.
fn expansion(args: &str, item: &str) -> String {
    let tokens = traced_tokens(args.parse().unwrap(), item.parse().unwrap(), |_| 7);
    // A line ends after `{` or `;` and before `}`.
    let mut lines = vec![String::new()];
    for c in tokens.to_string().chars() {
        if c == '}' {
            lines.push(String::new());
        }
        lines.last_mut().unwrap().push(c);
        if matches!(c, '{' | ';' | '}') {
            lines.push(String::new());
        }
    }
    let mut text = Vec::new();
    let mut depth = 0usize;
    for line in lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
    {
        if line.starts_with('}') {
            depth = depth.saturating_sub(1);
        }
        // The manifest path differs between machines.
        if !line.contains("include_bytes") {
            text.push(format!("{}{line}", "    ".repeat(depth)));
        }
        if line.ends_with('{') {
            depth += 1;
        }
    }
    text.join("\n")
}

#[test]
fn a_sync_fn() {
    insta::assert_snapshot!(expansion(
        "args(id)",
        "fn load(id: u64) -> Result<User, DbError> { db::load(id) }"
    ));
}

#[test]
fn an_async_fn() {
    insta::assert_snapshot!(expansion(
        "",
        "async fn fetch(url: &str) -> Result<String, Error> { get(url).await }"
    ));
}
