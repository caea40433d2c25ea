//! What the lesson's counters have in common, and what a benchmark can time:
//! several threads adding to one counter at the same moment.

use std::thread;

// ANCHOR: add_in_threads
/// Starts `threads` threads that each call `add` `times` times, and returns
/// once all of them have finished.
///
/// They are scoped threads: `scope` joins every thread before it returns, so
/// the threads may borrow the caller's data, here `add` and whatever counter it
/// captures. Every thread calls the same `add` at the same time, which is why
/// it must be `Sync`: safe to use through a shared reference from any thread.
pub fn add_in_threads(threads: usize, times: u64, add: impl Fn() + Sync) {
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..times {
                    add();
                }
            });
        }
    });
}
// ANCHOR_END: add_in_threads
