//! Exercise 7.1 (chapter 7, locking): one counter for all.
//!
//! Four threads, started with `thread::spawn`, each add 1 to a counter
//! 100 000 times. As given, each thread makes a counter of its own, counts in
//! it, and drops it; the counter `main` prints is never touched: `count: 0`.
//!
//! Your task: make the four threads add to one counter, the one `main`
//! prints, shared as `Arc<Mutex<u64>>`. After joining them all, `main` prints
//! `count: 400000`.
//!
//! The checks run the program and check the count.
//!
//! Run it:   cargo run -p locking1
//! Check it: cargo xtask exercise locking1

use std::sync::Mutex;
use std::thread;

const THREADS: usize = 4;
const TIMES: u64 = 100_000;

fn run_add(counter: &Mutex<u64>, times: u64) {
    for _ in 0..times {
        *counter.lock().unwrap() += 1;
    }
}

fn main() {
    let counter = Mutex::new(0u64);
    let mut threads = Vec::new();
    for _ in 0..THREADS {
        // TODO: this thread counts in a counter of its own, not in main's.
        threads.push(thread::spawn(|| {
            let mine = Mutex::new(0u64);
            run_add(&mine, TIMES);
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    println!("count: {}", *counter.lock().unwrap());
}
