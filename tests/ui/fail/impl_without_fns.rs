use traced::traced;

struct Store;

#[traced]
impl Store {
    const LIMIT: u64 = 3;
}

fn main() {
    let _ = Store::LIMIT;
}
