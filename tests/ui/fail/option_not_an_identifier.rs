use traced::traced;

#[traced("checkout")]
fn checkout() {}

fn main() {
    checkout();
}
