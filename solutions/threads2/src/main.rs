//! Exercise 6.2 (chapter 6, threads): a panicking thread is not the end.
//! A solution.
//!
//! `join()` returns `Err(payload)` for a thread that panicked. The payload is
//! whatever was given to `panic!`: a `String` for a formatted message, a
//! `&'static str` for a literal one. `main` reads the message out of it and
//! goes on with the next worker.
//!
//! Run it:   cargo run -p threads2-solution

use std::any::Any;
use std::thread;

fn main() {
    let inputs = ["10", "20", "x", "40", "50"];
    let workers: Vec<thread::JoinHandle<u64>> = inputs
        .into_iter()
        .map(|input| {
            thread::spawn(move || {
                input.parse().unwrap_or_else(|e| panic!("bad input {input:?}: {e}"))
            })
        })
        .collect();

    let mut total = 0;
    let mut failed = 0;
    for (i, worker) in workers.into_iter().enumerate() {
        match worker.join() {
            Ok(n) => {
                println!("worker {i} returned {n}");
                total += n;
            }
            Err(payload) => {
                println!("worker {i} panicked: {}", message(&*payload));
                failed += 1;
            }
        }
    }
    println!("total: {total}");
    println!("failed: {failed}");
}

/// The message of a panic: panic!("literal") carries a &str, panic!("{x}") a String.
fn message(payload: &(dyn Any + Send)) -> &str {
    match payload.downcast_ref::<&str>() {
        Some(s) => s,
        None => payload.downcast_ref::<String>().map_or("(not a string)", String::as_str),
    }
}
