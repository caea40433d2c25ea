//! Exercise 4.2 (chapter 4, ipc-queue): finished, or dead?
//!
//! The parent runs two rounds of a writer and a reader joined by the lesson's
//! queue. In the first round the writer puts 5 messages and finishes. In the
//! second it puts 3, flushes them, and then crashes. The reader reads until
//! the queue ends, and both times says that it ended properly: a pipe ends
//! the same way whether its writer finished or died.
//!
//! Your task: let the reader tell the two apart. The writer puts an end
//! marker (`END`) after its last message. The reader stops at the marker and
//! prints `reader: got N messages; the queue ended properly`; if the queue
//! ends without the marker it prints
//! `reader: got N messages; the writer stopped before the end` and ends with
//! an error. Every message sent before the crash still counts.
//!
//! The checks run the program and check each round's count and verdict, and
//! that every process was reaped.
//!
//! Run it:   cargo run -p ipc-queue2
//! Check it: cargo xtask exercise ipc-queue2

use ipc_queue::{spawn_pair, Reader, Writer};
use std::error::Error;
use std::io;
use std::process::{Command, ExitCode};

/// The end marker, for the writer to put after its last message.
#[allow(dead_code)] // unused so far: using it is the exercise
const END: &[u8] = b"";

fn main() -> ExitCode {
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["writer", "finish"] => write(false),
        ["writer", "crash"] => write(true),
        ["reader"] => read(),
        [] => parent(),
        _ => {
            eprintln!("ipc-queue2: {args:?} is not a role; run it without arguments");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ipc-queue2: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Two rounds: a writer that finishes, and one that crashes halfway.
fn parent() -> Result<(), Box<dyn Error>> {
    let me = std::env::current_exe()?;
    for round in ["finish", "crash"] {
        println!("--- round {round} ---");
        let mut writer = Command::new(&me);
        writer.args(["writer", round]);
        let mut reader = Command::new(&me);
        reader.arg("reader");
        let (mut pw, mut pr) = spawn_pair(writer, reader)?;
        let (written, read) = (pw.wait()?, pr.wait()?);
        println!("parent: writer {written}, reader {read}");
    }
    Ok(())
}

/// The writer: 5 messages; or, when it crashes, 3 and then an error exit.
fn write(crash: bool) -> Result<(), Box<dyn Error>> {
    let mut q = Writer::new(io::stdout().lock());
    for n in 1..=5 {
        if crash && n == 4 {
            q.flush()?;
            std::process::exit(3); // the crash: gone, without a word
        }
        q.put(format!("message {n}").as_bytes())?;
    }
    // TODO: say that this was all.
    q.flush()?;
    Ok(())
}

/// The reader: every message until the queue ends.
fn read() -> Result<(), Box<dyn Error>> {
    let mut q = Reader::new(io::stdin().lock());
    let mut count = 0;
    // TODO: stop at the end marker; a queue that ends without it is an error.
    while let Some(_message) = q.get()? {
        count += 1;
    }
    println!("reader: got {count} messages; the queue ended properly");
    Ok(())
}
