//! Exercise 2.1 (chapter 2, process): a child's failure is the parent's error.
//! A solution.
//!
//! The parent waits for every child, whatever happened to the others, and
//! keeps a note of each failure; only then does it return them as its error.
//! Returning at the first failure would leave the later children unreaped.
//!
//! Run it:   cargo run -p process1-solution

use std::error::Error;
use std::process::{Child, Command, ExitCode};

fn main() -> ExitCode {
    // The role guard of chapter 2: a child takes its role before anything else.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["work", n] => return work(n),
        [] => {}
        _ => {
            eprintln!("process1: {args:?} is not a child's role; run it without arguments");
            return ExitCode::from(2);
        }
    }
    match parent() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("process1: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A child's work. Number 2 fails, as real work sometimes does.
fn work(n: &str) -> ExitCode {
    println!("child {n}: pid {}", std::process::id());
    if n == "2" {
        eprintln!("child 2: the input file is missing");
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}

fn parent() -> Result<(), Box<dyn Error>> {
    let me = std::env::current_exe()?;
    let mut children: Vec<Child> = Vec::new();
    for n in 1..=3 {
        children.push(Command::new(&me).args(["work", &n.to_string()]).spawn()?);
    }
    let mut failures = Vec::new();
    for (n, mut child) in (1..).zip(children) {
        let status = child.wait()?;
        if !status.success() {
            failures.push(format!("child {n} (pid {}) failed: {status}", child.id()));
        }
    }
    if !failures.is_empty() {
        return Err(failures.join("; ").into());
    }
    println!("parent: all 3 children done");
    Ok(())
}
