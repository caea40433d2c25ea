//! Exercise 7.1: four spawned threads add to one shared counter.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise locking1"]
fn every_addition_lands_in_mains_counter() {
    let reaped = run_ok("locking1", &[]);
    let run = &reaped.run;
    let count = number(&run.stdout, "count: ");
    ensure!(
        count == Some(400_000),
        run,
        "expected `count: 400000` (4 threads × 100000 additions, none lost), found {count:?}",
        "应该是 `count: 400000`（4 个线程 × 100000 次加法，一次都不丢），实际是 {count:?}",
    );
}
