//! Exercise 5.1 (chapter 5, subprocess): report, don't crash. A solution.
//!
//! A program that cannot be started is an `io::Error` of kind `NotFound`,
//! returned before any child exists: a value to report, like an exit code,
//! not a reason to stop. Any other error (no permission, say) is reported
//! too, with its own words.
//!
//! Run it:   cargo run -p subprocess1-solution

use std::error::Error;
use std::io;
use std::process::{Command, ExitStatus};

const COMMANDS: &[&[&str]] = &[
    &["true"],
    &["sh", "-c", "exit 3"],
    &["no-such-program", "--version"],
    &["sh", "-c", "kill -TERM $$"],
];

fn main() -> Result<(), Box<dyn Error>> {
    let (mut succeeded, mut failed) = (0, 0);
    for (i, command) in COMMANDS.iter().enumerate() {
        println!("$ {}", command.join(" "));
        match Command::new(command[0]).args(&command[1..]).status() {
            Ok(status) => {
                println!("command {i}: {}", describe(status));
                if status.success() {
                    succeeded += 1;
                } else {
                    failed += 1;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                println!("command {i}: not found");
                failed += 1;
            }
            Err(e) => {
                println!("command {i}: cannot run it: {e}");
                failed += 1;
            }
        }
    }
    println!("{} commands: {succeeded} succeeded, {failed} failed", COMMANDS.len());
    Ok(())
}

/// How a child ended, in words: its exit code, or the signal that killed it.
fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(number) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return format!("killed by signal {number}");
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => status.to_string(),
    }
}
