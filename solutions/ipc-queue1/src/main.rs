//! Exercise 4.1 (chapter 4, ipc-queue): lose nothing. A solution.
//!
//! The messages waited in the writer's buffer, and `std::process::exit` runs
//! no destructors, so the `BufWriter` never wrote them into the pipe. One
//! `flush` before exiting puts them all in the queue, in one or a few system
//! calls; the reader gets them even after the writer is gone, because the
//! pipe keeps what was written into it until it is read.
//!
//! Run it:   cargo run -p ipc-queue1-solution

use ipc_queue::{spawn_pair, Reader, Writer};
use std::error::Error;
use std::io;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["writer"] => write(),
        ["reader"] => read(),
        [] => parent(),
        _ => {
            eprintln!("ipc-queue1: {args:?} is not a role; run it without arguments");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ipc-queue1: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The parent: a writer and a reader joined by a pipe; wait for both.
fn parent() -> Result<(), Box<dyn Error>> {
    let me = std::env::current_exe()?;
    let mut writer = Command::new(&me);
    writer.arg("writer");
    let mut reader = Command::new(&me);
    reader.arg("reader");
    let (mut pw, mut pr) = spawn_pair(writer, reader)?;
    let (written, read) = (pw.wait()?, pr.wait()?);
    println!("parent: writer {written}, reader {read}");
    Ok(())
}

/// The reader: every message until the queue ends, counted and added up.
fn read() -> Result<(), Box<dyn Error>> {
    let mut q = Reader::new(io::stdin().lock());
    let (mut count, mut sum) = (0u64, 0u64);
    while let Some(message) = q.get()? {
        count += 1;
        sum += std::str::from_utf8(message)?.parse::<u64>()?;
    }
    println!("reader: got {count} messages, sum {sum}");
    Ok(())
}

/// The writer: 100 messages, then gone at once.
fn write() -> Result<(), Box<dyn Error>> {
    let mut q = Writer::new(io::stdout().lock());
    for n in 1..=100 {
        q.put(n.to_string().as_bytes())?;
    }
    // Into the pipe before we go: exit() runs no destructor to do it for us.
    q.flush()?;
    std::process::exit(0);
}
