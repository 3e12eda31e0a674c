//! Collectors that fail below HTTP: a port that refuses connections, and a
//! server that accepts them and never answers.

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// `http://127.0.0.1:<port>` where nothing listens: connections are refused.
pub fn refused_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

/// A server that accepts connections, reads every byte sent to it and never
/// answers: exports hang until their timeout, and the bytes show when an
/// export request has arrived. Its threads live until the process ends.
pub struct Blackhole {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl Blackhole {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (count, all) = (Arc::clone(&connections), Arc::clone(&received));
        thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::AcqRel);
                let all = Arc::clone(&all);
                // The connection stays open until the client closes it.
                thread::spawn(move || {
                    let mut buffer = [0; 4096];
                    while let Ok(read @ 1..) = stream.read(&mut buffer) {
                        all.lock().unwrap().extend_from_slice(&buffer[..read]);
                    }
                });
            }
        });
        Blackhole {
            addr,
            connections,
            received,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections were made to it.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Acquire)
    }

    /// Every byte sent to it so far.
    pub fn received(&self) -> Vec<u8> {
        self.received.lock().unwrap().clone()
    }
}
