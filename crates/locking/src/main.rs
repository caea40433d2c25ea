//! Lesson `locking`: the note's `threading.Lock` counter, corrected; the same
//! count with scoped threads, parking_lot's Mutex and an atomic; and what a
//! lock does when the thread holding it panics.

use locking::add_in_threads;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

const THREADS: usize = 4;
const TIMES: u64 = 100_000;

// ANCHOR: run_add
fn run_add(counter: &Mutex<u64>, times: u64) {
    for _ in 0..times {
        // `with lock:`. lock() waits until no other thread holds the lock and
        // returns a guard, the only way to reach the u64 inside.
        let mut value = counter.lock().unwrap();
        *value += 1;
    } // The guard goes out of scope here, and dropping it unlocks the mutex.
}
// ANCHOR_END: run_add

fn main() {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // ANCHOR: spawn
    // thread::spawn wants 'static data: a thread may outlive main's variables.
    // So the threads share the Mutex through an Arc, each owning one handle.
    let counter = Arc::new(Mutex::new(0));
    let mut threads = Vec::new();
    for _ in 0..THREADS {
        let counter = Arc::clone(&counter);
        threads.push(thread::spawn(move || run_add(&counter, TIMES)));
    }
    for t in threads {
        t.join().unwrap();
    }
    println!("Arc<Mutex<u64>>, thread::spawn: {}", *counter.lock().unwrap());
    // ANCHOR_END: spawn

    // ANCHOR: scoped
    // Scoped threads (see lib.rs) may borrow the counter: no Arc. Each guard
    // here is a temporary, dropped (unlocked) at the end of its statement.
    let counter = Mutex::new(0u64);
    add_in_threads(THREADS, TIMES, || *counter.lock().unwrap() += 1);
    println!("Mutex<u64>, thread::scope     : {}", counter.into_inner().unwrap());

    // parking_lot's lock() returns the guard itself: no poisoning, no unwrap.
    let counter = parking_lot::Mutex::new(0u64);
    add_in_threads(THREADS, TIMES, || *counter.lock() += 1);
    println!("parking_lot::Mutex<u64>       : {}", counter.into_inner());

    // A lone counter needs no lock: fetch_add is one indivisible instruction.
    let counter = AtomicU64::new(0);
    add_in_threads(THREADS, TIMES, || {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    println!("AtomicU64                     : {}", counter.into_inner());
    // ANCHOR_END: scoped

    poisoning();
}

// ANCHOR: crash
/// Moves 10 from one account to the other; or would, but it panics halfway.
fn transfer(accounts: &mut [i32; 2]) {
    accounts[0] -= 10;
    panic!("crash before the deposit");
}

fn poisoning() {
    println!("a thread panics halfway through moving 10 between two accounts:");
    let std_accounts = Mutex::new([100, 0]);
    let pl_accounts = parking_lot::Mutex::new([100, 0]);
    thread::scope(|s| {
        // Each guard lives until transfer() returns: the panic comes while the
        // lock is held. join() returns the panic as Err, so the scope does not
        // pass it on to main.
        s.spawn(|| transfer(&mut std_accounts.lock().unwrap())).join().unwrap_err();
        s.spawn(|| transfer(&mut pl_accounts.lock())).join().unwrap_err();
    });
    // ANCHOR_END: crash
    // ANCHOR: poisoned
    // std marks the mutex poisoned: lock() returns Err from now on, and still
    // hands over the data to a caller who says it can cope: into_inner().
    match std_accounts.lock() {
        Ok(accounts) => println!("std::sync::Mutex  : Ok({accounts:?})"),
        Err(poisoned) => {
            println!("std::sync::Mutex  : Err(PoisonError), {:?} inside", *poisoned.into_inner())
        }
    }
    // parking_lot hands over the half-done transfer as if nothing had happened.
    println!("parking_lot::Mutex: {:?}", *pl_accounts.lock());
    // ANCHOR_END: poisoned
}
