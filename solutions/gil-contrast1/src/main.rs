//! Exercise 8.1 (chapter 8, gil-contrast): parallel, by one word. A solution.
//!
//! `par_iter()` hands the chunks to rayon's global pool, one thread per core:
//! idle threads steal chunks from busy ones, and `sum` adds the counts up in
//! whatever order they come. The chunks only read shared data (the slice),
//! which is why nothing else had to change.
//!
//! Run it:   cargo run -p gil-contrast1-solution

use gil_contrast::{count_chunk, split, Chunk};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const LIMIT: u64 = 200_000;

/// Counts the primes in `chunks`; counts in `on_pool` the chunks counted on
/// one of rayon's threads.
fn yours(chunks: &[Chunk], on_pool: &AtomicU64) -> u64 {
    chunks
        .par_iter()
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
