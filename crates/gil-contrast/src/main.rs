//! Lesson `gil-contrast`: the note says that Python threads only take turns
//! (the GIL), that processes can use every core, and that another language can
//! do the same with threads. This lesson measures it instead of saying it. One
//! CPU-bound job, counting the primes below a limit, runs sequentially, on N
//! std threads and with rayon; then `gil.py` runs the same job in Python:
//! sequentially, on N threads and on N processes. All results must agree.

use rayon::prelude::*;
use std::ffi::OsString;
use std::io::ErrorKind;
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

/// The job is cut into this many chunks: the unit of work of every runner.
const CHUNKS: u64 = 64;
const USAGE: &str =
    "usage: gil-contrast [--threads N] [--limit N]   (PYTHON names the interpreter, default python3)";

/// A half-open range of numbers, [start, end).
type Chunk = (u64, u64);
/// What a run found, and how long it took.
type Timed = (u64, Duration);

fn main() -> ExitCode {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let (threads, limit) = match parse_args(cores) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("gil-contrast: {msg}");
            return ExitCode::from(2);
        }
    };
    let python = match std::env::var_os("PYTHON") {
        None => OsString::from("python3"),
        Some(p) if p.is_empty() => {
            eprintln!("gil-contrast: PYTHON is set but empty; unset it or name an interpreter");
            return ExitCode::from(2);
        }
        Some(p) => p,
    };

    let n = plural(threads, "thread", "threads");
    println!(
        "Count the primes below {limit} in {CHUNKS} chunks, on {n} ({cores} cores available)."
    );
    println!("Each parallel time includes starting its threads, pool or processes.");
    if cfg!(debug_assertions) {
        println!(
            "(debug build: for timings worth comparing, run `cargo run --release -p gil-contrast`)"
        );
    }

    let parts = split(limit, CHUNKS);
    let sequential = timed(|| parts.iter().map(count_chunk).sum());
    let std_threads = timed(|| on_threads(&parts, threads));
    let (rayon, rayon_time) = timed(|| with_rayon(&parts, threads));
    let rayon = match rayon {
        Ok(primes) => (primes, rayon_time),
        Err(e) => {
            eprintln!("gil-contrast: cannot start rayon's threads: {e}");
            return ExitCode::FAILURE;
        }
    };

    // The same job in Python, after Rust's, so that the two never compete for
    // the cores.
    let python_runs = match run_python(&python, limit, threads) {
        Ok(Some((about, runs))) => {
            println!("{about}");
            Some(runs)
        }
        Ok(None) => {
            let name = python.to_string_lossy();
            println!(
                "Python: `{name}` not found, so Rust only (set PYTHON to name an interpreter)."
            );
            None
        }
        Err(msg) => {
            eprintln!("gil-contrast: {msg}");
            return ExitCode::FAILURE;
        }
    };

    let py = |i: usize| python_runs.map(|runs: [Timed; 3]| runs[i]);
    let mut rows = vec![
        ("sequential".to_string(), Some(sequential), py(0)),
        (n.clone(), Some(std_threads), py(1)),
        (format!("rayon, {n}"), Some(rayon), None),
    ];
    if python_runs.is_some() {
        rows.push((plural(threads, "process", "processes"), None, py(2)));
    }
    print_table(&rows, python_runs.is_some());

    // Every runner counted the same primes, or something is wrong.
    let results: Vec<u64> = rows.iter().flat_map(|r| [r.1, r.2]).flatten().map(|t| t.0).collect();
    if results.iter().any(|&r| r != sequential.0) {
        eprintln!("gil-contrast: the runs disagree: {results:?}");
        return ExitCode::FAILURE;
    }
    println!("\nAll results agree: {} primes below {limit}.", sequential.0);
    if let Some(runs) = python_runs {
        let ratio = runs[0].1.as_secs_f64() / sequential.1.as_secs_f64().max(1e-9);
        println!("Sequential, Rust is {ratio:.0}x as fast as Python.");
    }
    ExitCode::SUCCESS
}

/// Parses `--threads N --limit N`; `Ok(None)` means `--help`.
fn parse_args(cores: usize) -> Result<Option<(usize, u64)>, String> {
    let (mut threads, mut limit) = (cores, 1_000_000);
    // args_os, not args: std::env::args() panics on an argument that is not UTF-8.
    let mut args = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        let mut value = |max: u64| {
            let v = args.next().ok_or(format!("{arg} needs a value"))?;
            match v.parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(format!("{arg} takes a whole number from 1 to {max}, got {v:?}")),
            }
        };
        match arg.as_str() {
            "--threads" => threads = value(256)? as usize,
            "--limit" => limit = value(100_000_000)?,
            "--help" | "-h" => return Ok(None),
            _ => return Err(format!("unknown argument {arg:?}; {USAGE}")),
        }
    }
    Ok(Some((threads, limit)))
}

