//! Faults that every lesson meets sooner or later, outside its own code: its
//! output closed early (`| head -1`) or full (`> /dev/full`), and SIGTERM.
//! Every crate under crates/ is run, so a new lesson is covered too.
//!
//! What must hold: no panic report, the status a Unix tool gives, and no
//! process left behind (the harness's `finish` checks the lesson's process
//! group). Where a lesson's children could end by themselves soon after their
//! parent, the test stops them first (SIGSTOP): a stopped child cannot end by
//! itself, so only the parent-death signal can end it, and the test shows
//! whether it does (see `spawn_under_sh` for the one other way it could end).

use lesson_tests::{bin, number_after, root, run_command, spawn, Run};
use std::process::Command;

/// Every lesson: the directories under crates/, each a crate whose binary has
/// its name. broker needs redis-server: without it, it is skipped, loudly.
fn lessons() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .flatten()
        .filter(|entry| entry.path().join("Cargo.toml").exists())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    names.retain(|name| name != "broker" || crate::broker::redis_installed("faults"));
    names
}

/// A lesson's command, with the environment it must not see: a backtrace
/// would change its stderr, and broker would use REDIS_URL's Redis instead of
/// starting its own.
fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.env_remove("RUST_BACKTRACE").env_remove("REDIS_URL");
    command
}

/// The panics some lessons cause on purpose, to show what a panic does.
const DELIBERATE: [&str; 2] = ["something went wrong", "crash before the deposit"];

/// No panic report on stderr but the lesson's deliberate ones.
fn assert_no_panic(lesson: &str, run: &Run) {
    let reports = run.stderr.lines().filter(|l| l.contains(" panicked at ")).count();
    let deliberate = run.stderr.lines().filter(|l| DELIBERATE.contains(l)).count();
    assert_eq!(reports, deliberate, "{lesson} panicked\n{run}");
    assert!(!run.stderr.contains("failed printing"), "{lesson}\n{run}");
}

/// `LESSON | head -1`, as a reader types it. The lesson's status is bash's:
/// 0 if it printed everything before head exited, 141 (killed by SIGPIPE,
/// 128 + 13) if it wrote after that, as `yes | head -1` ends `yes`.
#[test]
fn piped_into_head_every_lesson_ends_quietly() {
    for lesson in lessons() {
        let mut command = command("bash");
        let script = r#""$0" | head -1; exit "${PIPESTATUS[0]}""#;
        command.args(["-c", script]).arg(bin(&lesson));
        let run = run_command(command);
        assert_eq!(run.stdout.lines().count(), 1, "{lesson}\n{run}");
        assert_no_panic(&lesson, &run);
        let status = run.status.code();
        assert!(matches!(status, Some(0 | 141)), "{lesson}: {}\n{run}", run.status);
    }
}

/// The lesson's stdout is a pipe whose reader has already gone, so its very
/// first line fails with EPIPE, every time: killed by SIGPIPE at once, not a
/// word on stderr. (The subshell writes into the pipe until the `:` reading
/// it has exited, then becomes the lesson.)
#[test]
fn with_no_reader_every_lesson_dies_of_sigpipe_silently() {
    for lesson in lessons() {
        let mut command = command("bash");
        let script = r#"trap '' PIPE
            { while printf x 2>/dev/null; do :; done; exec "$0"; } | :
            exit "${PIPESTATUS[0]}""#;
        command.args(["-c", script]).arg(bin(&lesson));
        let run = run_command(command);
        assert_eq!(run.status.code(), Some(141), "{lesson}: {}\n{run}", run.status);
        assert_eq!(run.stderr, "", "{lesson}\n{run}");
    }
}

/// `LESSON > /dev/full`: every write fails with ENOSPC. One line says so, and
/// the status is 1. (fork's parent and child each print their first line, so
/// each says it once.)
#[test]
fn on_a_full_disk_every_lesson_says_so_in_one_line() {
    for lesson in lessons() {
        let mut command = command("sh");
        command.args(["-c", r#"exec "$0" > /dev/full"#]).arg(bin(&lesson));
        let run = run_command(command);
        assert_eq!(run.status.code(), Some(1), "{lesson}: {}\n{run}", run.status);
        let line =
            format!("{lesson}: cannot write to stdout: No space left on device (os error 28)");
        let most = if lesson == "fork" { 2 } else { 1 };
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert!((1..=most).contains(&lines.len()), "{lesson}\n{run}");
        assert!(lines.iter().all(|l| *l == line), "{lesson}\n{run}");
    }
}

/// The line after which a lesson is busy with its children, where it has any.
fn busy(lesson: &str) -> fn(&str) -> bool {
    match lesson {
        "pool" => |l| l.starts_with("child "),
        "ipc-queue" => |l| l.starts_with("read pid: "),
        "subprocess" => |l| l.starts_with("$ sleep 10"),
        "distributed" | "broker" => |l| l.contains("] run task "),
        "process" => |l| l.starts_with("parent: child test joined"),
        _ => |_| true,
    }
}

/// `kill -TERM` to each lesson while it works: it ends (or had already ended)
/// without a panic, and leaves no process behind.
#[test]
fn sigterm_to_any_lesson_leaves_no_process() {
    for lesson in lessons() {
        let mut p = spawn(command(bin(&lesson)));
        p.wait_for(busy(&lesson));
        p.signal("TERM");
        let run = p.finish();
        assert_no_panic(&lesson, &run);
    }
}

/// Live processes (not zombies) whose parent is `parent`, with their names.
pub(crate) fn children(parent: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid ...
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if fields.first() != Some(&"Z") && fields.get(1) == Some(&parent.to_string().as_str()) {
            found.push((pid, stat[open + 1..close].to_string()));
        }
    }
    found
}

/// The state letter of a process (`T` when stopped), if it is still there.
fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].split_whitespace().next()?.chars().next()
}

