//! Exercise 8.2 (chapter 8, gil-contrast): the `Rc` stays home. A solution.
//!
//! An `Rc` counts its references without atomic instructions, so it is not
//! `Send`, and a closure that owns one cannot go to another thread (E0277).
//! `Arc` counts atomically: four threads can each own a handle on the same
//! table, and drop it when they end. Nothing is copied but the pointer.
//!
//! Run it:   cargo run -p gil-contrast2-solution

use std::sync::Arc;
use std::thread;

fn main() -> std::io::Result<()> {
    let table: Arc<Vec<u64>> = Arc::new((1..=1000).collect());
    let mut jobs = Vec::new();
    for j in 0..4 {
        let table = Arc::clone(&table);
        let job = move || -> (String, u64) {
            let name = thread::current().name().unwrap_or("<unnamed>").to_string();
            (name, table.iter().skip(j).step_by(4).sum())
        };
        jobs.push(thread::Builder::new().name(format!("job-{j}")).spawn(job)?);
    }
    // All four run at once; join them in order.
    for (j, handle) in jobs.into_iter().enumerate() {
        let (name, sum) = handle.join().expect("a job panicked");
        println!("job {j} on thread {name}: {sum}");
    }
    println!("references to the table left: {}", Arc::strong_count(&table));
    Ok(())
}
