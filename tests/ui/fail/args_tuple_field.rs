use traced::traced;

// The key a suggestion gives must be valid: `0` is no name, so it is quoted.
#[traced(args(pair.0))]
fn first(pair: (u64, u64)) -> u64 {
    pair.0
}

fn main() {
    first((1, 2));
}
