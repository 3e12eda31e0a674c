use traced::traced;

#[traced(tracer = 1)]
fn checkout() {}

fn main() {
    checkout();
}
