use insta::assert_snapshot;
use lesson_tests::{
    bin, group_lines, number_after, python, replace_numbers, run, run_command, PidNames,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

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
    let writer = lines
        .iter()
        .find_map(|l| number_after(l, "write pid: "))
        .unwrap_or_else(|| panic!("write pid\n{text}"));
    let reader = lines
        .iter()
        .find_map(|l| number_after(l, "read pid: "))
        .unwrap_or_else(|| panic!("read pid\n{text}"));
    assert_ne!(writer, reader, "{text}");
    // The writer puts A, B, C in order.
    let puts: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Put ")).collect();
    assert_eq!(puts, ["Put A into queue", "Put B into queue", "Put C into queue"], "{text}");
    // Whatever the reader got, it got in order, from the start, without gaps.
    let gets: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Get ")).collect();
    let expected = ["Get A from queue", "Get B from queue", "Get C from queue"];
    assert!(gets.len() <= 3 && gets == expected[..gets.len()], "{text}");
    // The count it prints is the count of Get lines: read <= written.
    let summary =
        format!("{name}: the writer put 3, the reader got {}: {} lost", gets.len(), 3 - gets.len());
    assert_eq!(lines.last(), Some(&summary.as_str()), "{text}");
    (writer, reader, gets.len())
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
    // Drain: every message arrives, and the reader ends by itself.
    assert_eq!(got, 3, "{run}");
    assert!(drain.contains(&"End of queue: the reader exits"), "{run}");

    // Writer and reader print at the same time; show each one's lines
    // together: header, writer, reader, summary. How many messages the killed
    // reader got depends on timing (usually 1 or 2 of 3): the snapshot shows
    // its Get lines as one line, and the counts as [n].
    let key = |line: &str| match line {
        l if l.starts_with("--- ") => 0,
        l if l.starts_with("write pid") || l.starts_with("Put ") => 1,
        l if l.starts_with("kill:") || l.starts_with("drain:") => 3,
        _ => 2,
    };
    let placeholder = "[\"Get X from queue\" for each message it got before the kill, in order]";
    let kill: String = group_lines(&kill.join("\n"), key)
        .lines()
        .filter(|l| !l.starts_with("Get ") && !l.starts_with("End of queue"))
        .flat_map(|l| if l.starts_with("read pid") { vec![l, placeholder] } else { vec![l] })
        .map(|l| match l.split_once("got ") {
            Some((head, counts)) => {
                format!("{head}got {}\n", replace_numbers(counts, |_| Some("[n]".into())))
            }
            None => format!("{l}\n"),
        })
        .collect();
    let text = kill + &group_lines(&drain.join("\n"), key);
    let mut names = PidNames::new();
    names.add(kill_writer).add(kill_reader).add(drain_writer).add(drain_reader);
    assert_snapshot!("output", names.apply(&text));
}

