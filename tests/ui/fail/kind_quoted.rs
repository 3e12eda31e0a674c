use traced::traced;

// Values of `kind`, `err` and `ret` are words, not strings.
#[traced(kind = "server", err = "off")]
fn checkout() {}

fn main() {
    checkout();
}
