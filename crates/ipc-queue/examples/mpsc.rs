//! The thread-side counterpart of the ipc-queue lesson: `queue.Queue` between
//! two threads is `std::sync::mpsc`. The values move from one thread to the
//! other: no bytes, no framing, no pickling. And no terminate: when the last
//! sender is dropped, the reader's loop ends by itself, after every value.
//! Run it: `cargo run -p ipc-queue --example mpsc`.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() {
    let (tx, rx) = mpsc::channel::<String>();
    let writer = thread::spawn(move || {
        for value in ["A", "B", "C"] {
            println!("Put {value} into queue");
            tx.send(value.to_string()).expect("the reader is still receiving");
            thread::sleep(Duration::from_millis(50));
        }
        // tx is dropped here, the only sender: the channel is closed.
    });
    let reader = thread::spawn(move || {
        // The loop ends when the channel is closed and empty.
        for value in rx {
            println!("Get {value} from queue");
            thread::sleep(Duration::from_millis(200)); // handling it takes a while
        }
        println!("End of queue: the reader exits");
    });
    writer.join().expect("writer thread");
    reader.join().expect("reader thread");
}
