use traced::traced;

#[traced(parent)]
fn handle() {}

fn main() {
    handle();
}
