//! Exercise 5.1 (chapter 5, subprocess): report, don't crash.
//!
//! This program runs four commands, one after another, and says how each
//! ended. The third names a program that does not exist: `status()` fails,
//! `?` hands the error to `main`, and the program stops there, so the fourth
//! command never runs.
//!
//! Your task: report every command, `command i: exit code N`,
//! `command i: killed by signal N` or `command i: not found`, then
//! `4 commands: 1 succeeded, 3 failed`, and exit with status 0.
//!
//! The checks run the program and check each command's report and the counts.
//!
//! Run it:   cargo run -p subprocess1
//! Check it: cargo xtask exercise subprocess1

use std::error::Error;
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
        // TODO: a program that does not exist ends the whole program here.
        let status = Command::new(command[0]).args(&command[1..]).status()?;
        println!("command {i}: {}", describe(status));
        if status.success() {
            succeeded += 1;
        } else {
            failed += 1;
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
