use traced::traced;

struct User {
    id: u64,
}

#[traced(args(user.id))]
fn load(user: User) -> u64 {
    user.id
}

#[traced(args("user"))]
fn store(user: User) -> u64 {
    user.id
}

fn main() {
    load(User { id: 1 });
    store(User { id: 1 });
}
