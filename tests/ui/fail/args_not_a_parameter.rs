use traced::traced;

#[traced(args(password))]
fn load(user_id: u64, order: u32) -> u64 {
    user_id + u64::from(order)
}

#[traced(args(id))]
fn ping() {}

fn main() {
    load(1, 2);
    ping();
}
