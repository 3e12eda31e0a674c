use opentelemetry::Context;
use traced::traced;

#[traced(nmae = "x", kind = sideways, args(usr), root, parent = cx, err = loud, ret = json)]
const fn handle(user: u64, cx: &Context) -> u64 {
    let _ = cx;
    user
}

fn main() {
    handle(1, &Context::new());
}
