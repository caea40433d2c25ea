//! A deadlock, found by parking_lot's detector: two threads take two locks in
//! opposite orders, so each holds one lock and waits for the other, forever.
//! `cargo run -p locking --features deadlock --bin deadlock` (the feature turns
//! the detector on, and this program is built only with it).

use parking_lot::{deadlock, Mutex};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

fn main() {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // ANCHOR: deadlock
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    // The barrier makes both threads hold their first lock before either asks
    // for its second: a deadlock every time, not just now and then.
    let both_hold_one = Arc::new(Barrier::new(2));
    for (first, second) in [(a.clone(), b.clone()), (b, a)] {
        let both_hold_one = both_hold_one.clone();
        // Not scoped threads: a scope would wait for them, and they never end.
        thread::spawn(move || {
            let _first = first.lock();
            both_hold_one.wait();
            let _second = second.lock();
        });
    }
    println!("thread 1 takes lock a, then b; thread 2 takes b, then a");
    // ANCHOR_END: deadlock

    // ANCHOR: detect
    // The detector looks for a cycle in "thread waits for a lock held by thread".
    loop {
        thread::sleep(Duration::from_millis(100));
        let cycles = deadlock::check_deadlock();
        if cycles.is_empty() {
            continue;
        }
        println!("deadlock detected: {} cycle(s)", cycles.len());
        for (i, threads) in cycles.iter().enumerate() {
            println!(
                "cycle {}: {} threads, each waiting for a lock another holds",
                i + 1,
                threads.len()
            );
        }
        // Deadlocked threads can never be joined. Returning from main ends the
        // process, and those threads with it.
        println!("exiting: that ends the deadlocked threads too");
        return;
    }
    // ANCHOR_END: detect
}
