//! `#[traced(init)]` below `#[tokio::main]`: it sees the plain `fn main`
//! that blocks on the runtime. Run by `tests/main_init.rs`.

use traced::traced;

#[traced(args(step))]
async fn work(step: i64) -> i64 {
    tokio::task::yield_now().await;
    step
}

#[tokio::main]
#[traced(init)]
async fn main() {
    for step in 1..=3 {
        work(step).await;
    }
}
