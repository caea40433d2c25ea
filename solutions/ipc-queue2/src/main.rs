//! Exercise 4.2 (chapter 4, ipc-queue): finished, or dead? A solution.
//!
//! The end of the pipe says only that no process holds its write end any
//! more. The end marker says that the writer got to the end of its work. So
//! the reader trusts the marker, and an end without it means the writer
//! stopped early: whatever came before is kept and counted, and the reader
//! says that more was meant to come.
//!
//! Run it:   cargo run -p ipc-queue2-solution

use ipc_queue::{spawn_pair, Reader, Writer};
use std::error::Error;
use std::io;
use std::process::{Command, ExitCode};

/// The end marker, for the writer to put after its last message.
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
    q.put(END)?; // that was all
    q.flush()?;
    Ok(())
}

/// The reader: every message until the end marker.
fn read() -> Result<(), Box<dyn Error>> {
    let mut q = Reader::new(io::stdin().lock());
    let mut count = 0;
    while let Some(message) = q.get()? {
        if message == END {
            println!("reader: got {count} messages; the queue ended properly");
            return Ok(());
        }
        count += 1;
    }
    println!("reader: got {count} messages; the writer stopped before the end");
    Err("the queue ended without its end marker".into())
}
