use traced::traced;

#[traced]
trait Store {
    fn load(&self) -> u64 {
        1
    }
}

struct Memory;

impl Store for Memory {}

fn main() {
    let _ = Memory.load();
}
