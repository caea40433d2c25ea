//! Exercise 9.1 (chapter 9, thread-local): count without sharing. A solution.
//!
//! Each thread counts in its own `Cell` in `counts`: no other thread touches
//! that slot, so no lock and no atomic is needed, and the slots outlive the
//! threads. Once the scope has joined them, `main` owns `counts` again and
//! takes every slot out.
//!
//! Run it:   cargo run -p thread-local1-solution

use std::cell::Cell;
use std::sync::Barrier;
use std::thread;
use thread_local::ThreadLocal;

const THREADS: u64 = 4;
const NUMBERS: u64 = 1_000_000;

fn main() {
    let quarter = NUMBERS / THREADS;
    let quarters: Vec<_> = (0..THREADS).map(|t| t * quarter + 1..=(t + 1) * quarter).collect();
    let counts: ThreadLocal<Cell<u64>> = ThreadLocal::new();
    // All four count at the same time, so that each gets a slot of its own
    // (the crate hands the slot of a thread that has ended to the next one).
    let all_counting = Barrier::new(THREADS as usize);
    thread::scope(|s| {
        for quarter in &quarters {
            s.spawn(|| {
                // This thread's own slot, made (as 0) the first time it asks.
                let count = counts.get_or_default();
                all_counting.wait();
                for n in quarter.clone() {
                    if n % 7 == 0 {
                        count.set(count.get() + 1);
                    }
                }
            });
        }
    });
    // The threads are gone; the slots they counted in belong to `counts`.
    let per_thread: Vec<u64> = counts.into_iter().map(Cell::into_inner).collect();
    let total: u64 = per_thread.iter().sum();
    println!("per thread: {per_thread:?}");
    println!("total: {total}");
}