/// Whether a process is on its way out: SIGKILL pending (sent, but the
/// process has not run since to act on it), or exiting already (PF_EXITING
/// in its flags). Either way nothing can stop it now.
fn dying(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let sigkill = 1 << (9 - 1); // signal 9's bit in the masks
    let pending = status
        .lines()
        .filter_map(|l| l.strip_prefix("SigPnd:").or_else(|| l.strip_prefix("ShdPnd:")))
        .any(|mask| u64::from_str_radix(mask.trim(), 16).is_ok_and(|m| m & sigkill != 0));
    // pid (comm) state ppid pgrp session tty tpgid flags ...
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let flags = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(6));
    let exiting = flags.and_then(|f| f.parse::<u32>().ok()).is_some_and(|f| f & 0x4 != 0);
    pending || exiting
}

/// `kill -SIGNAL PID` for a process that is not the lesson itself; it may be
/// gone already, which is no error here.
fn kill(signal: &str, pid: u32) {
    let _ = Command::new("kill").args([format!("-{signal}"), pid.to_string()]).status();
}

/// Stops a process (SIGSTOP) and waits until it has stopped: true, or gone:
/// false. A busy machine may take a while to schedule it to stop.
fn stop(pid: u32) -> bool {
    kill("STOP", pid);
    for _ in 0..1_000_000 {
        match state(pid) {
            Some('T') => return true,
            None | Some('Z') => return false,
            _ => std::thread::yield_now(),
        }
    }
    panic!("{pid} never stopped")
}

