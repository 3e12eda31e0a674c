use traced::traced;

#[traced(parent)]
fn handle() {}

#[traced(parent = )]
fn handle_empty() {}

fn main() {
    handle();
    handle_empty();
}
