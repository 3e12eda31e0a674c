use traced::traced;

#[traced(args = id)]
fn load(id: u64) -> u64 {
    id
}

#[traced(args)]
fn store(id: u64) -> u64 {
    id
}

fn main() {
    load(1);
    store(1);
}
