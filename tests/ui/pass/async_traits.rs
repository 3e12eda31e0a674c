#![deny(warnings)]

use traced::traced;

// Native `async fn` in traits: default bodies and impls.
trait Store {
    async fn load(&self, id: u64) -> Option<String>;

    #[traced(args(id))]
    async fn load_or_default(&self, id: u64) -> String {
        self.load(id).await.unwrap_or_default()
    }
}

struct Memory(Vec<String>);

impl Store for Memory {
    #[traced(args(id))]
    async fn load(&self, id: u64) -> Option<String> {
        tokio::task::yield_now().await;
        self.0.get(usize::try_from(id).ok()?).cloned()
    }
}

// A trait that promises a `Send` future, implemented with `async fn`.
trait SendStore {
    fn fetch(&self, id: u64) -> impl std::future::Future<Output = u64> + Send;
}

impl SendStore for Memory {
    #[traced(args(id))]
    async fn fetch(&self, id: u64) -> u64 {
        tokio::task::yield_now().await;
        id + self.0.len() as u64
    }
}

fn spawn_fetch(memory: std::sync::Arc<Memory>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move { memory.fetch(1).await })
}

// `#[async_trait]` traits, with `#[traced]` inside the rewritten impl.
#[async_trait::async_trait]
trait Service {
    async fn call(&self, request: u32) -> Result<u32, String>;

    async fn ready(&mut self) -> bool;

    async fn with_default(&self) -> u32 {
        1
    }
}

struct Doubler {
    calls: u32,
}

#[async_trait::async_trait]
impl Service for Doubler {
    #[traced(args(request), err = debug)]
    async fn call(&self, request: u32) -> Result<u32, String> {
        if request == 0 {
            return Err("zero".to_owned());
        }
        tokio::task::yield_now().await;
        Ok(request * 2 + self.calls)
    }

    #[traced(ret)]
    async fn ready(&mut self) -> bool {
        self.calls += 1;
        self.calls > 1
    }

    #[traced]
    async fn with_default(&self) -> u32 {
        self.calls
    }
}

#[async_trait::async_trait]
trait Handler: Send + Sync {
    async fn handle(&self, text: &str) -> anyhow::Result<usize>;
}

struct Parser;

#[async_trait::async_trait]
impl Handler for Parser {
    #[traced(args(text))]
    async fn handle(&self, text: &str) -> anyhow::Result<usize> {
        let parsed: usize = text.parse()?;
        Ok(parsed)
    }
}

#[async_trait::async_trait(?Send)]
trait LocalService {
    async fn local(&self, value: std::rc::Rc<u32>) -> u32;
}

#[async_trait::async_trait(?Send)]
impl LocalService for Parser {
    #[traced]
    async fn local(&self, value: std::rc::Rc<u32>) -> u32 {
        *value
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let memory = Memory(vec!["a".to_owned()]);
        assert_eq!(memory.load(0).await.as_deref(), Some("a"));
        assert_eq!(memory.load_or_default(5).await, "");
        let shared = std::sync::Arc::new(Memory(vec!["b".to_owned()]));
        assert_eq!(spawn_fetch(shared).await.unwrap(), 2);
        let mut doubler = Doubler { calls: 0 };
        assert!(!doubler.ready().await);
        assert!(doubler.ready().await);
        assert_eq!(doubler.call(3).await, Ok(8));
        assert_eq!(doubler.call(0).await, Err("zero".to_owned()));
        assert_eq!(doubler.with_default().await, 2);
        let handler: Box<dyn Handler> = Box::new(Parser);
        assert_eq!(handler.handle("12").await.unwrap(), 12);
        assert!(handler.handle("x").await.is_err());
        assert_eq!(Parser.local(std::rc::Rc::new(4)).await, 4);
    });
}
