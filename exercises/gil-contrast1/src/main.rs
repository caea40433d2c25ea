//! Exercise 8.1 (chapter 8, gil-contrast): parallel, by one word.
//!
//! This program counts the primes below 200 000 with the lesson's job (64
//! chunks, trial division), twice: once sequentially, as a reference, and
//! once in `yours`, which is sequential too, so far.
//!
//! Your task: make `yours` count the chunks on rayon's pool of threads. The
//! count must stay the same, and every chunk must be counted on one of
//! rayon's threads: `chunks counted on rayon's threads: 64 of 64`. The
//! program also prints the speed-up, for you to see; the checks never look at
//! it (it depends on the machine, and on what else runs on it).
//!
//! The checks run the program and check the two counts and where the chunks
//! were counted.
//!
//! Run it:   cargo run -p gil-contrast1
//! Check it: cargo xtask exercise gil-contrast1

use gil_contrast::{count_chunk, split, Chunk};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const LIMIT: u64 = 200_000;

/// Counts the primes in `chunks`; counts in `on_pool` the chunks counted on
/// one of rayon's threads.
fn yours(chunks: &[Chunk], on_pool: &AtomicU64) -> u64 {
    // TODO: on rayon's threads.
    chunks
        .iter()
        .map(|chunk| {
            if rayon::current_thread_index().is_some() {
                on_pool.fetch_add(1, Ordering::Relaxed);
            }
            count_chunk(chunk)
        })
        .sum()
}

fn main() {
    let chunks = split(LIMIT);

    let start = Instant::now();
    let expected: u64 = chunks.iter().map(count_chunk).sum();
    let sequential = start.elapsed();
    println!("sequential: {expected} primes below {LIMIT}, in {sequential:.1?}");

    let on_pool = AtomicU64::new(0);
    let start = Instant::now();
    let primes = yours(&chunks, &on_pool);
    let took = start.elapsed();
    println!("yours: {primes} primes below {LIMIT}, in {took:.1?}");
    println!("chunks counted on rayon's threads: {} of {}", on_pool.into_inner(), chunks.len());
    // Shown, never checked: it depends on the machine and on what else runs.
    println!("speed-up: {:.1}", sequential.as_secs_f64() / took.as_secs_f64());
}
