//! `#[traced(init)]` above `#[tokio::main]`: it sees the `async fn main`.
//! Run by `tests/main_init.rs`.

use traced::traced;

#[traced(args(step))]
async fn work(step: i64) -> i64 {
    tokio::task::yield_now().await;
    step
}

#[traced(init)]
#[tokio::main]
async fn main() {
    for step in 1..=3 {
        work(step).await;
    }
}
