//! Exercise 2.2 (chapter 2, process): the guard.
//!
//! The parent greets two children, this same program started again with the
//! role `greet alice` and `greet bob`. But `main` prints the parent's first
//! line before it looks at its arguments, so every child prints it too; and
//! arguments that are no role at all (`process2 hello`) run the parent.
//!
//! Your task: give `main` a guard, like Python's `if __name__ == '__main__':`.
//! A child takes its role before anything else runs and runs nothing of the
//! parent's. Without arguments the program is the parent. Anything else is
//! refused: one line on stderr starting with `process2: `, nothing on stdout,
//! exit status 2.
//!
//! The checks run the program and check who printed each `parent` line, and
//! run it with a few wrong arguments.
//!
//! Run it:   cargo run -p process2
//! Check it: cargo xtask exercise process2

use std::error::Error;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    println!("parent {}: greeting two children", std::process::id());

    // TODO: a guard. This line runs in every child too, and arguments that are
    // no role at all fall through to the parent.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    if let ["greet", name] = args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        greet(name);
        return ExitCode::SUCCESS;
    }

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