/// Trial division: slow on purpose, pure CPU work, and the same in Python.
fn is_prime(n: u64) -> bool {
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

fn count_chunk(&(start, end): &Chunk) -> u64 {
    (start..end).filter(|&n| is_prime(n)).count() as u64
}

/// [0, limit) cut into `count` chunks of equal length (the last ones may be
/// shorter or empty).
fn split(limit: u64, count: u64) -> Vec<Chunk> {
    let size = limit.div_ceil(count);
    (0..count).map(|i| ((i * size).min(limit), ((i + 1) * size).min(limit))).collect()
}

/// Thread t counts chunks t, t+n, t+2n, ...: big numbers cost more, so taking
/// every n-th chunk gives each thread a fair share. Scoped threads may borrow
/// `parts`: the scope joins every thread before it returns.
fn on_threads(parts: &[Chunk], n: usize) -> u64 {
    thread::scope(|s| {
        let workers: Vec<_> = (0..n)
            .map(|t| s.spawn(move || parts.iter().skip(t).step_by(n).map(count_chunk).sum::<u64>()))
            .collect();
        workers.into_iter().map(|w| w.join().expect("a worker panicked")).sum()
    })
}

/// rayon hands chunks to a pool of n threads; an idle thread steals work from
/// a busy one, so the load balances itself.
fn with_rayon(parts: &[Chunk], n: usize) -> Result<u64, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build()?;
    Ok(pool.install(|| parts.par_iter().map(count_chunk).sum()))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let result = f();
    (result, start.elapsed())
}

/// Runs gil.py; `Ok(None)` when there is no such interpreter. On success: its
/// first line (version, build) and its sequential, threads, processes runs.
fn run_python(
    python: &OsString,
    limit: u64,
    threads: usize,
) -> Result<Option<(String, [Timed; 3])>, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gil.py");
    let args = [limit.to_string(), CHUNKS.to_string(), threads.to_string()];
    let name = python.to_string_lossy();
    let output = match Command::new(python).arg(script).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot run {name}: {e}")),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let last = stderr.lines().last().unwrap_or("");
        return Err(format!("{name} {script} failed ({}): {last}", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let about = lines.next().unwrap_or("").to_string();
    // "threads: 78498 primes in 1.591959 s"
    let runs: Vec<Timed> = lines
        .filter_map(|line| {
            let (_, rest) = line.split_once(": ")?;
            let (primes, secs) = rest.strip_suffix(" s")?.split_once(" primes in ")?;
            Some((primes.parse().ok()?, Duration::try_from_secs_f64(secs.parse().ok()?).ok()?))
        })
        .collect();
    let runs =
        runs.try_into().map_err(|_| format!("unexpected output from {script}:\n{stdout}"))?;
    Ok(Some((about, runs)))
}

/// One row per runner; each side's speed-up is relative to its own sequential
/// run (the first row), and runs that one language does not have stay blank.
fn print_table(rows: &[(String, Option<Timed>, Option<Timed>)], with_python: bool) {
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let rust_base = rows[0].1.map_or(Duration::ZERO, |t| t.1);
    let python_base = rows[0].2.map_or(Duration::ZERO, |t| t.1);
    let cell = |run: Option<Timed>, base: Duration| match run {
        Some((primes, time)) => format!(
            " {primes:>8} {:>11} {:>10} ",
            format!("{:.1} ms", time.as_secs_f64() * 1e3),
            format!("{:.2}x", base.as_secs_f64() / time.as_secs_f64().max(1e-9)),
        ),
        None => " ".repeat(33),
    };
    let line = |name: &str, rust: String, python: String| {
        let python = if with_python { format!("|{python}") } else { String::new() };
        println!("{}", format!("{name:width$} |{rust}{python}").trim_end());
    };
    println!();
    line("", format!("{:^33}", "Rust"), format!("{:^33}", "Python"));
    let columns = format!(" {:>8} {:>11} {:>10} ", "primes", "time", "speed-up");
    line("", columns.clone(), columns);
    for (name, rust, python) in rows {
        line(name, cell(*rust, rust_base), cell(*python, python_base));
    }
}
