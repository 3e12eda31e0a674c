use traced::traced;

#[traced(attrs("" = id))]
fn load(id: u64) -> u64 {
    id
}

fn main() {
    load(1);
}
