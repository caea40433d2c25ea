//! `cargo xtask bench [--quick]`: Rust against Python, and Rust against the
//! kernel's floor, on the same machine in one run. Writes docs/en/benchmarks.md
//! and docs/zh/benchmarks.md, each with its chart (benchmarks.svg beside it).
//!
//! The Rust figures call the lessons' libraries (pool, ipc_queue, locking,
//! gil_contrast); where a figure needs a process of its own, this program
//! starts itself again in a role (roles.rs). The Python figures come from
//! bench/python/bench.py and crates/gil-contrast/gil.py. measure.rs takes the
//! figures, report.rs fills the templates of bench/templates/ with them.

#[cfg(unix)]
mod floors;
#[cfg(unix)]
mod measure;
#[cfg(unix)]
mod report;
#[cfg(unix)]
mod roles;
#[cfg(unix)]
mod system;

use std::process::ExitCode;

const USAGE: &str = "usage: bench [--quick]   (PYTHON names the interpreter, default python3)";

#[cfg(unix)]
fn main() -> ExitCode {
    // The pool starts this program again as its workers: that role comes first.
    if pool::is_worker() {
        return pool::worker();
    }
    let python = std::env::var_os("PYTHON").unwrap_or("python3".into());
    let quick = match parse() {
        Ok(Err(done)) => return done,
        Ok(Ok(_)) if python.is_empty() => Err("PYTHON is set but empty".into()),
        Ok(Ok(quick)) => Ok(quick),
        Err(e) => Err(e.to_string()),
    };
    let Ok(quick) = quick.map_err(|e| eprintln!("bench: {e} ({USAGE})")) else {
        return ExitCode::from(2);
    };
    let config = measure::Config::new(quick, python);
    match report::write(&config, &measure::run_all(&config)) {
        Ok(paths) => paths.iter().for_each(|path| eprintln!("wrote {path}")),
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// `Ok(quick)` to measure; `Err(code)` if nothing is left to do: the help is
/// printed, or this process was started in a role and has played it.
#[cfg(unix)]
fn parse() -> Result<Result<bool, ExitCode>, lexopt::Error> {
    use lexopt::prelude::*;
    let (mut parser, mut quick) = (lexopt::Parser::from_env(), false);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("quick") => quick = true,
            Short('h') | Long("help") => {
                println!("{USAGE}");
                return Ok(Err(ExitCode::SUCCESS));
            }
            Value(role) if !quick => {
                let args = parser.raw_args()?.map(|a| a.string()).collect::<Result<Vec<_>, _>>()?;
                return Ok(Err(roles::play(&role.string()?, &args)?));
            }
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Ok(quick))
}

#[cfg(not(unix))]
fn main() -> ExitCode {
    eprintln!("bench: the benchmark needs a Unix system (it measures fork); {USAGE}");
    ExitCode::FAILURE
}
