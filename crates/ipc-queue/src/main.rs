//! Lesson `ipc-queue`: the note's `multiprocessing.Queue` example. A writer
//! process puts A, B and C into a queue, a reader process gets them, and the
//! parent joins the writer and then terminates the reader, as the note does:
//! what the reader had not got yet is lost, and the parent counts it. Then the
//! same again, except that the parent lets the reader read to the end of the
//! queue, and nothing is lost. The queue itself is in src/lib.rs.

use ipc_queue::{die_with_parent, spawn_pair, Reader, Writer};
use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;
use std::{env, thread};

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // The `if __name__ == '__main__':` guard of lesson 2: the writer and the
    // reader are this program again, with a role word. Take the role first, and
    // refuse anything else: a child must never run the parent's code.
    let args: Vec<String> = env::args_os().skip(1).map(|a| a.to_string_lossy().into()).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["writer"] => return write(),
        ["reader"] => return read(),
        [] => {}
        _ => {
            eprintln!("ipc-queue: {args:?} is not a role; run it without arguments");
            std::process::exit(2);
        }
    }
    println!("--- kill: join the writer, then terminate the reader (as in the note) ---");
    ending(false)?;
    println!("--- drain: join the writer, then let the reader read to the end ---");
    ending(true)
}
// ANCHOR_END: main

// ANCHOR: write
fn write() -> Result<(), Box<dyn Error>> {
    die_with_parent()?; // if the parent goes, so do we (see lib.rs)

    // Our stdout is the queue, so we talk on stderr, whole lines at a time
    // (eprintln! may write a line in pieces, which the reader's could split).
    // Talk, not work: if nobody reads it (| head, lesson 4), we go on putting.
    let mut say = io::LineWriter::new(io::stderr());
    let _ = writeln!(say, "write pid: {}", std::process::id());
    let mut q = Writer::new(io::stdout().lock());
    for value in ["A", "B", "C"] {
        let _ = writeln!(say, "Put {value} into queue");
        q.put(value.as_bytes())?;
        q.flush()?; // a message still in our buffer is not in the queue
        thread::sleep(random_pause());
    }
    Ok(()) // exiting closes our end of the pipe: the end of the queue
}
// ANCHOR_END: write

// ANCHOR: read
fn read() -> Result<(), Box<dyn Error>> {
    die_with_parent()?;
    println!("read pid: {}", std::process::id());
    let mut q = Reader::new(io::stdin().lock());
    while let Some(value) = q.get()? {
        println!("Get {} from queue", String::from_utf8_lossy(value));
        thread::sleep(Duration::from_millis(200)); // handling it takes a while
    }
    println!("End of queue: the reader exits");
    Ok(())
}
// ANCHOR_END: read

// ANCHOR: ending
/// The note's parent: start both, join the writer, then terminate the reader,
/// or (`drain`) wait for it to read to the end.
fn ending(drain: bool) -> Result<(), Box<dyn Error>> {
    let me = env::current_exe()?;
    let mut writer = Command::new(&me);
    writer.arg("writer").stderr(io::stdout()); // what it says, we show
    let mut reader = Command::new(&me);
    reader.arg("reader").stdout(Stdio::piped()); // what it says, we read
    let (mut pw, mut pr) = spawn_pair(writer, reader)?;

    // Pass the reader's lines on, counting the messages it got.
    let lines = BufReader::new(pr.stdout.take().expect("piped")).lines();
    let relay = thread::spawn(move || {
        let lines = lines.map_while(Result::ok).inspect(|line| println!("{line}"));
        lines.filter(|line| line.starts_with("Get ")).count()
    });

    let written = pw.wait()?; // pw.join()
    if !drain {
        // pr.terminate(). Python sends SIGTERM, std's kill() SIGKILL: either
        // way, what is still in the pipe dies with the reader.
        pr.kill()?;
    }
    let read = pr.wait()?; // reap the reader, killed or not: no zombie
    let got = relay.join().expect("relay thread");
    if !written.success() || (drain && !read.success()) {
        return Err(format!("writer: {written}, reader: {read}").into());
    }
    let name = if drain { "drain" } else { "kill" };
    println!("{name}: the writer put 3, the reader got {got}: {} lost", 3 - got);
    Ok(())
}
// ANCHOR_END: ending

/// 0 to 100 ms: the note's `time.sleep(random.random())`, scaled down. std has
/// no random numbers, but each new `RandomState` hashes with fresh random keys.
fn random_pause() -> Duration {
    use std::hash::BuildHasher;
    let random = std::collections::hash_map::RandomState::new().hash_one(0);
    Duration::from_millis(random % 100)
}
