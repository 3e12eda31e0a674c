use traced::traced;

struct Receipt {
    total: u64,
}

#[traced(ret)]
fn checkout() -> Receipt {
    Receipt { total: 1 }
}

fn main() {
    let _ = checkout().total;
}
