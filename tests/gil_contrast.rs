use lesson_tests::{bin, run_command, Run};
use std::process::Command;
use std::sync::Mutex;

/// π(200000): the lesson counts the primes below 200000.
const PRIMES: &str = "17984";

/// The lesson's runs take turns: each measures how fast the machine counts
/// primes, and the run the chapter shows should not share the cores with
/// another run of the same lesson.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn lesson(python: Option<&str>) -> Run {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut command = Command::new(bin("gil-contrast"));
    match python {
        Some(python) => command.env("PYTHON", python),
        None => command.env_remove("PYTHON"),
    };
    let run = run_command(command);
    run.assert_success();
    run
}

/// The facts every run must show: each runner found the same number of primes,
/// the right one, and the lesson says so.
fn assert_results(run: &Run, rows: &[&str]) {
    for row in rows {
        let line = run.lines().find(|l| l.starts_with(&format!("{row} "))).expect(row);
        let counts: Vec<&str> =
            line.split('|').skip(1).filter_map(|cell| cell.split_whitespace().next()).collect();
        assert!(!counts.is_empty() && counts.iter().all(|c| *c == PRIMES), "{row}: {line}\n{run}");
    }
    let agree = format!("All results agree: {PRIMES} primes below 200000.");
    assert!(run.lines().any(|l| l == agree), "{run}");
}

/// The rows of the table, named as the lesson names them on this machine.
fn rows(run: &Run) -> [String; 4] {
    let line = run.lines().next().expect("a first line");
    let n = lesson_tests::number_after(line, ", on ").expect("on N threads");
    let threads = if n == 1 { "1 thread".to_string() } else { format!("{n} threads") };
    let processes = if n == 1 { "1 process".to_string() } else { format!("{n} processes") };
    ["sequential".into(), threads.clone(), format!("rayon, {threads}"), processes]
}

/// Timings change on every run, and the number of threads and Python's version
/// from machine to machine: these filters make them placeholders. Runs of
/// spaces become one, because the first column is as wide as its longest
/// label, which depends on the number of threads.
const FILTERS: [(&str, &str); 7] = [
    (r"Python 3\.\d+\.\S+,", "Python [version],"),
    (r"\d+\.\d ms", "[time]"),
    (r"\d+\.\d\dx", "[speed-up]"),
    (r"Rust is \d+x", "Rust is [ratio]x"),
    (r"\b\d+ threads?\b", "[n] threads"),
    (r"\b\d+ process(es)?\b", "[n] processes"),
    (r" {2,}", " "),
];

#[test]
fn output() {
    let run = lesson(None);
    let rows = rows(&run);
    // Python is optional. Without python3 the lesson says so and shows Rust
    // alone (the no_python test snapshots that); the Rust rows still count.
    if !lesson_tests::python3_found() {
        lesson_tests::skipped("python3 not found: checked the Rust rows only, not the snapshot");
        let missing = "Python: `python3` not found, so Rust only";
        assert!(run.lines().any(|l| l.starts_with(missing)), "{run}");
        assert_results(&run, &[&rows[0], &rows[1], &rows[2]]);
        return;
    }
    let about = run.lines().find(|l| l.starts_with("Python 3.")).expect("a Python line");
    assert!(
        about.contains("free-threaded build: yes") || about.contains("free-threaded build: no"),
        "{run}"
    );
    assert_results(&run, &rows.each_ref().map(String::as_str));
    insta::with_settings!({filters => FILTERS.to_vec()}, {
        let (command, text) = ("cargo run -p gil-contrast", &run.stdout);
        lesson_tests::assert_output!("gil-contrast", "output", command, text, str::to_string);
    });
}

#[test]
fn no_python() {
    let run = lesson(Some("/nonexistent/python3"));
    let missing = "Python: `/nonexistent/python3` not found, so Rust only (set PYTHON to name an interpreter).";
    assert!(run.lines().any(|l| l == missing), "{run}");
    let rows = rows(&run);
    assert!(!run.lines().any(|l| l.starts_with(&rows[3])), "{run}");
    assert_results(&run, &[&rows[0], &rows[1], &rows[2]]);
    insta::with_settings!({filters => FILTERS.to_vec()}, {
        insta::assert_snapshot!("no_python", run.stdout);
    });
}
