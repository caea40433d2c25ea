//! The job of lesson `gil-contrast`, and its runners: count the primes below a
//! limit sequentially, on N std threads and with rayon, and run `gil.py`, the
//! same job in Python. The benchmark calls these functions too. How the lesson
//! prints its table is in table.rs.

use rayon::prelude::*;
use std::ffi::OsStr;
use std::io::ErrorKind;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

pub mod table;

// ANCHOR: job
/// The job is cut into this many chunks: the unit of work of every runner.
pub const CHUNKS: u64 = 64;

/// A half-open range of numbers, [start, end).
pub type Chunk = (u64, u64);

/// Trial division: slow on purpose, pure CPU work, and the same in Python.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n % 2 == 0 {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

pub fn count_chunk(&(start, end): &Chunk) -> u64 {
    (start..end).filter(|&n| is_prime(n)).count() as u64
}

/// [0, limit) cut into `CHUNKS` chunks of equal length (the last ones may be
/// shorter or empty).
pub fn split(limit: u64) -> Vec<Chunk> {
    let size = limit.div_ceil(CHUNKS);
    (0..CHUNKS).map(|i| ((i * size).min(limit), ((i + 1) * size).min(limit))).collect()
}
// ANCHOR_END: job

// ANCHOR: runners
/// One thread counts every chunk.
pub fn sequential(limit: u64) -> u64 {
    split(limit).iter().map(count_chunk).sum()
}

/// Thread t counts chunks t, t+n, t+2n, ...: big numbers cost more, so taking
/// every n-th chunk gives each thread a fair share. Scoped threads may borrow
/// `parts`: the scope joins every thread before it returns.
pub fn on_threads(limit: u64, n: usize) -> u64 {
    let parts = split(limit);
    let parts = &parts;
    thread::scope(|s| {
        let counters: Vec<_> = (0..n)
            .map(|t| s.spawn(move || parts.iter().skip(t).step_by(n).map(count_chunk).sum::<u64>()))
            .collect();
        counters.into_iter().map(|c| c.join().expect("a counting thread panicked")).sum()
    })
}

/// The sequential version with `par_iter` for `iter`, on a pool of n threads.
/// Panics if the threads cannot be started, as `thread::scope` does.
pub fn with_rayon(limit: u64, n: usize) -> u64 {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build();
    let pool = pool.expect("cannot start rayon's threads");
    pool.install(|| split(limit).par_iter().map(count_chunk).sum())
}
// ANCHOR_END: runners

/// What a run found (the number of primes), and how long it took.
pub type Timed = (u64, Duration);

/// Runs `run` `repeat` times: its result, and its shortest time. Other
/// programs on the machine can only make a run slower, so the shortest one
/// is the closest to what the job itself costs.
pub fn best_of(repeat: usize, run: impl Fn() -> u64) -> Timed {
    let mut best: Option<Timed> = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let primes = run();
        let time = start.elapsed();
        if best.map_or(true, |(_, shortest)| time < shortest) {
            best = Some((primes, time));
        }
    }
    best.expect("at least one run")
}

/// What gil.py reports: its first line (version, build, GIL) and its runs.
pub struct PythonRuns {
    pub about: String,
    pub sequential: Timed,
    pub threads: Timed,
    pub processes: Timed,
}

// ANCHOR: python
/// Runs gil.py, the same job in Python, with `python`: sequentially, on n
/// threads and on n processes, each the best of `repeat` runs. `Ok(None)` if
/// there is no such program.
pub fn run_python(
    python: &OsStr,
    limit: u64,
    n: usize,
    repeat: usize,
) -> Result<Option<PythonRuns>, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gil.py");
    let args = [limit, CHUNKS, n as u64, repeat as u64].map(|arg| arg.to_string());
    let name = python.to_string_lossy();
    let output = match Command::new(python).arg(script).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot run {name}: {e}")),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("");
        return Err(format!("{name} {script} failed ({}): {last}", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    table::parse_python(&stdout)
        .map(Some)
        .ok_or(format!("unexpected output from {script}:\n{stdout}"))
}
// ANCHOR_END: python
