//! Exercise 9.2 (chapter 9, thread-local): thread-locals in a pool.
//!
//! A pool of two threads (rayon's) runs eight tasks. Task i gathers its five
//! numbers, 10i+1 to 10i+5, in a scratch buffer and reports how many it
//! gathered and their sum. The buffer is a `thread_local!` `Vec`, so that each
//! thread reuses one buffer instead of allocating one per task. Every task
//! should report 5 numbers, but most report more: a pool reuses its threads,
//! and the buffer still holds what the previous task on that thread left.
//!
//! Your task: make every task start from an empty buffer, keeping the buffer
//! thread-local (no new `Vec` per task). Each task then reports
//! `task i: 5 numbers, sum 50i+15`.
//!
//! The checks run the program and check every task's report.
//!
//! Run it:   cargo run -p thread-local2
//! Check it: cargo xtask exercise thread-local2

use rayon::prelude::*;
use std::cell::RefCell;

const TASKS: u64 = 8;

thread_local! {
    // One buffer per thread of the pool, reused by every task on that thread.
    static SCRATCH: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Task `i`: gathers 10i+1 ..= 10i+5 in this thread's buffer, and reports.
fn task(i: u64) -> String {
    SCRATCH.with_borrow_mut(|scratch| {
        // TODO: the buffer may hold what an earlier task left in it.
        scratch.extend(10 * i + 1..=10 * i + 5);
        let sum: u64 = scratch.iter().sum();
        format!("task {i}: {} numbers, sum {sum}", scratch.len())
    })
}

fn main() {
    // A pool of 2 threads runs 8 tasks: each thread runs several of them.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a thread pool");
    let reports: Vec<String> = pool.install(|| (0..TASKS).into_par_iter().map(task).collect());
    // Printed here, in task order, whichever thread ran which task.
    for report in reports {
        println!("{report}");
    }
}
