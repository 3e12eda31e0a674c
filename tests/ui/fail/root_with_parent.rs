use opentelemetry::Context;
use traced::traced;

#[traced(root, parent = cx)]
fn handle(cx: &Context) {
    let _ = cx;
}

fn main() {
    handle(&Context::new());
}
