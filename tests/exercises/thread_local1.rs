//! Exercise 9.1: each thread counts in its own ThreadLocal slot; main gathers
//! the slots.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise thread-local1"]
fn every_multiple_of_seven_is_counted_once() {
    let reaped = run_ok("thread-local1", &[]);
    let run = &reaped.run;
    let total = number(&run.stdout, "total: ");
    ensure!(
        total == Some(142_857),
        run,
        "expected `total: 142857` (the multiples of 7 up to 1000000), found {total:?}",
        "应该是 `total: 142857`（1000000 以内 7 的倍数），实际是 {total:?}",
    );
    let line = run.lines().find(|l| l.starts_with("per thread: ")).unwrap_or_default();
    let slots: Vec<u64> = line
        .trim_start_matches("per thread: [")
        .trim_end_matches(']')
        .split(", ")
        .filter_map(|n| n.parse().ok())
        .collect();
    let sum: u64 = slots.iter().sum();
    ensure!(
        (1..=4).contains(&slots.len()) && Some(sum) == total,
        run,
        "expected one to four per-thread counts that add up to the total, found {slots:?}",
        "应该有一到四个线程各自的计数，加起来等于总数；实际是 {slots:?}",
    );
}
