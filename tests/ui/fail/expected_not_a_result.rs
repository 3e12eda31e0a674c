use traced::traced;

fn is_small(_: &u8) -> bool {
    true
}

#[traced(expected = is_small)]
fn count() -> u8 {
    1
}

fn main() {
    let _ = count();
}
