//! Exercise 7.3 (chapter 7, locking): a guard that lives too long.
//!
//! Four worker threads share a queue of jobs, a `Vec<Job>` behind a lock. A
//! job is a range of numbers to add up. A job of more than 100 numbers is split into
//! two halves, which go back on the queue; a smaller one is added to the
//! total. The queue starts with one job, 1 to 10 000. On the first split the
//! program stops: the worker waits for a lock that it holds itself. The
//! queue sees it, and ends the program with an error.
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

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard};
use std::thread::{self, ThreadId};

const WORKERS: usize = 4;
const NUMBERS: u64 = 10_000;

/// The numbers `start..=end`.
struct Job {
    start: u64,
    end: u64,
}

fn work(queue: &Queue, numbers: &AtomicU64, total: &AtomicU64, jobs: &AtomicU64) {
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
    let queue = Queue::new(vec![Job { start: 1, end: NUMBERS }]);
    let (numbers, total, jobs) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| work(&queue, &numbers, &total, &jobs));
        }
    });
    let (numbers, total, jobs) = (numbers.into_inner(), total.into_inner(), jobs.into_inner());
    println!("added {numbers} numbers in {jobs} jobs: total {total}");
}

/// The jobs, behind a lock that remembers which thread holds it. A thread
/// that asks again for the lock it already holds would wait for itself
/// forever: the queue sees it and ends the program with an error, as
/// parking_lot's deadlock detector would (chapter 7). Nothing to change here;
/// `queue.lock()` works like a `Mutex`'s.
struct Queue {
    jobs: Mutex<Vec<Job>>,
    holder: Mutex<Option<ThreadId>>,
}

impl Queue {
    fn new(jobs: Vec<Job>) -> Queue {
        Queue { jobs: Mutex::new(jobs), holder: Mutex::new(None) }
    }

    fn lock(&self) -> QueueGuard<'_> {
        let me = thread::current().id();
        if *self.holder.lock().unwrap() == Some(me) {
            eprintln!("deadlock: a thread asks for the queue's lock, which it holds itself");
            std::process::exit(1);
        }
        let jobs = self.jobs.lock().unwrap();
        *self.holder.lock().unwrap() = Some(me);
        QueueGuard { jobs, holder: &self.holder }
    }
}

/// The queue's guard: the jobs, while the lock is held.
struct QueueGuard<'a> {
    jobs: MutexGuard<'a, Vec<Job>>,
    holder: &'a Mutex<Option<ThreadId>>,
}

impl Drop for QueueGuard<'_> {
    fn drop(&mut self) {
        *self.holder.lock().unwrap() = None;
    }
}

impl Deref for QueueGuard<'_> {
    type Target = Vec<Job>;
    fn deref(&self) -> &Vec<Job> {
        &self.jobs
    }
}

impl DerefMut for QueueGuard<'_> {
    fn deref_mut(&mut self) -> &mut Vec<Job> {
        &mut self.jobs
    }
}
