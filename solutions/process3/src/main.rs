//! Exercise 2.3 (chapter 2, process): a supervisor. A solution.
//!
//! The parent starts one attempt at a time and waits for it (`status()` does
//! both), and decides by `status.success()`: a child that a signal killed has
//! no exit code at all, and must never pass for one that exited with 0.
//! `exitcode` reports it as Python does, as minus the signal.
//!
//! Run it:   cargo run -p process3-solution

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

/// Python's `p.exitcode`: the exit code, or minus the signal that ended the child.
fn exitcode(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return -signal;
    }
    status.code().unwrap_or(-1)
}

fn parent() -> Result<(), Box<dyn Error>> {
    let me = std::env::current_exe()?;
    for attempt in 1..=MAX_ATTEMPTS {
        let status = Command::new(&me).args(["attempt", &attempt.to_string()]).status()?;
        println!("attempt {attempt}: exitcode {}", exitcode(status));
        if status.success() {
            println!("succeeded after {attempt} attempts");
            return Ok(());
        }
    }
    Err(format!("all {MAX_ATTEMPTS} attempts failed").into())
}
