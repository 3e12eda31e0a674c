use traced::traced;

#[traced(init)]
fn serve() {}

fn main() {
    serve();
}
