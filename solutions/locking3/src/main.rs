//! Exercise 7.3 (chapter 7, locking): a guard that lives too long. A solution.
//!
//! A temporary in the condition of `while let` (here the guard `lock()`
//! returns) lives until the end of the loop body, so the queue stayed locked
//! while the job ran, and the worker's own `push` waited for it forever.
//! Taking the job out in a statement of its own drops the guard at the `;`.
//!
//! (A worker that finds the queue empty stops, even if another worker is about
//! to push the halves of a split: the work still gets done, by fewer
//! workers. Keeping them all busy to the end needs a count of unfinished jobs.)
//!
//! Run it:   cargo run -p locking3-solution

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
    loop {
        // The guard is dropped at the end of this statement.
        let job = queue.lock().pop();
        let Some(job) = job else { break };
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
