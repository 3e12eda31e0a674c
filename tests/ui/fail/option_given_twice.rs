use traced::traced;

#[traced(name = "first", kind = server, name = "second")]
fn checkout() {}

#[traced(root, root)]
fn fresh() {}

fn main() {
    checkout();
    fresh();
}
