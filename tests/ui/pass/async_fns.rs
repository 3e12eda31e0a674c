#![deny(warnings)]

use std::future::Future;
use std::sync::Arc;

use traced::traced;

#[derive(Debug)]
struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::num::ParseIntError> for Failed {
    fn from(error: std::num::ParseIntError) -> Self {
        Failed(error.to_string())
    }
}

#[traced(args(x))]
async fn double(x: u32) -> u32 {
    tokio::task::yield_now().await;
    x * 2
}

#[traced(args(text))]
async fn parse(text: &str) -> Result<u32, Failed> {
    let value: u32 = text.parse()?;
    if value == 0 {
        return Err(Failed("zero".to_owned()));
    }
    Ok(double(value).await)
}

#[traced]
async fn borrowing<'a>(items: &'a [u32], extra: &str) -> &'a u32 {
    tokio::task::yield_now().await;
    items.iter().max().unwrap_or(&items[extra.len()])
}

#[traced]
async fn generic<T, F>(value: T, make: F) -> String
where
    T: std::fmt::Display + Send,
    F: FnOnce(T) -> String,
{
    make(value)
}

#[traced]
async fn impl_argument(value: impl std::fmt::Display) -> impl std::fmt::Display {
    format!("[{value}]")
}

#[traced(args(n))]
fn recursive_async(n: u32) -> std::pin::Pin<Box<dyn Future<Output = u32> + Send>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            1 + recursive_async(n - 1).await
        }
    })
}

#[traced]
async fn spawned(shared: Arc<String>) -> usize {
    let task = tokio::spawn(async move { shared.len() });
    task.await.unwrap()
}

#[traced]
async fn mut_parameter(mut total: u32, (a, b): (u32, u32)) -> u32 {
    total += a + b;
    total
}

#[traced]
async fn unit() {}

#[traced]
async unsafe fn read(pointer: *const u8) -> u8 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *pointer }
}

#[traced]
async fn const_generic<const N: usize>(items: [u8; N]) -> usize {
    items.len() + N
}

#[traced]
async fn early(flag: bool) -> &'static str {
    if flag {
        return "early";
    }
    tokio::task::yield_now().await;
    "late"
}

struct Service {
    hits: u32,
}

impl Service {
    #[traced]
    async fn by_ref(&self) -> u32 {
        self.hits
    }

    #[traced]
    async fn by_mut_ref(&mut self) -> &mut u32 {
        self.hits += 1;
        &mut self.hits
    }

    #[traced]
    async fn by_value(self) -> u32 {
        self.hits
    }

    #[traced]
    async fn by_mut_value(mut self) -> u32 {
        self.hits += 1;
        self.hits
    }

    #[traced]
    async fn by_arc(self: Arc<Self>) -> u32 {
        self.hits
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(assert_send(double(2)).await, 4);
        assert_eq!(assert_send(parse("3")).await.unwrap(), 6);
        assert_eq!(parse("0").await.unwrap_err().0, "zero");
        assert!(parse("x").await.is_err());
        assert_eq!(*borrowing(&[1, 3, 2], "").await, 3);
        assert_eq!(generic(1, |v| format!("<{v}>")).await, "<1>");
        assert_eq!(impl_argument(5).await.to_string(), "[5]");
        assert_eq!(recursive_async(3).await, 3);
        assert_eq!(spawned(Arc::new("abc".to_owned())).await, 3);
        assert_eq!(mut_parameter(1, (2, 3)).await, 6);
        unit().await;
        // SAFETY: a valid reference.
        assert_eq!(unsafe { read(&3) }.await, 3);
        assert_eq!(const_generic([1, 2]).await, 4);
        assert_eq!(Service { hits: 1 }.by_mut_value().await, 2);
        assert_eq!(early(true).await, "early");
        assert_eq!(early(false).await, "late");
        let mut service = Service { hits: 0 };
        *service.by_mut_ref().await += 10;
        assert_eq!(service.by_ref().await, 11);
        assert_eq!(Arc::new(Service { hits: 2 }).by_arc().await, 2);
        assert_eq!(service.by_value().await, 11);
    });
}
