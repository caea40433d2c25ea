//! Lesson `thread-local`: Python's `threading.local()`. As in the note, five
//! worker threads each store their own number in thread-local storage and
//! read it back: with std's `thread_local!`, a static with one value per
//! thread; then with the `thread_local` crate's `ThreadLocal<T>`, an object
//! whose owner can collect every thread's value once the threads are done.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;
use std::thread;
use thread_local::ThreadLocal;

// ANCHOR: value
/// A worker's number; counts its own destruction, to show when that happens.
struct Number(usize);

static DROPPED: AtomicUsize = AtomicUsize::new(0);

impl Drop for Number {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

thread_local! {
    // thread_local_data.value: every thread that touches VALUE has its own,
    // starting out as None.
    static VALUE: RefCell<Option<Number>> = const { RefCell::new(None) };
}
// ANCHOR_END: value

// ANCHOR: worker
fn worker(num: usize) -> String {
    VALUE.set(Some(Number(num)));
    let name = thread::current().name().unwrap_or("<unnamed>").to_string();
    VALUE.with_borrow(|value| match value {
        Some(Number(n)) => format!("Thread {name}: {n}"),
        None => format!("Thread {name}: no value"),
    })
}

fn main() {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // The note's loop. The workers run in whatever order the OS picks; each
    // returns its line instead of printing it, and main prints the lines in
    // the order it joins the threads: the same order every run.
    let mut threads = Vec::new();
    for i in 0..5 {
        let t = thread::Builder::new().name(format!("worker-{i}")).spawn(move || worker(i));
        threads.push(t.expect("start a thread"));
    }
    for t in threads {
        println!("{}", t.join().expect("a worker panicked"));
    }
    // join() returns after the thread has exited, its thread-locals destroyed.
    let dropped = DROPPED.load(Ordering::SeqCst);
    println!("thread_local!: {dropped} values destroyed as their threads exited");
    let mine = VALUE.with_borrow(|value| value.as_ref().map(|n| n.0));
    println!("thread_local!: main's own VALUE is {mine:?}: it never set one");
    // ANCHOR_END: worker

    // ANCHOR: object
    // ThreadLocal: one object, one slot per thread. Each worker counts in its
    // own Cell, a plain integer: no lock, no atomic instruction.
    let counts: ThreadLocal<Cell<u64>> = ThreadLocal::new();
    // The crate gives the slot of a thread that has exited to the next new
    // thread. The barrier keeps all five alive together, so they get five
    // slots (the sum would be right either way; the slot count would vary).
    let all_counting = Barrier::new(5);
    thread::scope(|s| {
        for _ in 0..5 {
            s.spawn(|| {
                let count = counts.get_or_default();
                all_counting.wait();
                for _ in 0..100_000 {
                    count.set(count.get() + 1);
                }
            });
        }
    });
    // The threads are gone; their values are not: they belong to `counts`.
    // into_iter() needs ownership, so no thread can still be using them.
    let per_thread: Vec<u64> = counts.into_iter().map(Cell::into_inner).collect();
    let total: u64 = per_thread.iter().sum();
    println!("ThreadLocal: {} per-thread counters {per_thread:?}, total {total}", per_thread.len());
    // ANCHOR_END: object
}
