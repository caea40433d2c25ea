//! Lesson `threads`: the note's `threading.Thread`, then what Rust adds: a thread
//! owns what it uses and returns its result through `join`, scoped threads borrow,
//! a panic comes back as `Err`, and a channel is the threads' `queue.Queue`.

use std::any::Any;
use std::sync::mpsc;
use std::thread;

// ANCHOR: note
fn run_thread() {
    // threading.current_thread().name; a thread without a name has None.
    println!("child thread name : {}", thread::current().name().unwrap_or("<unnamed>"));
}

fn main() -> std::io::Result<()> {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    println!("Main Thread");
    // Builder::spawn returns an io::Result (the OS may refuse a new thread);
    // thread::spawn would panic instead.
    let t = thread::Builder::new().name("task".to_string()).spawn(run_thread)?;
    // join() returns Err if the thread panicked; unwrap() passes that panic on.
    t.join().unwrap();
    // ANCHOR_END: note

    // ANCHOR: move
    // The new thread may outlive this function, so it may not borrow its
    // locals: `move` gives the closure ownership of `numbers`. Its return
    // value comes back through join(), inside Ok.
    let numbers: Vec<u64> = (1..=100).collect();
    let summer = thread::spawn(move || numbers.iter().sum::<u64>());
    let result = summer.join();
    println!("join returned {result:?}: the sum of 1..=100, computed by the thread");
    // ANCHOR_END: move

    // ANCHOR: scope
    // A scope joins all its threads before it returns, so they may borrow:
    // each one sums a slice of `numbers`, which main still owns afterwards.
    let numbers: Vec<u64> = (1..=12).collect();
    let sums: Vec<u64> = thread::scope(|s| {
        let handles: Vec<_> =
            numbers.chunks(4).map(|chunk| s.spawn(move || chunk.iter().sum::<u64>())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    println!("scope: 3 threads summed borrowed chunks of {numbers:?}: {sums:?}");
    // ANCHOR_END: scope

    // ANCHOR: panic
    // A panic ends only its own thread. std's panic hook reports it on stderr,
    // and join() hands the panic's payload to the caller as Err.
    let worker = thread::Builder::new()
        .name("worker".to_string())
        .spawn(|| -> u64 { panic!("something went wrong") })?;
    match worker.join() {
        Ok(value) => println!("join returned Ok({value})"),
        Err(payload) => {
            println!("join returned Err: the thread panicked: {:?}", message(&*payload))
        }
    }
    // ANCHOR_END: panic

    // ANCHOR: channel
    // A channel is the threads' queue.Queue: the writer sends, the reader
    // receives in order. When every Sender is gone (here: when the writer
    // thread ends), the reader's loop ends. No sentinel needed.
    let (tx, rx) = mpsc::channel();
    let writer = thread::spawn(move || {
        for value in ["A", "B", "C"] {
            // send fails only when the Receiver is gone; here it never is.
            tx.send(value).unwrap();
        }
    });
    for value in rx {
        println!("Get {value} from channel");
    }
    writer.join().unwrap();
    println!("channel closed: the writer thread ended and dropped its Sender");
    Ok(())
    // ANCHOR_END: channel
}

/// The message of a panic: panic!("literal") carries a &str, panic!("{x}") a String.
fn message(payload: &(dyn Any + Send)) -> &str {
    match payload.downcast_ref::<&str>() {
        Some(s) => s,
        None => payload.downcast_ref::<String>().map_or("(not a string)", String::as_str),
    }
}
