//! The two helpers' own tests; the lesson's are in tests/subprocess.rs.

use super::*;
use std::process::{Command, Stdio};

/// `true` exits at once without reading its stdin, so writing 1 MiB to it
/// fails with a broken pipe: not an error of `communicate`, as in Python.
#[test]
fn communicate_ignores_a_child_that_reads_nothing() {
    let child = Command::new("true").stdin(Stdio::piped()).spawn().expect("spawn true");
    let output = communicate(child, &vec![b'x'; 1 << 20]).expect("no error");
    assert!(output.status.success());
}

#[test]
fn communicate_returns_stdout_and_stderr() {
    let mut sh = Command::new("sh");
    sh.args(["-c", "tr a-z A-Z; echo done >&2"]);
    let child = sh.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let output = communicate(child.expect("spawn sh"), b"abc\n").expect("output");
    assert_eq!((&output.stdout[..], &output.stderr[..]), (&b"ABC\n"[..], &b"done\n"[..]));
}

/// A child that ends within the limit: its status, not `None`.
#[test]
fn wait_timeout_returns_the_status_of_a_child_that_ends() {
    let mut child = Command::new("sh").args(["-c", "exit 7"]).spawn().expect("spawn sh");
    let status = wait_timeout(&mut child, Duration::from_secs(60)).expect("wait");
    assert_eq!(status.and_then(|s| s.code()), Some(7));
}

/// A child that outlives the limit: `None`, and it is still ours to kill and reap.
#[test]
fn wait_timeout_gives_up_on_a_child_that_runs_on() {
    let mut child = Command::new("sleep").arg("60").spawn().expect("spawn sleep");
    let status = wait_timeout(&mut child, Duration::from_millis(50)).expect("wait");
    child.kill().expect("kill");
    let killed = child.wait().expect("reap");
    assert!(status.is_none());
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&killed), Some(9));
}
