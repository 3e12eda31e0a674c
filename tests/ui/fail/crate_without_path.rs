use traced::traced;

#[traced(crate = "traced")]
fn get() {}

fn main() {
    get();
}
