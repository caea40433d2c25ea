//! Exercise 7.3 (chapter 7, locking): a guard that lives too long.
//!
//! Four worker threads share a queue of jobs, a `Mutex<Vec<Job>>`. A job is a
//! range of numbers to add up. A job of more than 100 numbers is split into
//! two halves, which go back on the queue; a smaller one is added to the
//! total. The queue starts with one job, 1 to 10 000. On the first split the
//! program stops: the worker waits for a lock that it holds itself.
//! parking_lot's detector finds it, and ends the program with an error.
//!
//! Your task: find out why (the loop in `work` looks innocent), and fix it, so
//! that the queue is locked only to take a job or to put one back, never
//! while a job runs. Every number must be added exactly once: the program
//! ends with `added 10000 numbers in … jobs: total 50005000`.
//!
//! The checks run the program and check that it ends on its own, and the
//! count and the total.
//!
//! Run it:   cargo run -p locking3
//! Check it: cargo xtask exercise locking3

use parking_lot::{deadlock, Mutex};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use std::time::Duration;

const WORKERS: usize = 4;
const NUMBERS: u64 = 10_000;

/// The numbers `start..=end`.
struct Job {
    start: u64,
    end: u64,
}

fn work(queue: &Mutex<Vec<Job>>, numbers: &AtomicU64, total: &AtomicU64, jobs: &AtomicU64) {
    // TODO: the loop stops at the first split. Why?
    while let Some(job) = queue.lock().pop() {
        if job.end - job.start >= 100 {
            let middle = (job.start + job.end) / 2;
            queue.lock().push(Job { start: job.start, end: middle });
            queue.lock().push(Job { start: middle + 1, end: job.end });
        } else {
            numbers.fetch_add(job.end - job.start + 1, Relaxed);
            total.fetch_add((job.start..=job.end).sum(), Relaxed);
            jobs.fetch_add(1, Relaxed);
        }
    }
}

fn main() {
    // parking_lot's detector, as in chapter 7: a deadlock ends the program.
    thread::spawn(|| loop {
        thread::sleep(Duration::from_millis(100));
        let cycles = deadlock::check_deadlock();
        if let Some(cycle) = cycles.first() {
            eprintln!(
                "deadlock: {} thread(s) waiting for a lock that is never released",
                cycle.len()
            );
            std::process::exit(1);
        }
    });

    let queue = Mutex::new(vec![Job { start: 1, end: NUMBERS }]);
    let (numbers, total, jobs) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| work(&queue, &numbers, &total, &jobs));
        }
    });
    let (numbers, total, jobs) = (numbers.into_inner(), total.into_inner(), jobs.into_inner());
    println!("added {numbers} numbers in {jobs} jobs: total {total}");
}
