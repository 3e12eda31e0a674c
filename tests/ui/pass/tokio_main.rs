#![deny(warnings)]

use traced::traced;

#[traced(args(x))]
async fn double(x: u32) -> u32 {
    x * 2
}

// A traced fn inside a `#[tokio::main]` program; `main` itself takes
// `#[traced(init)]` (see tests/main_init.rs).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(double(2).await, 4);
}
