//! Exercise 6.2 (chapter 6, threads): a panicking thread is not the end.
//!
//! Five worker threads each parse one input and return the number. Worker 2
//! gets `x`, which is no number, and panics. `main` joins the workers with
//! `join().unwrap()`, which passes that panic on: `main` panics too, and the
//! results of the other workers are lost.
//!
//! Your task: make `main` look at what each `join()` returns. A result is
//! added to the total. A panic is reported as `worker N panicked: MESSAGE`,
//! where MESSAGE is the panic's own message, and `main` goes on. At the end
//! it prints `total: T` and `failed: F`, and exits with status 0.
//!
//! The checks run the program and check its exit status, the total, the
//! number of failures, and the report of worker 2 with its message.
//!
//! Run it:   cargo run -p threads2
//! Check it: cargo xtask exercise threads2

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
    let failed = 0;
    for (i, worker) in workers.into_iter().enumerate() {
        // TODO: a worker that panicked makes this unwrap() panic too.
        let n = worker.join().unwrap();
        println!("worker {i} returned {n}");
        total += n;
    }
    println!("total: {total}");
    println!("failed: {failed}");
}
