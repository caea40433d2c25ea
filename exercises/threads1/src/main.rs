//! Exercise 6.1 (chapter 6, threads): results come back through `join`.
//!
//! Four named threads, `summer-0` to `summer-3`, each add up a quarter of the
//! numbers 1 to 1000. Each prints its own sum, in whatever order the threads
//! happen to finish, and `main`, which never sees those sums, prints
//! `total: 0`.
//!
//! Your task: make each thread return its sum instead of printing it. `main`
//! joins the threads in the order it started them, prints `summer-N: SUM` for
//! each, and then `total: T`, the sum of 1 to 1000.
//!
//! The checks run the program and check each thread's sum, their order, and
//! the total.
//!
//! Run it:   cargo run -p threads1
//! Check it: cargo xtask exercise threads1

use std::thread;

fn main() -> std::io::Result<()> {
    let numbers: Vec<u64> = (1..=1000).collect();
    let mut handles = Vec::new();
    for (i, chunk) in numbers.chunks(250).enumerate() {
        // The thread must own its data (chapter 6): a copy of its chunk.
        let chunk = chunk.to_vec();
        let handle = thread::Builder::new().name(format!("summer-{i}")).spawn(move || {
            let sum: u64 = chunk.iter().sum();
            // TODO: return the sum instead; main prints it.
            println!("{}: {sum}", thread::current().name().unwrap_or("<unnamed>"));
        })?;
        handles.push(handle);
    }
    let total: u64 = 0;
    for handle in handles {
        handle.join().unwrap();
    }
    println!("total: {total}");
    Ok(())
}
