//! Exercise 6.1 (chapter 6, threads): results come back through `join`.
//! A solution.
//!
//! Each thread's closure returns its sum, and `join()` hands it to `main`
//! inside `Ok`. `main` prints the sums in the order it joins the threads, so
//! the output is the same on every run, whichever thread finishes first.
//!
//! Run it:   cargo run -p threads1-solution

use std::thread;

fn main() -> std::io::Result<()> {
    let numbers: Vec<u64> = (1..=1000).collect();
    let mut handles = Vec::new();
    for (i, chunk) in numbers.chunks(250).enumerate() {
        // The thread must own its data (chapter 6): a copy of its chunk.
        let chunk = chunk.to_vec();
        let handle = thread::Builder::new()
            .name(format!("summer-{i}"))
            .spawn(move || chunk.iter().sum::<u64>())?;
        handles.push(handle);
    }
    let mut total: u64 = 0;
    for handle in handles {
        let name = handle.thread().name().unwrap_or("<unnamed>").to_string();
        // A panic in the thread would be passed on: a bug, so no handling here.
        let sum = handle.join().unwrap();
        println!("{name}: {sum}");
        total += sum;
    }
    println!("total: {total}");
    Ok(())
}
