//! Exercise 8.2 (chapter 8, gil-contrast): the `Rc` stays home.
//!
//! Four jobs each add up every fourth number of a shared table: job j takes
//! the numbers j+1, j+5, j+9, … up to 1000. They share the table through an
//! `Rc` (no copies), and they all run on the main thread, one after another.
//!
//! Your task: run each job on a thread of its own, named `job-J`, all four
//! at the same time, and join them. The table stays shared, not copied. Each
//! job reports `job J on thread job-J: SUM`, and at the end
//! `references to the table left: 1`: every thread's handle on the table is
//! gone once it has been joined. (The compiler will have something to say
//! about the `Rc`: chapter 8 explains what.)
//!
//! The checks run the program and check each job's thread and sum, and the
//! references left.
//!
//! Run it:   cargo run -p gil-contrast2
//! Check it: cargo xtask exercise gil-contrast2

use std::rc::Rc;
use std::thread;

fn main() -> std::io::Result<()> {
    let table: Rc<Vec<u64>> = Rc::new((1..=1000).collect());
    for j in 0..4 {
        let table = Rc::clone(&table);
        let job = move || -> (String, u64) {
            let name = thread::current().name().unwrap_or("<unnamed>").to_string();
            (name, table.iter().skip(j).step_by(4).sum())
        };
        // TODO: run the job on a thread of its own, named `job-{j}`.
        let (name, sum) = job();
        println!("job {j} on thread {name}: {sum}");
    }
    println!("references to the table left: {}", Rc::strong_count(&table));
    Ok(())
}
