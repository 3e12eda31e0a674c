use traced::traced;

#[traced(root = true)]
fn handle() {}

fn main() {
    handle();
}
