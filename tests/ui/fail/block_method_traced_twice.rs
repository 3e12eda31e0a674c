use traced::traced;

struct Store;

#[traced]
impl Store {
    #[traced(args(id))]
    #[traced::traced(err = type)]
    fn load(&self, id: u64) -> u64 {
        id
    }

    #[traced(arg(id))]
    fn save(&self, id: u64) -> u64 {
        id
    }
}

fn main() {
    let _ = Store.load(1) + Store.save(1);
}
