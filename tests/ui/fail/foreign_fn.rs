use traced::traced;

unsafe extern "C" {
    #[traced]
    fn abs(input: i32) -> i32;

    #[traced]
    safe fn labs(input: i64) -> i64;
}

fn main() {
    // SAFETY: `abs` is defined for every input but `i32::MIN`.
    let _ = unsafe { abs(-1) };
    let _ = labs(-1);
}
