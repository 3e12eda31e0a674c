use traced::traced;

#[traced]
trait Store {
    #[traced(args(id))]
    fn load(&self, id: u64) -> u64;

    fn cached(&self) -> u64 {
        self.load(1)
    }
}

fn main() {}
