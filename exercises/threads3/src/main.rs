//! Exercise 6.3 (chapter 6, threads): many writers, one reader.
//!
//! Four producer threads should share one channel: producer P sends the
//! pairs `(P, n)` for the 25 numbers n from 25P+1 to 25P+25, so that together
//! they send every number from 1 to 100 once. `main` reads the channel until
//! it closes, and counts. As given, only producer 0 exists.
//!
//! Your task: start all four producers, each sending through its own clone of
//! the `Sender`. `main`'s `for` loop must end by itself, with every number
//! received. It prints `received N from producer P` for each producer, then
//! `received C numbers, sum S`.
//!
//! The checks run the program and check the counts per producer, the total
//! count and the sum, and that the program ends.
//!
//! Run it:   cargo run -p threads3
//! Check it: cargo xtask exercise threads3

use std::sync::mpsc;
use std::thread;

const PRODUCERS: usize = 4;
const EACH: u64 = 25;

fn main() {
    let (tx, rx) = mpsc::channel::<(usize, u64)>();
    let mut producers = Vec::new();

    // TODO: PRODUCERS producers, each with its own clone of `tx`.
    let p = 0;
    producers.push(thread::spawn(move || {
        let first = EACH * p as u64 + 1;
        for n in first..first + EACH {
            tx.send((p, n)).unwrap();
        }
    }));

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
