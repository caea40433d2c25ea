// Does not compile (error E0499): two threads would add to `total` at once.
use std::thread;

fn count(part: &[u64]) -> u64 {
    part.len() as u64
}

fn main() {
    let numbers = vec![1u64; 64];
    let mut total = 0;
    thread::scope(|s| {
        for part in numbers.chunks(8) {
            s.spawn(|| total += count(part));
        }
    });
    println!("{total}");
}
