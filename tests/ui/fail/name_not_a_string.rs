use traced::traced;

#[traced(name = 5)]
fn checkout() {}

fn main() {
    checkout();
}
