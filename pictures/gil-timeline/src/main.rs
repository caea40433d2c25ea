//! Which thread ran when: Rust's side of chapter 8's picture (timeline.py is
//! Python's). Two threads share gil-contrast's job, the primes below LIMIT in
//! 64 chunks, thread t taking chunks t, t+2, t+4, …; every STEP numbers, each
//! thread notes the wall clock before and after, and how much CPU time it got
//! in between (its own clock, CLOCK_THREAD_CPUTIME_ID). A slice whose CPU time
//! is close to its wall time ran on a core all along; one with little CPU time
//! waited (for a core here; for the GIL in Python).
//!
//! Prints one line per slice: `rust THREAD START_US END_US CPU_US`, times in
//! microseconds from just before the threads start. `cargo xtask pictures
//! --record` runs it, in release mode, and draws the picture from its lines.

#[cfg(unix)]
fn main() {
    use gil_contrast::{is_prime, CHUNKS};
    use nix::time::{clock_gettime, ClockId};
    use std::thread;
    use std::time::Instant;

    const LIMIT: u64 = 100_000;
    const THREADS: usize = 2;
    const STEP: u64 = 500;

    let cpu = || {
        let t = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).expect("a thread CPU clock");
        t.tv_sec() as f64 * 1e6 + t.tv_nsec() as f64 / 1e3
    };
    let size = LIMIT.div_ceil(CHUNKS);
    let chunks: Vec<(u64, u64)> =
        (0..CHUNKS).map(|i| ((i * size).min(LIMIT), ((i + 1) * size).min(LIMIT))).collect();
    let origin = Instant::now();
    let since = |t: Instant| t.duration_since(origin).as_secs_f64() * 1e6;
    let (chunks, since, cpu) = (&chunks, &since, &cpu);
    // Per thread: how many primes it found, and its slices (start, end, CPU time).
    type Slices = Vec<(f64, f64, f64)>;
    let threads: Vec<(usize, Slices)> = thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                s.spawn(move || {
                    let (mut primes, mut slices) = (0, Vec::new());
                    for &(start, end) in chunks.iter().skip(t).step_by(THREADS) {
                        for low in (start..end).step_by(STEP as usize) {
                            let (wall, cpu0) = (Instant::now(), cpu());
                            primes += (low..(low + STEP).min(end)).filter(|&n| is_prime(n)).count();
                            slices.push((since(wall), since(Instant::now()), cpu() - cpu0));
                        }
                    }
                    (primes, slices)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("a thread panicked")).collect()
    });
    for (t, (_, slices)) in threads.iter().enumerate() {
        for (start, end, cpu) in slices {
            println!("rust {t} {start:.1} {end:.1} {cpu:.1}");
        }
    }
    // The count, so that the work cannot be optimised away, and a check.
    let primes: usize = threads.iter().map(|(p, _)| p).sum();
    eprintln!("rust: {primes} primes below {LIMIT}");
}

#[cfg(not(unix))]
fn main() {
    eprintln!("gil-timeline needs a Unix system (a per-thread CPU clock)");
    std::process::exit(1);
}
