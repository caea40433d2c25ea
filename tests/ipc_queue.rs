//! The ipc-queue lesson: the note's writer and reader, and its two endings.
//! The queue itself (framing, checks, a million messages through real pipes)
//! is tested by the crate's own unit tests: crates/ipc-queue/src/tests.rs.

use lesson_tests::{assert_output, group_lines, number_after, python, run, run_command};
use std::path::PathBuf;
use std::process::Command;

const KILL: &str = "--- kill: ";
const DRAIN: &str = "--- drain: ";

/// The lines of one ending, from its header to the next header.
fn section<'a>(stdout: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with(header));
    let first = lines.next().expect("section header");
    std::iter::once(first).chain(lines.take_while(|l| !l.starts_with("--- "))).collect()
}

/// Checks one ending's lines and returns (writer pid, reader pid, messages got).
fn check_ending(lines: &[&str], name: &str) -> (u32, u32, usize) {
    let text = lines.join("\n");
    let pid = |prefix: &str| {
        lines
            .iter()
            .find_map(|l| number_after(l, prefix))
            .unwrap_or_else(|| panic!("{prefix}\n{text}"))
    };
    let (writer, reader) = (pid("write pid: "), pid("read pid: "));
    assert_ne!(writer, reader, "{text}");
    // The writer puts A, B, C in order.
    let puts: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Put ")).collect();
    assert_eq!(puts, ["Put A into queue", "Put B into queue", "Put C into queue"], "{text}");
    // Whatever the reader got, it got in order, from the start, without gaps.
    let gets: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Get ")).collect();
    let expected = ["Get A from queue", "Get B from queue", "Get C from queue"];
    assert!(gets.len() <= 3 && gets == expected[..gets.len()], "{text}");
    // The count the parent prints is the count of Get lines: read <= written.
    let summary =
        format!("{name}: the writer put 3, the reader got {}: {} lost", gets.len(), 3 - gets.len());
    assert_eq!(lines.last(), Some(&summary.as_str()), "{text}");
    (writer, reader, gets.len())
}

/// Writer and reader print at the same time, so each ending's lines are
/// grouped: header, writer, reader, summary. Pids become `[pid]`. How many
/// messages the killed reader got depends on timing, so in the kill ending its
/// `Get` lines are left out and the counts become `[n]`.
fn normalize(stdout: &str) -> String {
    let key = |line: &str| match line {
        l if l.starts_with("--- ") => 0,
        l if l.starts_with("write pid") || l.starts_with("Put ") => 1,
        l if l.starts_with("kill:") || l.starts_with("drain:") => 3,
        _ => 2,
    };
    let mut text = String::new();
    for (header, kill) in [(KILL, true), (DRAIN, false)] {
        let grouped = group_lines(&section(stdout, header).join("\n"), key);
        for line in grouped.lines() {
            let line = match line.split_once("pid: ") {
                Some((role, _)) => format!("{role}pid: [pid]"),
                None if kill && line.starts_with("kill: ") => {
                    "kill: the writer put 3, the reader got [n]: [n] lost".to_string()
                }
                None if kill && line.starts_with("Get ") => continue,
                None => line.to_string(),
            };
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

#[test]
fn output() {
    let run = run("ipc-queue", &[]);
    run.assert_success();
    assert!(run.stderr.is_empty(), "{run}");
    let kill = section(&run.stdout, KILL);
    let drain = section(&run.stdout, DRAIN);
    assert_eq!(kill.len() + drain.len(), run.lines().count(), "{run}");

    let (kill_writer, kill_reader, _) = check_ending(&kill, "kill");
    let (drain_writer, drain_reader, got) = check_ending(&drain, "drain");
    // Four processes besides the parent, one writer and one reader per ending.
    let mut pids = vec![run.pid, kill_writer, kill_reader, drain_writer, drain_reader];
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 5, "{run}");
    // Drain: every message arrives, and the reader ends by itself.
    assert_eq!(got, 3, "{run}");
    assert!(drain.contains(&"End of queue: the reader exits"), "{run}");

    assert_output!("ipc-queue", "output", "cargo run -p ipc-queue", &run.stdout, normalize);
}

/// A child role runs only its own function: the reader, started on an empty
/// queue, says who it is and that the queue ended, and nothing of the parent.
#[test]
fn role_runs_only_its_function() {
    let run = run("ipc-queue", &["reader"]);
    run.assert_success();
    let pid = run.lines().next().and_then(|l| number_after(l, "read pid: "));
    assert_eq!(pid, Some(run.pid), "{run}");
    assert_eq!(run.lines().nth(1), Some("End of queue: the reader exits"), "{run}");
    assert_eq!(run.lines().count(), 2, "{run}");
}

/// Anything but a role is refused; it never falls through to the parent.
#[test]
fn unknown_role_is_refused() {
    for args in [&["writer", "x"][..], &["Reader"], &["--help"], &[""]] {
        run("ipc-queue", args).assert_usage_error("ipc-queue");
    }
    lesson_tests::assert_rejects_non_utf8("ipc-queue", &[]);
}

/// The corrected Python beside the crate runs and ends both ways.
#[test]
fn python_version_runs() {
    let Some(command) = python("crates/ipc-queue/ipc_queue.py") else { return };
    let run = run_command(command);
    run.assert_success();
    let (_, _, got) = check_ending(&section(&run.stdout, DRAIN), "drain");
    assert_eq!(got, 3, "{run}");
    // Python's reader counts in shared memory right after printing, so a kill
    // between the two may leave the count one short: check only read <= written.
    let kill = section(&run.stdout, KILL);
    let got = kill.last().and_then(|l| number_after(l, "the reader got ")).expect("summary");
    assert!(got <= 3, "{run}");
}

/// Builds an example of the ipc-queue crate next to this test binary.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let mut build = Command::new(std::env::var_os("CARGO").expect("run by cargo"));
    build.args(["build", "--quiet", "--package", "ipc-queue", "--example", name]);
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    assert!(build.status().expect("cargo build").success(), "building example {name}");
    profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The thread-side counterpart: every value arrives, in order, and the reader
/// ends by itself when the sender is dropped. The two threads' lines
/// interleave differently from run to run: the snapshot groups them.
#[test]
fn mpsc_example() {
    let run = run_command(Command::new(example("mpsc")));
    run.assert_success();
    let normalize = |stdout: &str| group_lines(stdout, |line| u8::from(!line.starts_with("Put ")));
    let command = "cargo run -p ipc-queue --example mpsc";
    assert_output!("ipc-queue", "mpsc", command, &run.stdout, normalize);
}
