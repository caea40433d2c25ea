//! Reading gil.py's report and printing the lesson's table: plumbing, not the
//! lesson.

use crate::{PythonRuns, Timed};
use std::time::Duration;

/// "2 threads", "1 process".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Reads gil.py's output: a first line about the interpreter, then one line
/// per run, `threads: 78498 primes in 1.591959 s`.
pub fn parse_python(stdout: &str) -> Option<PythonRuns> {
    let mut lines = stdout.lines();
    let about = lines.next()?.to_string();
    let runs: Vec<Timed> = lines
        .filter_map(|line| {
            let (_, rest) = line.split_once(": ")?;
            let (primes, secs) = rest.strip_suffix(" s")?.split_once(" primes in ")?;
            Some((primes.parse().ok()?, Duration::try_from_secs_f64(secs.parse().ok()?).ok()?))
        })
        .collect();
    match runs[..] {
        [sequential, threads, processes] => {
            Some(PythonRuns { about, sequential, threads, processes })
        }
        _ => None,
    }
}

/// Prints one row per runner: the Rust runs are sequential, n threads and
/// rayon. Each side's speed-up is relative to its own sequential run, and runs
/// that one language does not have stay blank. Without Python, only the Rust
/// columns.
pub fn print(n: usize, rust: [Timed; 3], python: Option<&PythonRuns>) {
    let threads = plural(n, "thread", "threads");
    let py = |pick: fn(&PythonRuns) -> Timed| python.map(pick);
    let mut rows = vec![
        ("sequential".to_string(), Some(rust[0]), py(|p| p.sequential)),
        (threads.clone(), Some(rust[1]), py(|p| p.threads)),
        (format!("rayon, {threads}"), Some(rust[2]), None),
    ];
    if python.is_some() {
        rows.push((plural(n, "process", "processes"), None, py(|p| p.processes)));
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let rust_base = rust[0].1;
    let python_base = python.map_or(Duration::ZERO, |p| p.sequential.1);
    let cell = |run: Option<Timed>, base: Duration| match run {
        Some((primes, time)) => format!(
            " {primes:>8} {:>11} {:>10} ",
            format!("{:.1} ms", time.as_secs_f64() * 1e3),
            format!("{:.2}x", base.as_secs_f64() / time.as_secs_f64().max(1e-9)),
        ),
        None => " ".repeat(33),
    };
    let line = |name: &str, rust: String, python_cell: String| {
        let python_cell = if python.is_some() { format!("|{python_cell}") } else { String::new() };
        println!("{}", format!("{name:width$} |{rust}{python_cell}").trim_end());
    };
    println!();
    line("", format!("{:^33}", "Rust"), format!("{:^33}", "Python"));
    let columns = format!(" {:>8} {:>11} {:>10} ", "primes", "time", "speed-up");
    line("", columns.clone(), columns);
    for (name, rust, python) in rows {
        line(&name, cell(rust, rust_base), cell(python, python_base));
    }
}