/// Runs a lesson under `sh`, which stops itself once the lesson has ended.
/// Why: when the lesson dies, its children's process group must not become
/// orphaned while one of them is stopped, or the kernel would end them with
/// SIGHUP itself (POSIX's rule for orphaned groups) and hide whether the
/// parent-death signal did. The waiting `sh`, whose parent is this test,
/// keeps the group attached.
fn spawn_under_sh(lesson: &str) -> lesson_tests::Spawned {
    let mut command = command("sh");
    command.args(["-c", r#""$0"; kill -STOP $$"#]).arg(bin(lesson));
    spawn(command)
}

/// The lesson's pid: the child of `sh` that runs it.
fn lesson_pid(sh: &lesson_tests::Spawned, lesson: &str) -> u32 {
    let found = children(sh.pid()).into_iter().find(|(_, name)| name == lesson);
    found.expect("the lesson runs under sh").0
}

/// Ends the stopped lesson with SIGTERM (delivered once it continues), waits
/// until `sh` has reaped it and stopped itself, and checks that `children`,
/// stopped, are gone all the same: only the parent-death signal ends a
/// stopped process that nobody else signals. Then lets `sh` finish.
fn terminate_and_check(sh: lesson_tests::Spawned, lesson: u32, children: &[u32]) {
    kill("TERM", lesson);
    kill("CONT", lesson);
    let mut waits = 0;
    while state(sh.pid()) != Some('T') {
        waits += 1;
        assert!(waits < 1_000_000, "sh never got past the lesson\n{sh}");
        std::thread::yield_now();
    }
    // A child that got SIGKILL may not have run yet to die of it (state R
    // for a moment, longer on a busy machine: then the kill is pending, or it
    // is exiting); one that got nothing stays stopped (T) for good.
    for &pid in children {
        let mut left = state(pid);
        for _ in 0..100_000 {
            if matches!(left, None | Some('Z') | Some('T')) {
                break;
            }
            std::thread::yield_now();
            left = state(pid);
        }
        let dead = matches!(left, None | Some('Z')) || (left != Some('T') && dying(pid));
        assert!(dead, "child {pid} outlived its parent: {left:?}");
    }
    sh.signal("CONT");
    sh.finish().assert_success();
}

/// SIGTERM to ipc-queue's parent while its writer and reader run: the kernel
/// kills both (their parent-death signal). Stopped first, they could not end
/// by themselves; the parent too, so that it cannot kill or reap them.
#[test]
fn ipc_queue_children_die_with_their_parent() {
    for attempt in 1..=3 {
        let mut sh = spawn_under_sh("ipc-queue");
        let writer = number_after(&sh.wait_for(|l| l.starts_with("write pid: ")), "write pid: ");
        let reader = number_after(&sh.wait_for(|l| l.starts_with("read pid: ")), "read pid: ");
        let (writer, reader) = (writer.expect("writer pid"), reader.expect("reader pid"));
        let lesson = lesson_pid(&sh, "ipc-queue");
        stop(lesson);
        stop(writer);
        // The writer may have finished already (it puts 3 messages within 0.3 s);
        // the reader takes 0.2 s per message, so it is normally still there.
        if !stop(reader) {
            eprintln!("ipc_queue_children_die_with_their_parent: attempt {attempt}: too late");
            continue;
        }
        terminate_and_check(sh, lesson, &[writer, reader]);
        return;
    }
    panic!("the reader was never caught running in 3 attempts");
}

/// SIGTERM to subprocess while its `sleep 10` runs (the timeout example): the
/// kernel kills the sleep, which `dies_with_us` started.
#[test]
fn subprocess_sleep_dies_with_its_parent() {
    for attempt in 1..=3 {
        let mut sh = spawn_under_sh("subprocess");
        sh.wait_for(|l| l == "$ sleep 10  # timeout 500ms");
        let lesson = lesson_pid(&sh, "subprocess");
        // The lesson gives sleep 0.5 s, then kills it: find it before that.
        let mut sleep = None;
        for _ in 0..10_000 {
            sleep = children(lesson).into_iter().find(|(_, name)| name == "sleep");
            if sleep.is_some() {
                break;
            }
            std::thread::yield_now();
        }
        let Some((sleep, _)) = sleep else {
            eprintln!("subprocess_sleep_dies_with_its_parent: attempt {attempt}: missed it");
            continue;
        };
        stop(lesson);
        if !stop(sleep) {
            eprintln!("subprocess_sleep_dies_with_its_parent: attempt {attempt}: too late");
            continue;
        }
        terminate_and_check(sh, lesson, &[sleep]);
        return;
    }
    panic!("the sleep was never caught running in 3 attempts");
}

/// SIGTERM to broker's demo while its workers run: the kernel kills its
/// redis-server (started through the launcher) and its two workers (which
/// asked for themselves). Stopped first, none can end by itself, and a
/// worker cannot notice that Redis is gone.
#[test]
fn broker_children_die_with_their_parent() {
    if !crate::broker::redis_installed("broker_children_die_with_their_parent") {
        return;
    }
    for attempt in 1..=3 {
        let mut sh = spawn_under_sh("broker");
        sh.wait_for(|l| l.contains("] run task "));
        let lesson = lesson_pid(&sh, "broker");
        stop(lesson);
        let mut found = children(lesson);
        found.sort_by(|a, b| a.1.cmp(&b.1));
        let names: Vec<&str> = found.iter().map(|(_, name)| name.as_str()).collect();
        // Both workers were started before the first task ran; one may have
        // finished, if the machine was slow to get here (then try again).
        if names != ["broker", "broker", "redis-server"] || !found.iter().all(|&(p, _)| stop(p)) {
            eprintln!("broker_children_die_with_their_parent: attempt {attempt}: {names:?}");
            continue; // dropping `sh` kills its group
        }
        let pids: Vec<u32> = found.iter().map(|&(pid, _)| pid).collect();
        terminate_and_check(sh, lesson, &pids);
        return;
    }
    panic!("broker's workers and server were never caught running in 3 attempts");
}

/// The runs chapter 4 shows: ipc-queue piped into `head -1`, whose status
/// bash reports as 141 (killed by SIGPIPE) beside head's 0; and ipc-queue on
/// a full disk, one line and status 1. The lesson runs for a second or more,
/// so it always writes again after head has exited.
#[test]
fn ipc_queue_closed_output_runs() {
    let lesson = bin("ipc-queue");
    let mut command = Command::new("bash");
    command.args(["-c", r#""$0" | head -1; echo "${PIPESTATUS[@]}""#]).arg(&lesson);
    let run = run_command(command);
    let header = "--- kill: join the writer, then terminate the reader (as in the note) ---";
    assert_eq!(run.stdout, format!("{header}\n141 0\n"), "{run}");
    assert_eq!(run.stderr, "", "{run}");
    let shown = "cargo run -q -p ipc-queue | head -1; echo ${PIPESTATUS[@]}";
    lesson_tests::assert_output!("ipc-queue", "head", shown, &run.stdout, str::to_string);

    let mut command = Command::new("sh");
    command.args(["-c", r#"{ "$0" > /dev/full; echo $?; } 2>&1"#]).arg(&lesson);
    let run = run_command(command);
    let line = "ipc-queue: cannot write to stdout: No space left on device (os error 28)";
    assert_eq!(run.stdout, format!("{line}\n1\n"), "{run}");
    let shown = "cargo run -q -p ipc-queue > /dev/full; echo $?";
    lesson_tests::assert_output!("ipc-queue", "full", shown, &run.stdout, str::to_string);
}
