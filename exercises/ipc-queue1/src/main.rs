//! Exercise 4.1 (chapter 4, ipc-queue): lose nothing.
//!
//! A writer process puts the numbers 1 to 100 in the lesson's queue, one
//! message each; a reader process gets them and adds them up. The writer is
//! in a hurry: it ends with `std::process::exit(0)` as soon as its loop is
//! done. The reader gets nothing at all.
//!
//! Your task: make every message reach the reader, keeping the writer's
//! `std::process::exit(0)`. The reader then prints
//! `reader: got 100 messages, sum 5050`.
//!
//! The checks run the program and check the reader's count and sum, and that
//! both processes were reaped.
//!
//! Run it:   cargo run -p ipc-queue1
//! Check it: cargo xtask exercise ipc-queue1

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
    // TODO: the reader never gets these messages. Where are they?
    std::process::exit(0);
}
