//! Exercise 2.3 (chapter 2, process): a supervisor.
//!
//! The child role `attempt N` does a piece of work that goes wrong twice:
//! attempt 1 exits with status 1, attempt 2 is killed by a signal (SIGTERM,
//! which it sends itself, standing in for whoever might kill it), attempt 3
//! succeeds. The parent starts attempt 1, reports how it ended, and stops.
//! Its report is wrong, too: it turns a child killed by a signal into
//! `exitcode 0`, which looks like success.
//!
//! Your task: make the parent a supervisor. It starts attempt 1; while an
//! attempt fails, it starts the next, at most `MAX_ATTEMPTS` in all; after
//! each attempt it prints `attempt N: exitcode X`, with X as Python's
//! `p.exitcode` has it (the exit code, or minus the signal that ended the
//! child); when one succeeds it prints `succeeded after N attempts`. If all
//! fail, the parent ends with an error.
//!
//! The checks run the program and check which attempts ran, each exitcode,
//! the final count, and that every child was reaped.
//!
//! Run it:   cargo run -p process3
//! Check it: cargo xtask exercise process3

use std::error::Error;
use std::process::{Command, ExitCode, ExitStatus};

const MAX_ATTEMPTS: u32 = 5;

fn main() -> ExitCode {
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["attempt", n] => return attempt(n),
        [] => {}
        _ => {
            eprintln!("process3: {args:?} is not a child's role; run it without arguments");
            return ExitCode::from(2);
        }
    }
    match parent() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("process3: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The child: fails with status 1 the first time, is killed the second time.
fn attempt(n: &str) -> ExitCode {
    println!("attempt {n}: pid {}", std::process::id());
    match n {
        "1" => ExitCode::FAILURE,
        "2" => {
            #[cfg(unix)]
            let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGTERM);
            ExitCode::FAILURE
        }
        _ => {
            println!("attempt {n}: the work is done");
            ExitCode::SUCCESS
        }
    }
}

/// Python's `p.exitcode`. TODO: wrong for a child that a signal ended.
fn exitcode(status: ExitStatus) -> i32 {
    status.code().unwrap_or(0)
}

fn parent() -> Result<(), Box<dyn Error>> {
    let me = std::env::current_exe()?;
    // TODO: start attempts 1, 2, … until one succeeds, at most MAX_ATTEMPTS.
    let attempt = 1;
    let status = Command::new(&me).args(["attempt", &attempt.to_string()]).status()?;
    println!("attempt {attempt}: exitcode {}", exitcode(status));
    println!("gave up after {attempt} of {MAX_ATTEMPTS} attempts");
    Ok(())
}
