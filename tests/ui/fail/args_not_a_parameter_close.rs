use traced::traced;

#[traced(args(user_di))]
fn load(user_id: u64, order: u32) -> u64 {
    user_id + u64::from(order)
}

fn main() {
    load(1, 2);
}
