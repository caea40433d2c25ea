//! Exercise 8.1: the same count, on rayon's threads. The speed-up the program
//! prints is not checked: it depends on the machine and its load.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise gil-contrast1"]
fn same_count_on_rayons_threads() {
    let reaped = run_ok("gil-contrast1", &[]);
    let run = &reaped.run;
    let line = |prefix: &str| run.lines().find(|l| l.starts_with(prefix)).unwrap_or_default();
    let (reference, yours) = (number(line("sequential: "), ": "), number(line("yours: "), ": "));
    ensure!(
        reference == Some(17_984) && yours == Some(17_984),
        run,
        "expected 17984 primes below 200000 both times, found {reference:?} and {yours:?}",
        "两次都应该是 200000 以下的 17984 个素数，实际是 {reference:?} 和 {yours:?}",
    );
    let on_pool = line("chunks counted on rayon's threads: ");
    let (counted, of) = (number(on_pool, "threads: "), number(on_pool, " of "));
    ensure!(
        counted == Some(64) && of == Some(64),
        run,
        "expected `chunks counted on rayon's threads: 64 of 64`, found {on_pool:?}",
        "应该是 `chunks counted on rayon's threads: 64 of 64`，实际是 {on_pool:?}",
    );
}
