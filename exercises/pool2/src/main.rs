//! Exercise 3.2 (chapter 3, pool): the guard comes before the options.
//!
//! This program squares the numbers 0 to N-1 on the lesson's pool of worker
//! processes; `--tasks N` says how many (6 if not given). It reads its
//! options first thing, as programs do. Run it: every task fails, because
//! every worker dies at once, and stderr says why.
//!
//! Your task: make the workers work, keeping the option. `pool2` prints
//! `task i: i²` for i from 0 to 5, `pool2 --tasks 3` for 0 to 2, and
//! `pool2 --tasks x` is refused with one line on stderr and exit status 2.
//!
//! The checks run the program with and without the option, and with a bad one.
//!
//! Run it:   cargo run -p pool2 -- --tasks 3
//! Check it: cargo xtask exercise pool2

use std::ffi::OsString;
use std::process::ExitCode;

#[cfg(not(unix))]
fn main() {
    println!("The lesson's pool talks to its workers over Unix sockets.");
}

#[cfg(unix)]
fn main() -> ExitCode {
    let tasks = match parse(std::env::args_os().skip(1)) {
        Ok(tasks) => tasks,
        Err(e) => {
            eprintln!("pool2: {e}");
            return ExitCode::from(2);
        }
    };
    // TODO: the workers never get here. Why?
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
