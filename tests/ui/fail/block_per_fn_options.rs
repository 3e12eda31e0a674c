use traced::traced;

struct Store;

#[traced(name = "store", args(id), attrs(k = 1), parent = cx, init, skip, err = type)]
impl Store {
    fn load(&self, id: u64) -> u64 {
        id
    }
}

fn main() {
    let _ = Store.load(1);
}
