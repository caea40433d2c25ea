//! Exercise 4.2: an end marker tells a finished writer from a crashed one;
//! nothing sent before the crash is lost.

use super::{ensure, number, run_ok};

/// The reader's line of a round: (messages, ended properly?).
fn verdict<'a>(stdout: &'a str, round: &str) -> Option<(u64, bool, &'a str)> {
    let start = stdout.find(&format!("--- round {round} ---"))?;
    let rest = &stdout[start..];
    let line = rest.lines().find(|l| l.starts_with("reader:"))?;
    let proper = line.contains("ended properly");
    let early = line.contains("stopped before the end");
    (proper != early).then_some((number(line, "got ")?, proper, line))
}

#[test]
#[ignore = "an exercise: cargo xtask exercise ipc-queue2"]
fn a_finished_writer_ends_the_queue_properly() {
    let reaped = run_ok("ipc-queue2", &[]);
    let run = &reaped.run;
    let found = verdict(&run.stdout, "finish");
    let right = matches!(found, Some((5, true, _)));
    let found = found.map(|f| f.2);
    ensure!(
        right,
        run,
        "round finish: expected `reader: got 5 messages; the queue ended properly`, found \
         {found:?}",
        "finish 这一轮：应该是 `reader: got 5 messages; the queue ended properly`，实际是 \
         {found:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise ipc-queue2"]
fn a_crashed_writer_is_noticed_and_nothing_is_lost() {
    let reaped = run_ok("ipc-queue2", &[]);
    let run = &reaped.run;
    let found = verdict(&run.stdout, "crash");
    let right = matches!(found, Some((3, false, _)));
    let found = found.map(|f| f.2);
    ensure!(
        right,
        run,
        "round crash: the writer put 3 messages and died. Expected \
         `reader: got 3 messages; the writer stopped before the end`, found {found:?}",
        "crash 这一轮：写者放了 3 条消息就死了。应该是 \
         `reader: got 3 messages; the writer stopped before the end`，实际是 {found:?}",
    );
    let statuses = run.stdout.split("--- round crash ---").nth(1).unwrap_or_default();
    let reader_failed = statuses
        .lines()
        .any(|l| l.starts_with("parent:") && !l.trim_end().ends_with("reader exit status: 0"));
    ensure!(
        reader_failed,
        run,
        "round crash: the reader should end with an error (a status other than 0)",
        "crash 这一轮：读者应该以错误结束（退出状态不是 0）",
    );
}
