//! Exercise 5.2: file names are arguments, never code.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise subprocess2"]
fn every_file_is_counted_right() {
    let reaped = run_ok("subprocess2", &[]);
    let run = &reaped.run;
    for (name, lines) in [("plain.txt", 1), ("with space.txt", 2), ("x; touch INJECTED; y.txt", 3)]
    {
        let line = run.lines().find(|l| l.starts_with(&format!("file {name:?}: ")));
        let count = line.and_then(|l| number(l, "\": "));
        ensure!(
            count == Some(lines),
            run,
            "expected `file {name:?}: {lines} lines`, found {line:?}",
            "应该是 `file {name:?}: {lines} lines`，实际是 {line:?}",
        );
    }
}

#[test]
#[ignore = "an exercise: cargo xtask exercise subprocess2"]
fn nothing_hidden_in_a_name_runs() {
    let reaped = run_ok("subprocess2", &[]);
    let run = &reaped.run;
    let line = run.lines().find(|l| l.starts_with("files in the directory afterwards: "));
    let injected = line.is_some_and(|l| l.contains("\"INJECTED\""));
    ensure!(
        !injected,
        run,
        "a file named INJECTED appeared: a shell ran `touch INJECTED`, a command hidden in a \
         file name",
        "出现了一个名为 INJECTED 的文件：shell 执行了藏在文件名里的命令 `touch INJECTED`",
    );
    let files = line.and_then(|l| number(l, "afterwards: "));
    ensure!(
        files == Some(3),
        run,
        "expected the directory to hold its 3 files afterwards, found {line:?}",
        "运行之后目录里应该仍是那 3 个文件，实际是 {line:?}",
    );
}
