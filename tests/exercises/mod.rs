//! The checks of the exercises: one module per exercise (`exercises/NAME`,
//! reference solution in `solutions/NAME`). They are `#[ignore]`d, so that a
//! plain `cargo test` (whose starters must fail) passes; `cargo xtask exercise`
//! runs them, and check-all runs them against every solution (all must pass)
//! and every starter (each must fail at least one).
//!
//! Like the lesson tests, a check runs the program as a child process and
//! asserts facts about what it did (every task once, exact counts, nothing
//! lost, no process left unreaped), never its exact text, and never its speed.
//! Messages are in the reader's language: `EXERCISE_LANG=zh` (which the xtask
//! sets from `LANG`) for Chinese, English otherwise.

mod distributed1;
mod distributed2;
mod fork1;
mod fork2;
mod fork3;
mod gil_contrast1;
mod gil_contrast2;
mod ipc_queue1;
mod ipc_queue2;
mod locking1;
mod locking2;
mod locking3;
mod pool1;
mod pool2;
mod pool3;
mod process1;
mod process2;
mod process3;
mod subprocess1;
mod subprocess2;
mod subprocess3;
mod thread_local1;
mod thread_local2;
mod thread_local3;
mod threads1;
mod threads2;
mod threads3;

use lesson_tests::{bin, number_after, run_reaped_within, Reaped, Run};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// A program that has not ended after this long is stopped, and the check
/// fails saying so. Not a speed test: a correct program ends in a second or
/// two; one that waits for something that never comes must not hang the checks.
const LIMIT: Duration = Duration::from_secs(30);

/// The program under test: the learner's (package NAME, in `exercises/`), or,
/// with `EXERCISE_FROM=solutions`, the reference solution (`NAME-solution`).
/// With `EXERCISE_PREBUILT=1` (the xtask has just built it) it runs as it is;
/// otherwise it is built first, package by package.
fn program(name: &str) -> PathBuf {
    let package = match std::env::var("EXERCISE_FROM").as_deref() {
        Ok("solutions") => format!("{name}-solution"),
        _ => name.to_string(),
    };
    if std::env::var_os("EXERCISE_PREBUILT").is_some_and(|v| v == "1") {
        // This test binary lives in <target>/<profile>/deps/.
        let exe = std::env::current_exe().expect("current_exe");
        let profile_dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
        return profile_dir.join(format!("{package}{}", std::env::consts::EXE_SUFFIX));
    }
    bin(&package)
}

/// True when the reader asked for Chinese messages.
pub fn zh() -> bool {
    std::env::var("EXERCISE_LANG").is_ok_and(|lang| lang.starts_with("zh"))
}

/// Fails the check with a message in the reader's language, followed by what
/// the program printed.
pub fn fail(en: &str, zh_text: &str, run: &Run) -> ! {
    let message = if zh() { zh_text } else { en };
    let (out, err) = if zh() {
        ("--- 你的程序的标准输出 ---", "--- 标准错误 ---")
    } else {
        ("--- your program's stdout ---", "--- its stderr ---")
    };
    let nothing = if zh() { "（空）\n" } else { "(nothing)\n" };
    let stdout = if run.stdout.is_empty() { nothing.to_string() } else { clip(&run.stdout) };
    let mut text = format!("{message}\n{out}\n{stdout}");
    if !run.stderr.is_empty() {
        text.push_str(&format!("{err}\n{}", clip(&run.stderr)));
    }
    panic!("{text}");
}

/// At most 40 lines of a program's output, for a message.
fn clip(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 40 {
        return text.to_string();
    }
    let shown: String = lines[..40].iter().map(|l| format!("{l}\n")).collect();
    format!("{shown}[… {} more lines]\n", lines.len() - 40)
}

/// `ensure!(condition, run, "English {x}", "中文 {x}")`: fails the check unless
/// the condition holds.
macro_rules! ensure {
    ($cond:expr, $run:expr, $en:literal, $zh:literal $(,)?) => {
        if !$cond {
            $crate::exercises::fail(&format!($en), &format!($zh), $run)
        }
    };
}
pub(crate) use ensure;

/// Runs exercise `name` with `args`, under the subreaper (see
/// [`lesson_tests::run_reaped`]), and checks what every exercise must do: end
/// by itself, reach no `todo!()`, and leave no process unreaped. Returns the
/// run, whatever its exit status.
pub fn run(name: &str, args: &[&str]) -> Reaped {
    let mut command = Command::new(program(name));
    command.args(args).env_remove("RUST_BACKTRACE");
    let reaped = run_reaped_within(command, Some(LIMIT));
    let run = &reaped.run;
    let secs = LIMIT.as_secs();
    ensure!(
        !reaped.hung,
        run,
        "your program was still running after {secs} s, and was stopped: is something waiting \
         for what never comes (a Sender still alive, a lock never released, a child never ended)?",
        "你的程序运行 {secs} 秒后仍未结束，已被终止：是不是有什么在等一件永远不会发生的事\
         （还活着的 Sender、从未释放的锁、从未结束的子进程）？",
    );
    let todo = run.stderr.contains("not yet implemented");
    ensure!(
        !todo,
        run,
        "your program reached a todo!(): that is the part to write",
        "你的程序执行到了 todo!()：这正是要你来写的部分",
    );
    let (unreaped, n) = (&reaped.unreaped, reaped.unreaped.len());
    ensure!(
        unreaped.is_empty(),
        run,
        "{n} process(es) of your program were never waited for by their parent (pids \
         {unreaped:?}): every child must be reaped (waitpid, or wait() on a Child), on every path",
        "你的程序里有 {n} 个进程从未被父进程等待（pid {unreaped:?}）：每个子进程都必须被回收\
         （waitpid，或者对 Child 调用 wait()），每条路径都是如此",
    );
    reaped
}

/// Runs exercise `name` and checks that it exited with status 0.
pub fn run_ok(name: &str, args: &[&str]) -> Reaped {
    let reaped = run(name, args);
    let run = &reaped.run;
    let status = run.status;
    ensure!(
        status.code() != Some(101),
        run,
        "your program panicked (exit status 101)",
        "你的程序 panic 了（退出状态 101）",
    );
    ensure!(
        status.success(),
        run,
        "your program ended with {status}, not with success",
        "你的程序以 {status} 结束，而不是成功退出",
    );
    reaped
}

/// The first whole number after `prefix` on the first line that has it.
pub fn number(text: &str, prefix: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let start = l.find(prefix)? + prefix.len();
        let digits: String = l[start..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// `number_after` for one line, as u32 (pids).
pub fn pid_after(line: &str, prefix: &str) -> Option<u32> {
    number_after(line, prefix)
}