/// The drain path at scale: a million messages, each checked by the reader
/// (sequence number and checksum), and their count at the end of the queue.
#[test]
fn drain_delivers_a_million_messages_in_order() {
    let run = run("ipc-queue", &["--count", "1000000", "--size", "16"]);
    run.assert_success();
    let lines: Vec<&str> = run.lines().collect();
    assert!(lines.contains(&"reader: 1000000 messages, in order, every checksum right"), "{run}");
    // The two lines the benchmark parses, once each, as decimal numbers.
    for key in ["messages/s: ", "MB/s: "] {
        let values: Vec<f64> =
            lines.iter().filter_map(|l| l.strip_prefix(key)?.parse().ok()).collect();
        assert!(values.len() == 1 && values[0] > 0.0, "{key}\n{run}");
    }
    // Timings differ on every run.
    let text: String = lines
        .iter()
        .map(|l| match l.split_once(": ") {
            Some((key @ ("seconds" | "messages/s" | "MB/s"), _)) => format!("{key}: [n]\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    assert_snapshot!("throughput", text);
}

#[test]
fn raw_pipe_ceiling() {
    let run = run("ipc-queue", &["--raw", "--count", "1000", "--size", "1000"]);
    run.assert_success();
    assert!(run.lines().any(|l| l == "reader: 1000000 bytes"), "{run}");
    assert!(run
        .lines()
        .any(|l| l.strip_prefix("MB/s: ").is_some_and(|v| v.parse::<f64>().is_ok())));
    assert!(!run.stdout.contains("messages/s"), "{run}");
}

/// Frames as the lesson writes them: length, sequence number, checksum, body.
fn frame(seq: u64, body: &[u8]) -> Vec<u8> {
    let (mut sum, mut sum_of_sums) = (0_u64, 0_u64);
    let mut words = body.chunks_exact(8);
    for word in &mut words {
        sum = sum.wrapping_add(u64::from_le_bytes(word.try_into().unwrap()));
        sum_of_sums = sum_of_sums.wrapping_add(sum);
    }
    for &byte in words.remainder() {
        sum = sum.wrapping_add(u64::from(byte));
        sum_of_sums = sum_of_sums.wrapping_add(sum);
    }
    let check = sum ^ sum_of_sums.rotate_left(32);
    let mut frame = ((16 + body.len()) as u32).to_le_bytes().to_vec();
    frame.extend(seq.to_le_bytes());
    frame.extend((check ^ seq).to_le_bytes());
    frame.extend(body);
    frame
}

/// The reader's checks are real: fed a stream by hand, it accepts the right
/// one and rejects a lost, reordered, corrupted or cut-off message.
#[test]
fn reader_rejects_lost_reordered_corrupt_or_truncated_messages() {
    let body = b"twenty-four bytes of body";
    let good: Vec<Vec<u8>> = (0..3).map(|seq| frame(seq, body)).collect();
    let mut corrupt = good.clone();
    corrupt[1][30] ^= 1;
    let cases: [(&str, Vec<u8>, Option<&str>); 6] = [
        ("good", good.concat(), None),
        ("lost", [&good[0][..], &good[2]].concat(), Some("message 1 is wrong")),
        ("reordered", [&good[1][..], &good[0], &good[2]].concat(), Some("message 0 is wrong")),
        ("corrupt", corrupt.concat(), Some("message 1 is wrong")),
        ("short", good[..2].concat(), Some("got 2 of 3 messages")),
        ("truncated", good.concat()[..good.concat().len() - 1].to_vec(), Some("inside a message")),
    ];
    let size = (16 + body.len()).to_string();
    for (name, stream, error) in cases {
        let mut reader = Command::new(bin("ipc-queue"))
            .args(["__reader", "--count", "3", "--size", &size])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn reader");
        // Dropping stdin after the write ends the queue. (A reader that stops
        // early may close the pipe first: ignore that write error.)
        let _ = reader.stdin.take().unwrap().write_all(&stream);
        let out = reader.wait_with_output().expect("reader output");
        let stderr = String::from_utf8_lossy(&out.stderr);
        match error {
            None => assert!(out.status.success(), "{name}: {stderr}"),
            Some(error) => {
                assert_eq!(out.status.code(), Some(1), "{name}");
                assert!(
                    stderr.starts_with("ipc-queue: reader: ") && stderr.contains(error),
                    "{name}: {stderr}"
                );
            }
        }
    }
}

#[test]
fn help_and_bad_arguments() {
    let help = run("ipc-queue", &["--help"]);
    help.assert_success();
    assert!(help.stdout.starts_with("usage: ipc-queue"), "{help}");
    for args in [
        &["--count", "abc"][..],
        &["--size", "-1"],
        &["--size", "0"],
        &["--size", "15"],
        &["--size", "67108865"],
        &["--size", "99999999999999999999999"],
        &["--count", "0"],
        &["--count"],
        &["--count", "10", "--size"],
        &["--bogus"],
        &["--raw", "extra"],
    ] {
        run("ipc-queue", args).assert_usage_error("ipc-queue");
    }
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
/// ends by itself when the sender is dropped.
#[test]
fn mpsc_example() {
    let run = run_command(Command::new(example("mpsc")));
    run.assert_success();
    let key = |line: &str| u8::from(!line.starts_with("Put "));
    assert_snapshot!("mpsc", group_lines(&run.stdout, key));
}
