//! Lesson `locking`: the note's `threading.Lock` counter, done right. N threads
//! each add 1 to one shared counter M times, guarded by `std::sync::Mutex`, by
//! `parking_lot::Mutex`, or made an atomic: every count comes out exactly N×M.
//! Then what a lock does when the thread holding it panics (std's is poisoned,
//! parking_lot's is not); with `--features deadlock -- --deadlock`, a deadlock
//! found by parking_lot's detector; and `--contention`, the three counters'
//! speed for the benchmark.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Instant;

const USAGE: &str = "usage: locking [--deadlock | --contention [--threads N] [--ops M]]";

fn main() -> ExitCode {
    // args_os, not args: std::env::args() panics on an argument that is not UTF-8.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => {
            let (threads, ops) = (4, 100_000);
            println!("{threads} threads x {ops} increments, expected {}", threads * ops);
            for (name, count, _) in counters(threads, ops) {
                println!("{name:<18}: {count}");
            }
            poisoning();
            ExitCode::SUCCESS
        }
        ["--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        ["--deadlock"] => deadlock(),
        ["--contention", options @ ..] => match parse_contention(options) {
            Ok((threads, ops)) => contention(threads, ops),
            Err(msg) => usage_error(&msg),
        },
        _ => usage_error(&format!("unexpected arguments {args:?}; {USAGE}")),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("locking: {msg}");
    ExitCode::from(2)
}

/// Runs `threads` threads that each call `add` `ops` times, and returns how
/// many seconds that took. A scope joins every thread before it returns.
fn hammer(threads: u64, ops: u64, add: impl Fn() + Sync) -> f64 {
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| (0..ops).for_each(|_| add()));
        }
    });
    start.elapsed().as_secs_f64()
}

/// The same count three ways: (name, final count, seconds).
fn counters(threads: u64, ops: u64) -> [(&'static str, u64, f64); 3] {
    // lock() returns Err only if a thread panicked while holding the lock (see
    // poisoning below); none does here, so unwrap() states that assumption.
    let std_mutex = std::sync::Mutex::new(0u64);
    let std_secs = hammer(threads, ops, || *std_mutex.lock().unwrap() += 1);

    // parking_lot's lock() returns the guard directly: there is no poisoning.
    let pl_mutex = parking_lot::Mutex::new(0u64);
    let pl_secs = hammer(threads, ops, || *pl_mutex.lock() += 1);

    // For a lone counter, no lock at all: one indivisible read-modify-write.
    // Relaxed is enough: nothing else is ordered by it, and the end of the
    // scope makes every increment visible to this thread.
    let atomic = AtomicU64::new(0);
    let atomic_secs = hammer(threads, ops, || {
        atomic.fetch_add(1, Ordering::Relaxed);
    });

    [
        ("std::sync::Mutex", std_mutex.into_inner().unwrap(), std_secs),
        ("parking_lot::Mutex", pl_mutex.into_inner(), pl_secs),
        ("AtomicU64", atomic.into_inner(), atomic_secs),
    ]
}

/// A thread panics in the middle of a transfer, holding the lock: 10 left
/// account 0, and never reached account 1. What does the next locker see?
fn poisoning() {
    println!("a thread panics halfway through moving 10 from one account to another:");
    let std_accounts = std::sync::Mutex::new([100, 0]);
    let pl_accounts = parking_lot::Mutex::new([100, 0]);
    thread::scope(|s| {
        // Joined explicitly, so the scope does not pass the panic on.
        let _ = s
            .spawn(|| {
                let mut accounts = std_accounts.lock().unwrap();
                accounts[0] -= 10;
                panic!("crash before the deposit");
            })
            .join();
        let _ = s
            .spawn(|| {
                let mut accounts = pl_accounts.lock();
                accounts[0] -= 10;
                panic!("crash before the deposit");
            })
            .join();
    });

    // std marks the mutex poisoned: every lock() now returns Err, and whoever
    // wants the data anyway must say so with into_inner().
    match std_accounts.lock() {
        Ok(accounts) => println!("std::sync::Mutex  : lock() -> Ok({accounts:?})"),
        Err(poisoned) => {
            let accounts = poisoned.into_inner();
            println!(
                "std::sync::Mutex  : lock() -> Err(PoisonError); into_inner() -> {accounts:?}"
            );
        }
    }
    // parking_lot hands over the broken state as if nothing had happened.
    println!("parking_lot::Mutex: lock() -> {:?}, no sign of the panic", *pl_accounts.lock());
}

/// Two threads, two locks, taken in opposite orders: each holds one lock and
/// waits for the other, forever. parking_lot's detector finds the cycle.
#[cfg(feature = "deadlock")]
fn deadlock() -> ExitCode {
    use parking_lot::{deadlock, Mutex};
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    // The barrier makes both threads hold their first lock before either asks
    // for its second: a deadlock every time, not just now and then.
    let both_hold_one = Arc::new(Barrier::new(2));
    for (first, second) in [(a.clone(), b.clone()), (b, a)] {
        let both_hold_one = both_hold_one.clone();
        // Not a scope: a scope would join these threads, and they never end.
        thread::spawn(move || {
            let _first = first.lock();
            both_hold_one.wait();
            let _second = second.lock();
        });
    }
    println!("thread 1 takes lock a, then b; thread 2 takes b, then a");

    // The detector walks the graph "thread waits for lock held by thread".
    for _ in 0..600 {
        thread::sleep(Duration::from_millis(100));
        let cycles = deadlock::check_deadlock();
        if cycles.is_empty() {
            continue;
        }
        println!("deadlock detected: {} cycle(s)", cycles.len());
        for (i, threads) in cycles.iter().enumerate() {
            println!(
                "cycle {}: {} threads, each waiting for a lock the other holds",
                i + 1,
                threads.len()
            );
        }
        // Deadlocked threads can never be joined. Returning from main ends the
        // process, and with it those threads.
        println!("exiting: that ends the deadlocked threads too");
        return ExitCode::SUCCESS;
    }
    eprintln!("locking: no deadlock detected within 60 s");
    ExitCode::FAILURE
}

#[cfg(not(feature = "deadlock"))]
fn deadlock() -> ExitCode {
    usage_error(
        "--deadlock needs the detector: cargo run -p locking --features deadlock -- --deadlock",
    )
}

fn parse_contention(options: &[&str]) -> Result<(u64, u64), String> {
    let (mut threads, mut ops) = (4, 1_000_000);
    let mut options = options.iter();
    while let Some(&flag) = options.next() {
        let (slot, max) = match flag {
            "--threads" => (&mut threads, 1024),
            "--ops" => (&mut ops, 1_000_000_000),
            _ => return Err(format!("unknown option {flag:?}; {USAGE}")),
        };
        let value = options.next().ok_or(format!("{flag} needs a value"))?;
        *slot = value
            .parse()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or(format!("{flag} takes a whole number from 1 to {max}, got {value:?}"))?;
    }
    Ok((threads, ops))
}

/// Machine-readable lines `NAME ops/s: NUMBER`, read by the benchmark.
fn contention(threads: u64, ops: u64) -> ExitCode {
    let expected = threads * ops;
    println!("{threads} threads x {ops} increments, expected {expected}");
    for (name, count, secs) in counters(threads, ops) {
        if count != expected {
            eprintln!("locking: {name} counted {count}, expected {expected}");
            return ExitCode::FAILURE;
        }
        println!("{name} ops/s: {:.0}", expected as f64 / secs.max(1e-9));
    }
    ExitCode::SUCCESS
}
