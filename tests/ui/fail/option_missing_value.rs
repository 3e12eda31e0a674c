use traced::traced;

// The `,` after `kind =` is not taken as its value: `root` is still read.
#[traced(kind =, root)]
fn checkout() {}

fn main() {
    checkout();
}
