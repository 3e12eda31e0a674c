use traced::traced;

struct Request {
    path: String,
}

#[traced(args(?request))]
fn handle(request: Request) -> String {
    request.path
}

fn main() {
    handle(Request {
        path: "/".to_owned(),
    });
}
