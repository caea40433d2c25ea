//! Exercise 6.3 (chapter 6, threads): many writers, one reader. A solution.
//!
//! Each producer owns a clone of the `Sender` ("multiple producer"). The
//! reader's loop ends when every `Sender` is gone: each producer's goes when
//! its thread ends, and `main` drops the original, which it does not use, at
//! once. Keep it, and the loop waits forever for a message nobody will send.
//!
//! Run it:   cargo run -p threads3-solution

use std::sync::mpsc;
use std::thread;

const PRODUCERS: usize = 4;
const EACH: u64 = 25;

fn main() {
    let (tx, rx) = mpsc::channel::<(usize, u64)>();
    let mut producers = Vec::new();

    for p in 0..PRODUCERS {
        let tx = tx.clone();
        producers.push(thread::spawn(move || {
            let first = EACH * p as u64 + 1;
            for n in first..first + EACH {
                tx.send((p, n)).unwrap();
            }
        }));
    }
    // main sends nothing: its Sender must go, or the loop below never ends.
    drop(tx);

    let mut per_producer = [0u64; PRODUCERS];
    let (mut count, mut sum) = (0, 0);
    for (p, n) in rx {
        per_producer[p] += 1;
        count += 1;
        sum += n;
    }
    for producer in producers {
        producer.join().unwrap();
    }
    for (p, received) in per_producer.iter().enumerate() {
        println!("received {received} from producer {p}");
    }
    println!("received {count} numbers, sum {sum}");
}
