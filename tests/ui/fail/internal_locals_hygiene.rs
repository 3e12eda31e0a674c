use traced::traced;

#[traced]
fn peek_span() {
    let _ = __traced_span.is_recording();
}

#[traced]
fn peek_out() -> u32 {
    let _ = __traced_out;
    1
}

#[traced]
async fn peek_span_async() {
    let _ = __traced_span.is_recording();
}

fn main() {
    peek_span();
    peek_out();
    let _ = peek_span_async();
}
