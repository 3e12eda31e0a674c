use traced::traced;

#[traced(future)]
async fn load() -> u64 {
    1
}

fn main() {
    let _ = load();
}
