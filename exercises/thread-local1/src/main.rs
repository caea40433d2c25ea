//! Exercise 9.1 (chapter 9, thread-local): count without sharing.
//!
//! Four scoped threads each go through a quarter of the numbers 1 to
//! 1 000 000 and count the multiples of 7. Each counts in a local variable,
//! which is gone when its thread ends; `main` finds nothing in `counts` and
//! prints `total: 0`.
//!
//! Your task: make each thread count in its own slot of `counts`, a
//! `ThreadLocal<Cell<u64>>`: no lock, no atomic, and nothing lost when the
//! thread ends. `main` then prints every slot and their total, 142857.
//!
//! The checks run the program and check the total, and that the per-thread
//! counts add up to it.
//!
//! Run it:   cargo run -p thread-local1
//! Check it: cargo xtask exercise thread-local1

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
                // TODO: this count is lost when the thread ends. Count in
                // this thread's own slot of `counts` instead.
                let count = Cell::new(0u64);
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
