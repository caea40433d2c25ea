//! Exercise 2.2 (chapter 2, process): the guard. A solution.
//!
//! `main` reads its arguments before it does anything else and matches them
//! all at once: a role, no arguments (the parent), or anything else, which is
//! refused. A child never reaches the parent's first line, and a wrong
//! argument can never start the parent by accident.
//!
//! Run it:   cargo run -p process2-solution

use std::error::Error;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["greet", name] => {
            greet(name);
            return ExitCode::SUCCESS;
        }
        [] => {}
        _ => {
            eprintln!("process2: {args:?} is not a child's role; run it without arguments");
            return ExitCode::from(2);
        }
    }

    println!("parent {}: greeting two children", std::process::id());
    match parent() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("process2: {e}");
            ExitCode::FAILURE
        }
    }
}

fn greet(name: &str) {
    println!("child {name}: hello from pid {}", std::process::id());
}

fn parent() -> Result<(), Box<dyn Error>> {
    let me = std::env::current_exe()?;
    for name in ["alice", "bob"] {
        let status = Command::new(&me).args(["greet", name]).status()?;
        if !status.success() {
            return Err(format!("child {name}: {status}").into());
        }
    }
    println!("parent {}: both children joined", std::process::id());
    Ok(())
}
