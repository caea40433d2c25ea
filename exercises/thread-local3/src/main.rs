//! Exercise 9.3 (chapter 9, thread-local): one connection per thread.
//!
//! A pool of two threads runs eight tasks, and each task needs a
//! `Connection`, which is expensive to open. As given, every task opens its
//! own: eight connections for two threads.
//!
//! Your task: keep one connection per thread of the pool, in a
//! `thread_local!`, opened the first time a task on that thread needs it and
//! used by every later task on the same thread. The program then opens at
//! most two connections.
//!
//! The checks run the program and check every task's answer, how many
//! connections were opened, and which connections the tasks used.
//!
//! Run it:   cargo run -p thread-local3
//! Check it: cargo xtask exercise thread-local3

use rayon::prelude::*;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

const TASKS: u64 = 8;

/// Task `i`: asks a connection for i².
fn task(i: u64) -> String {
    // TODO: a connection per task. Keep one per thread instead.
    let connection = Connection::open();
    connection.query(i)
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
