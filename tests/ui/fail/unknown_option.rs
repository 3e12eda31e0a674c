use traced::traced;

#[traced(level = "info")]
fn checkout() {}

fn main() {
    checkout();
}
