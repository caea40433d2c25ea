//! Exercise 9.2 (chapter 9, thread-local): thread-locals in a pool. A solution.
//!
//! A thread of a pool runs task after task, and its thread-local values live
//! as long as the thread: whatever one task leaves in them, the next task on
//! that thread finds. So each task clears the buffer before it uses it.
//! `clear` keeps the buffer's memory, which is why the buffer is reused.
//!
//! Run it:   cargo run -p thread-local2-solution

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
        // An earlier task on this thread may have left numbers here.
        scratch.clear();
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
