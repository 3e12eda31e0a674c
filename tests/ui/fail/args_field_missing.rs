use traced::traced;

struct User {
    id: u64,
}

#[traced(args(user., count))]
fn load(user: User, count: u32) -> u64 {
    user.id + u64::from(count)
}

fn main() {
    load(User { id: 1 }, 2);
}
