//! Exercise 2.1 (chapter 2, process): a child's failure is the parent's error.
//!
//! The parent starts three children, this same program again with the role
//! `work 1`, `work 2` and `work 3`, and waits for all three. Child 2 fails: it
//! exits with status 3. But the parent never looks at how its children ended:
//! it says "all 3 children done" and exits with status 0, as if all went well.
//!
//! Your task: make the parent look at each child's `ExitStatus`. If a child
//! failed, the parent must end with an error, exit status 1 and not a panic,
//! whose message (on stderr) names the failed child's pid and its exit
//! status. It must still wait for every child, those after the failed one too.
//!
//! The checks run the program and check its exit status, its message, and
//! that all three children were started and reaped.
//!
//! Run it:   cargo run -p process1
//! Check it: cargo xtask exercise process1

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
    for mut child in children {
        // TODO: the status is thrown away. Look at it: a child that failed
        // must become this function's error, once every child is waited for.
        let _status = child.wait()?;
    }
    println!("parent: all 3 children done");
    Ok(())
}
