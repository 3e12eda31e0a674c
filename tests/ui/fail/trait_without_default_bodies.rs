use traced::traced;

#[traced]
trait Store {
    fn load(&self) -> u64;
}

fn main() {}
