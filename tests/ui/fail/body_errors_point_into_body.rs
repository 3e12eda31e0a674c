use traced::traced;

#[derive(Debug)]
struct NotAnIoError;

#[traced]
fn wrong_type() -> u32 {
    "forty-two"
}

#[traced]
fn no_from() -> Result<u32, std::io::Error> {
    let value: u32 = Err(NotAnIoError)?;
    Ok(value)
}

fn main() {
    wrong_type();
    let _ = no_from();
}
