use traced::traced;

#[traced(ret = json)]
fn checkout() -> u32 {
    1
}

fn main() {
    checkout();
}
