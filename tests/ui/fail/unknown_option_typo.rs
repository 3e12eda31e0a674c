use traced::traced;

#[traced(nmae = "checkout")]
fn checkout() {}

fn main() {
    checkout();
}
