use traced::traced;

#[traced(name = "checkout" kind = server)]
fn checkout() {}

fn main() {
    checkout();
}
