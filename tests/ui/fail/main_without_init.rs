use traced::traced;

#[traced]
fn main() {
    let _guard = traced::init();
}
