//! Exercise 5.3 (chapter 5, subprocess): a pipeline without a shell.
//! A solution.
//!
//! `Stdio::from(ChildStdout)` hands the read end of seq's stdout pipe to grep
//! as its stdin, and moves it out of this process: once both children hold
//! their ends, only seq can write into the pipe, so grep sees its end when seq
//! exits. This process reads grep's output to the end, then reaps both
//! children; seq would otherwise stay a zombie, since only its parent may
//! wait for it.
//!
//! Run it:   cargo run -p subprocess3-solution

use std::error::Error;
use std::io::Read;
use std::process::{Command, Stdio};

fn main() -> Result<(), Box<dyn Error>> {
    let count = pipeline()?;
    println!("count: {count}");
    Ok(())
}

/// `seq 1 1000 | grep 7`: the number of lines grep prints.
fn pipeline() -> Result<usize, Box<dyn Error>> {
    let mut seq = Command::new("seq").args(["1", "1000"]).stdout(Stdio::piped()).spawn()?;
    let out = seq.stdout.take().expect("piped");
    let grep = Command::new("grep").arg("7").stdin(Stdio::from(out)).stdout(Stdio::piped()).spawn();
    let mut grep = match grep {
        Ok(grep) => grep,
        Err(e) => {
            // No grep: stop seq and reap it, rather than leave it behind.
            let _ = seq.kill();
            let _ = seq.wait();
            return Err(e.into());
        }
    };
    let mut text = String::new();
    grep.stdout.take().expect("piped").read_to_string(&mut text)?;
    let (seq_status, grep_status) = (seq.wait()?, grep.wait()?);
    println!("seq: pid {}, {seq_status}", seq.id());
    println!("grep: pid {}, {grep_status}", grep.id());
    Ok(text.lines().count())
}
