#![deny(warnings)]

use traced::traced;

#[traced(args(x))]
async fn double(x: u32) -> u32 {
    x * 2
}

// `#[traced]` below `#[tokio::main]`: it sees the `async fn main` first.
#[tokio::main(flavor = "current_thread")]
#[traced]
async fn main() {
    assert_eq!(double(2).await, 4);
}
