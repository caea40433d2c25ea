//! Exercise 6.1: each thread's sum comes back through join, printed by main in
//! join order.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise threads1"]
fn main_prints_each_sum_in_join_order_and_the_total() {
    let reaped = run_ok("threads1", &[]);
    let run = &reaped.run;
    let sums: Vec<(u64, u64)> = run
        .lines()
        .filter_map(|l| {
            let i = number(l, "summer-")?;
            Some((i, number(l, ": ")?))
        })
        .collect();
    // summer-i adds up 250i+1 ..= 250i+250.
    let expected: Vec<(u64, u64)> =
        (0..4).map(|i| (i, (250 * i + 1..=250 * i + 250).sum())).collect();
    ensure!(
        sums == expected,
        run,
        "expected the lines `summer-N: SUM` in the order 0, 1, 2, 3, with the sums \
         {expected:?}; found {sums:?}",
        "应该按 0、1、2、3 的顺序打印 `summer-N: SUM`，和分别为 {expected:?}；实际是 {sums:?}",
    );
    let total = number(&run.stdout, "total: ");
    ensure!(
        total == Some(500_500),
        run,
        "expected `total: 500500` (1 + 2 + … + 1000), found {total:?}",
        "应该是 `total: 500500`（1 + 2 + … + 1000），实际是 {total:?}",
    );
}
