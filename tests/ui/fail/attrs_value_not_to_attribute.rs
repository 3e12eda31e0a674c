use traced::traced;

struct Request {
    path: String,
}

#[traced(attrs(http.request = request, http.route = ?request))]
fn handle(request: Request) -> String {
    request.path
}

fn main() {
    handle(Request {
        path: "/".to_owned(),
    });
}
