// The note's counter without its lock, in Rust: four threads add to one
// variable. rustc rejects it (E0499), and the test suite checks that it does.
use std::thread;

fn main() {
    let mut counter = 0u64;
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..100_000 {
                    counter += 1;
                }
            });
        }
    });
    println!("{counter}");
}
