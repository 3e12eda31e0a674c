use traced::traced;

#[traced(skip)]
fn load() {}

fn main() {
    load();
}
