use traced::traced;

#[traced(err = loud)]
fn checkout() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = checkout();
}
