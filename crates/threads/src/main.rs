//! Lesson `threads`: Python's `threading.Thread` in Rust. As in the note, the
//! main thread starts a thread named `task` that prints its own name. Then what
//! Rust adds: a thread hands its result back through `join`; scoped threads
//! borrow local data without `Arc`; a thread that panics makes `join` return
//! `Err`, so the caller knows; and a channel carries values from one thread to
//! another, as `queue.Queue` does in Python.

use std::any::Any;
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;

fn main() -> ExitCode {
    // args_os, not args: std::env::args() panics on an argument that is not UTF-8.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match args.first().map(String::as_str) {
        None => {}
        Some("--help" | "-h") => {
            println!("usage: threads   (takes no arguments)");
            return ExitCode::SUCCESS;
        }
        Some(_) => {
            eprintln!("threads: unexpected arguments {args:?}; run it without arguments");
            return ExitCode::from(2);
        }
    }
    match lesson() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("threads: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_thread() {
    // threading.current_thread().name; a thread without a name has None.
    println!("child thread name : {}", thread::current().name().unwrap_or("<unnamed>"));
}

fn lesson() -> Result<(), String> {
    // The note's example. Builder can fail (the OS may refuse a thread), so it
    // returns a Result; thread::spawn would panic instead.
    println!("Main Thread");
    let t = thread::Builder::new()
        .name("task".to_string())
        .spawn(run_thread)
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    t.join().map_err(|_| "thread task panicked")?;

    // A thread's return value comes back through join(). Python's join()
    // always returns None; you would pass results through a queue instead.
    let summer = thread::spawn(|| (1..=100u64).sum::<u64>());
    let sum = summer.join().map_err(|_| "the summing thread panicked")?;
    println!("join returned Ok({sum}): the sum of 1..=100, computed by the thread");

    // thread::spawn needs 'static data (the thread may outlive this function),
    // hence Arc. A scope joins all its threads before it returns, so they may
    // borrow from the caller's stack: here, slices of `numbers`.
    let numbers: Vec<u64> = (1..=12).collect();
    let sums = thread::scope(|s| {
        let handles: Vec<_> =
            numbers.chunks(4).map(|chunk| s.spawn(move || chunk.iter().sum::<u64>())).collect();
        handles.into_iter().map(|h| h.join()).collect::<Result<Vec<u64>, _>>()
    })
    .map_err(|_| "a summing thread panicked")?;
    let total: u64 = sums.iter().sum();
    println!("scope: 3 threads summed borrowed chunks of {numbers:?}: {sums:?}, total {total}");

    // A panic ends only its own thread. std's default panic hook prints the
    // message on stderr; join() hands the panic's payload to the caller as Err.
    let worker = thread::Builder::new()
        .name("worker".to_string())
        .spawn(|| -> u64 { panic!("something went wrong") })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let name = worker.thread().name().unwrap_or("<unnamed>").to_string();
    match worker.join() {
        Ok(value) => println!("join returned Ok({value})"),
        Err(payload) => {
            println!("join returned Err: thread {name:?} panicked with {:?}", message(&*payload))
        }
    }

    // A channel is the thread-side queue.Queue: the writer sends, the reader
    // receives in order. When every Sender is dropped (here: when the writer
    // thread ends), the reader's loop ends; no sentinel value needed.
    let (tx, rx) = mpsc::channel();
    let writer = thread::spawn(move || {
        for value in ["A", "B", "C"] {
            // send fails only if the receiver is gone: then stop.
            if tx.send(value).is_err() {
                break;
            }
        }
    });
    for value in rx {
        println!("Get {value} from channel");
    }
    writer.join().map_err(|_| "the writer thread panicked")?;
    println!("channel closed: the writer thread ended and dropped its Sender");
    Ok(())
}

/// The message of a panic: panic!("literal") carries a &str, panic!("{x}") a String.
fn message(payload: &(dyn Any + Send)) -> &str {
    match payload.downcast_ref::<&str>() {
        Some(s) => s,
        None => payload.downcast_ref::<String>().map_or("(not a string)", String::as_str),
    }
}
