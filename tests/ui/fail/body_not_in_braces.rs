use traced::traced;

// rustc reports a body written as `= expression;` itself and recovers;
// #[traced] then finds the `=` where the body should be and names it too.
#[traced]
fn answer() -> u8 = 42;

fn main() {
    let _ = answer();
}
