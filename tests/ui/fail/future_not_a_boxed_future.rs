use traced::traced;

type Ready = std::future::Ready<u64>;

#[traced(future)]
fn load() -> Ready {
    std::future::ready(1)
}

fn main() {
    let _ = load();
}
