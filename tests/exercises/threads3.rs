//! Exercise 6.3: four producers, one channel; the reader gets every number
//! once, and its loop ends by itself.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise threads3"]
fn every_number_arrives_once_and_the_loop_ends() {
    // run_ok fails, with a hint, if the program does not end by itself.
    let reaped = run_ok("threads3", &[]);
    let run = &reaped.run;
    let per: Vec<(u64, u64)> = run
        .lines()
        .filter_map(|l| Some((number(l, "from producer ")?, number(l, "received ")?)))
        .collect();
    let expected: Vec<(u64, u64)> = (0..4).map(|p| (p, 25)).collect();
    ensure!(
        per == expected,
        run,
        "expected 25 numbers from each of the producers 0 to 3, found (producer, count) \
         {per:?}",
        "应该从 0 到 3 号生产者各收到 25 个数，实际（生产者，数量）是 {per:?}",
    );
    let total = run.lines().find(|l| l.contains(" numbers, sum "));
    let (n, sum) = match total {
        Some(l) => (number(l, "received "), number(l, "sum ")),
        None => (None, None),
    };
    ensure!(
        n == Some(100) && sum == Some(5050),
        run,
        "expected `received 100 numbers, sum 5050` (each of 1 to 100 once), found {total:?}",
        "应该是 `received 100 numbers, sum 5050`（1 到 100 每个数一次），实际是 {total:?}",
    );
}
