use traced::traced;

#[derive(Debug)]
struct NotAnAppError;

/// A local error type, so the compiler's list of its `From` impls does not
/// depend on which crates the test build pulls in.
#[derive(Debug)]
struct AppError;

impl From<std::fmt::Error> for AppError {
    fn from(_: std::fmt::Error) -> Self {
        AppError
    }
}

#[traced]
fn wrong_type() -> u32 {
    "forty-two"
}

#[traced]
fn no_from() -> Result<u32, AppError> {
    let value: u32 = Err(NotAnAppError)?;
    Ok(value)
}

fn main() {
    wrong_type();
    let _ = no_from();
}
