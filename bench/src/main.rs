//! `cargo xtask bench [--quick]`: Rust against Python on the same machine, in
//! one run. For every figure, each repetition runs the Rust side and then the
//! Python side; the pages report the medians and, above all, their ratios:
//! absolute times on a shared machine are noise, ratios measured in one
//! interleaved run much less so. Writes docs/en/benchmarks.md,
//! docs/zh/benchmarks.md and their charts docs/{en,zh}/benchmarks.svg.
//!
//! Most Rust figures come from the lessons' own measuring modes (`pool --bench`,
//! `ipc-queue --count`, `locking --contention`, `gil-contrast`); what no lesson
//! measures (fork, re-launch, thread start) is measured here. The Python side
//! is bench/python/bench.py and crates/gil-contrast/gil.py.

#[cfg(unix)]
mod measure;
#[cfg(unix)]
mod report;

use std::process::ExitCode;

const USAGE: &str = "usage: bench [--quick]   (PYTHON names the interpreter, default python3)";

#[cfg(unix)]
fn main() -> ExitCode {
    // args_os, not args: std::env::args() panics on an argument that is not UTF-8.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let quick = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        // The re-launch figure starts this program again with this argument.
        [measure::EXIT_AT_ONCE] => return ExitCode::SUCCESS,
        [] => false,
        ["--quick"] => true,
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("bench: unknown arguments {args:?}; {USAGE}");
            return ExitCode::from(2);
        }
    };
    let python = match std::env::var_os("PYTHON") {
        None => "python3".into(),
        Some(p) if p.is_empty() => {
            eprintln!("bench: PYTHON is set but empty; unset it or name an interpreter");
            return ExitCode::from(2);
        }
        Some(p) => p,
    };
    let config = measure::Config::new(quick, python);
    let results = measure::run_all(&config);
    match report::write(&config, &results) {
        Ok(paths) => {
            for path in paths {
                eprintln!("wrote {path}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(unix))]
fn main() -> ExitCode {
    eprintln!("bench: the benchmark needs a Unix system (it measures fork)");
    ExitCode::FAILURE
}
