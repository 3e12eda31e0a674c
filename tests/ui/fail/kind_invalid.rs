use traced::traced;

#[traced(kind = sideways)]
fn checkout() {}

fn main() {
    checkout();
}
