//! Lesson `gil-contrast`: the note says that Python threads only take turns
//! (the GIL), that processes can use every core, and that another language can
//! do the same with threads. This lesson measures it. One CPU-bound job,
//! counting the primes below a limit, runs sequentially, on one thread per core
//! and with rayon; then `gil.py` runs the same job in Python: sequentially, on
//! threads and on processes. All results must agree. The job and its runners
//! are in lib.rs.

use gil_contrast::{best_of, on_threads, run_python, sequential, table, with_rayon, CHUNKS};
use std::process::ExitCode;

/// Big enough to measure, small enough for Python to count it in a blink.
const LIMIT: u64 = 200_000;
/// Each time is the best of this many runs.
const REPEAT: usize = 3;

fn main() -> ExitCode {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // ANCHOR: rust
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = table::plural(n, "thread", "threads");
    println!("Count the primes below {LIMIT} in {CHUNKS} chunks, on {threads} (one per core).");
    println!(
        "Each time is the best of {REPEAT} runs, starting threads, pool or processes included."
    );
    let rust = [
        best_of(REPEAT, || sequential(LIMIT)),
        best_of(REPEAT, || on_threads(LIMIT, n)),
        best_of(REPEAT, || with_rayon(LIMIT, n)),
    ];
    // ANCHOR_END: rust

    // ANCHOR: python
    // Python after Rust, so that the two never compete for the cores.
    let python = std::env::var_os("PYTHON").filter(|p| !p.is_empty());
    let python = python.unwrap_or_else(|| "python3".into());
    let py = match run_python(&python, LIMIT, n, REPEAT) {
        Ok(Some(py)) => {
            println!("{}", py.about);
            Some(py)
        }
        Ok(None) => {
            let name = python.to_string_lossy();
            println!(
                "Python: `{name}` not found, so Rust only (set PYTHON to name an interpreter)."
            );
            None
        }
        Err(e) => {
            eprintln!("gil-contrast: {e}");
            return ExitCode::FAILURE;
        }
    };
    // ANCHOR_END: python
    table::print(n, rust, py.as_ref());

    // ANCHOR: agree
    // Every runner counted the same primes, or something is wrong.
    let primes = rust[0].0;
    let mut counts = rust.map(|(count, _)| count).to_vec();
    if let Some(py) = &py {
        counts.extend([py.sequential.0, py.threads.0, py.processes.0]);
    }
    if counts.iter().any(|&count| count != primes) {
        eprintln!("gil-contrast: the runs disagree: {counts:?}");
        return ExitCode::FAILURE;
    }
    println!("\nAll results agree: {primes} primes below {LIMIT}.");
    if let Some(py) = py {
        let ratio = py.sequential.1.as_secs_f64() / rust[0].1.as_secs_f64().max(1e-9);
        println!("Sequential, Rust is {ratio:.0}x as fast as Python.");
    }
    // ANCHOR_END: agree
    ExitCode::SUCCESS
}
