#![deny(warnings)]

use traced::traced;

// The expansion must not silence the user's own lints, and they must point
// at the user's tokens.

#[traced]
#[must_use]
fn total(unused: u32) -> u32 {
    1
}

#[traced]
#[deprecated = "use `total`"]
fn old_total() -> u32 {
    2
}

fn main() {
    total(1);
    let _ = old_total();
}
