//! Exercise 7.1 (chapter 7, locking): one counter for all. A solution.
//!
//! `thread::spawn` wants a closure that owns what it uses (`'static`), so the
//! threads cannot borrow `main`'s counter. An `Arc` gives each of them shared
//! ownership of one `Mutex`; `main` keeps a handle too, to read the count
//! once every thread has been joined.
//!
//! Run it:   cargo run -p locking1-solution

use std::sync::{Arc, Mutex};
use std::thread;

const THREADS: usize = 4;
const TIMES: u64 = 100_000;

fn run_add(counter: &Mutex<u64>, times: u64) {
    for _ in 0..times {
        *counter.lock().unwrap() += 1;
    }
}

fn main() {
    let counter = Arc::new(Mutex::new(0u64));
    let mut threads = Vec::new();
    for _ in 0..THREADS {
        let counter = Arc::clone(&counter);
        threads.push(thread::spawn(move || run_add(&counter, TIMES)));
    }
    for t in threads {
        t.join().unwrap();
    }
    println!("count: {}", *counter.lock().unwrap());
}
