use traced::traced;

fn is_miss(error: &String) -> bool {
    error == "miss"
}

#[traced(expected = is_miss)]
fn get() -> Result<u8, std::io::Error> {
    Ok(1)
}

fn main() {
    let _ = get();
}
