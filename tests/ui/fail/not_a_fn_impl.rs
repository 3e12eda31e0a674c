use traced::traced;

struct Store;

#[traced]
impl Store {
    fn load(&self) -> u64 {
        1
    }
}

fn main() {
    let _ = Store.load();
}
