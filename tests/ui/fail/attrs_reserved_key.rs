use traced::traced;

// Keys traced records itself cannot be given again.
#[traced(attrs(code.function.name = "mine", "error.type" = "mine", r#return = 1), ret)]
fn checkout() -> Result<u32, String> {
    Ok(1)
}

fn main() {
    let _ = checkout();
}
