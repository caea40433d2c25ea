//! Exercise 5.3 (chapter 5, subprocess): a pipeline without a shell.
//!
//! The shell runs `seq 1 1000 | grep 7` by starting two programs and joining
//! the first one's stdout to the second one's stdin with a pipe. This program
//! is to do the same, without a shell, and count the lines that come out:
//! the numbers from 1 to 1000 with a 7 in them.
//!
//! Your task: write `pipeline`. It starts `seq 1 1000` and `grep 7`, joined
//! by a pipe, reads what grep prints, waits for both, and prints
//! `seq: pid P, exit status: 0`, `grep: pid Q, exit status: 0` and
//! `count: 271`.
//!
//! The checks run the program and check the count, that there were two
//! children with their own pids, and that both were reaped.
//!
//! Run it:   cargo run -p subprocess3
//! Check it: cargo xtask exercise subprocess3

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let count = pipeline()?;
    println!("count: {count}");
    Ok(())
}

/// `seq 1 1000 | grep 7`: the number of lines grep prints.
fn pipeline() -> Result<usize, Box<dyn Error>> {
    // TODO: start both programs, seq's stdout joined to grep's stdin.
    todo!("seq 1 1000 | grep 7, without a shell")
}
