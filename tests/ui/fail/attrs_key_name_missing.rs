use traced::traced;

#[traced(attrs(user. = id))]
fn load(id: u64) -> u64 {
    id
}

fn main() {
    load(1);
}
