//! Exercise 9.3 (chapter 9, thread-local): one connection per thread.
//! A solution.
//!
//! The initial value of a `thread_local!` is computed in each thread, the
//! first time that thread touches it. So each thread of the pool opens one
//! connection, on its first task, and every later task on that thread finds
//! it open. The connection needs no lock: only its own thread can reach it.
//!
//! Run it:   cargo run -p thread-local3-solution

use rayon::prelude::*;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

const TASKS: u64 = 8;

thread_local! {
    // Opened in each thread the first time that thread uses it.
    static CONNECTION: Connection = Connection::open();
}

/// Task `i`: asks a connection for i².
fn task(i: u64) -> String {
    CONNECTION.with(|connection| connection.query(i))
}

/// How many connections have been opened, by all threads.
static OPENED: AtomicUsize = AtomicUsize::new(0);

/// Something expensive to open: a database connection, say. Not `Sync`: one
/// thread at a time may use it.
struct Connection {
    id: usize,
    queries: Cell<u64>,
}

impl Connection {
    fn open() -> Connection {
        let id = OPENED.fetch_add(1, Ordering::SeqCst) + 1;
        Connection { id, queries: Cell::new(0) }
    }

    fn query(&self, i: u64) -> String {
        self.queries.set(self.queries.get() + 1);
        format!("task {i}: {} on connection {}", i * i, self.id)
    }
}

fn main() {
    // A pool of 2 threads runs 8 tasks: each thread runs several of them.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a thread pool");
    let reports: Vec<String> = pool.install(|| (0..TASKS).into_par_iter().map(task).collect());
    for report in reports {
        println!("{report}");
    }
    println!("connections opened: {}", OPENED.load(Ordering::SeqCst));
}
