//! `#[traced(init)]` on a plain `main`: the pipeline is installed before the
//! main span starts and flushed after it ends. Run by `tests/main_init.rs`.

use traced::traced;

#[traced(args(step))]
fn work(step: i64) -> Result<i64, String> {
    if step == 2 {
        Err("step two failed".to_owned())
    } else {
        Ok(step)
    }
}

#[traced(init)]
fn main() {
    for step in 1..=3 {
        let _ = work(step);
    }
}
