//! Exercise 7.3: the queue's guard no longer lives through the job; every
//! number is added exactly once.

use super::{ensure, number, run};

#[test]
#[ignore = "an exercise: cargo xtask exercise locking3"]
fn every_number_is_added_exactly_once() {
    let reaped = run("locking3", &[]);
    let run = &reaped.run;
    let deadlock = run.stderr.contains("deadlock");
    ensure!(
        !deadlock,
        run,
        "a worker thread asked for the queue's lock while it held it itself, and would have \
         waited forever: which guard is still alive when it locks the queue again?",
        "一个工作线程在自己持有队列锁的时候又去要这把锁，本会永远等下去：它再次锁队列时，\
         哪个守卫还活着？",
    );
    let status = run.status;
    ensure!(
        status.success(),
        run,
        "your program ended with {status}, not with success",
        "你的程序以 {status} 结束，而不是成功退出",
    );
    let numbers = number(&run.stdout, "added ");
    let total = number(&run.stdout, "total ");
    ensure!(
        numbers == Some(10_000) && total == Some(50_005_000),
        run,
        "expected `added 10000 numbers … total 50005000` (each of 1 to 10000 once), found \
         {numbers:?} numbers, total {total:?}",
        "应该是 `added 10000 numbers … total 50005000`（1 到 10000 每个数一次），实际是 \
         {numbers:?} 个数，总和 {total:?}",
    );
}
