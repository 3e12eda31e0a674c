use traced::traced;

#[traced(args(id, id))]
fn listed_twice(id: u64) -> u64 {
    id
}

#[traced(args(id), attrs(id = id + 1))]
fn arg_and_attr(id: u64) -> u64 {
    id
}

#[traced(attrs(user.id = id, "user.id" = id))]
fn dotted_and_string(id: u64) -> u64 {
    id
}

fn main() {
    listed_twice(1);
    arg_and_attr(1);
    dotted_and_string(1);
}
