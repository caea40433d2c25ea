//! Exercise 3.2 (chapter 3, pool): the guard comes before the options.
//! A solution.
//!
//! A worker is this program started again with the argument `worker`. It must
//! take that role before anything else runs, the option parser included,
//! which would refuse the argument it does not know: Python's
//! `if __name__ == '__main__':` guard, first thing in `main`.
//!
//! Run it:   cargo run -p pool2-solution -- --tasks 3

use std::ffi::OsString;
use std::process::ExitCode;

#[cfg(not(unix))]
fn main() {
    println!("The lesson's pool talks to its workers over Unix sockets.");
}

#[cfg(unix)]
fn main() -> ExitCode {
    // The guard, before anything else: a worker serves tasks, nothing more.
    if pool::is_worker() {
        return pool::worker();
    }
    let tasks = match parse(std::env::args_os().skip(1)) {
        Ok(tasks) => tasks,
        Err(e) => {
            eprintln!("pool2: {e}");
            return ExitCode::from(2);
        }
    };
    match run(tasks) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pool2: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The program's own option: `--tasks N` (default 6).
fn parse(args: impl Iterator<Item = OsString>) -> Result<u64, String> {
    let mut tasks = 6;
    let mut args = args.map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tasks" => {
                let value = args.next().ok_or("--tasks needs a number")?;
                tasks =
                    value.parse().map_err(|_| format!("--tasks takes a number, not {value:?}"))?;
            }
            _ => return Err(format!("unexpected argument {arg:?}; usage: pool2 [--tasks N]")),
        }
    }
    Ok(tasks)
}

#[cfg(unix)]
fn run(tasks: u64) -> Result<(), String> {
    use pool::{AsyncResult, Pool, Task};
    let mut p = Pool::new(2).map_err(|e| format!("cannot start the workers: {e}"))?;
    let handles: Vec<AsyncResult> = (0..tasks).map(|i| p.apply_async(Task::Square(i))).collect();
    p.close();
    let started = p.join();
    for (i, handle) in (0..).zip(handles) {
        match handle.get() {
            Ok(value) => println!("task {i}: {value}"),
            Err(e) => println!("task {i}: error: {e}"),
        }
    }
    println!("{started} worker processes started, all reaped");
    Ok(())
}
