use insta::assert_snapshot;
use lesson_tests::{bin, panic_reports, python, run, run_command, run_with_features};
use std::path::Path;
use std::process::Command;

#[test]
fn output() {
    // Without RUST_BACKTRACE, std's panic hook prints the message and a hint,
    // no backtrace: what a reader sees by default.
    let mut command = Command::new(bin("locking"));
    command.env_remove("RUST_BACKTRACE");
    let run = run_command(command);
    run.assert_success();

    // The facts: every counter is exact; the poisoned std mutex says Err and
    // still gives the data; parking_lot gives the half-done data silently.
    let lines: Vec<&str> = run.lines().collect();
    assert_eq!(lines[0], "4 threads x 100000 increments, expected 400000", "{run}");
    for name in ["std::sync::Mutex", "parking_lot::Mutex", "AtomicU64"] {
        assert!(lines.contains(&format!("{name:<18}: 400000").as_str()), "{name}\n{run}");
    }
    assert!(lines
        .iter()
        .any(|l| l.contains("lock() -> Err(PoisonError); into_inner() -> [90, 0]")));
    assert!(lines.iter().any(|l| l.starts_with("parking_lot::Mutex: lock() -> [90, 0]")));
    assert_eq!(run.stderr.matches("crash before the deposit").count(), 2, "{run}");

    let text = format!("{}--- stderr ---\n{}", run.stdout, panic_reports(&run.stderr));
    assert_snapshot!("output", text);
}

/// The deadlock really happens, and parking_lot's detector reports it.
#[test]
fn deadlock() {
    let run = run_with_features("locking", &["deadlock"], &["--deadlock"]);
    run.assert_success();
    assert!(run.lines().any(|l| l == "deadlock detected: 1 cycle(s)"), "{run}");
    assert!(run.lines().any(|l| l.starts_with("cycle 1: 2 threads")), "{run}");
    assert!(run.stderr.is_empty(), "{run}");
    assert_snapshot!("deadlock", run.stdout);
}

/// Without the feature, --deadlock says how to get it.
#[test]
fn deadlock_needs_the_feature() {
    let run = run("locking", &["--deadlock"]);
    run.assert_usage_error("locking");
    assert!(run.stderr.contains("--features deadlock -- --deadlock"), "{run}");
}

/// The three lines the benchmark parses. Their numbers are speeds, so only
/// their form is checked here: tests never time things.
#[test]
fn contention() {
    let run = run("locking", &["--contention", "--threads", "3", "--ops", "1000"]);
    run.assert_success();
    assert!(run.lines().any(|l| l == "3 threads x 1000 increments, expected 3000"), "{run}");
    for name in ["std::sync::Mutex", "parking_lot::Mutex", "AtomicU64"] {
        let prefix = format!("{name} ops/s: ");
        let values: Vec<&str> = run.lines().filter_map(|l| l.strip_prefix(&prefix)).collect();
        assert_eq!(values.len(), 1, "one {prefix:?} line\n{run}");
        assert!(values[0].chars().all(|c| c.is_ascii_digit()), "{run}");
        assert!(values[0].parse::<f64>().is_ok_and(|v| v > 0.0), "{run}");
    }
}

#[test]
fn bad_arguments() {
    for args in [
        &["--bogus"][..],
        &["--contention", "--threads"],
        &["--contention", "--threads", "0"],
        &["--contention", "--threads", "1025"],
        &["--contention", "--ops", "-5"],
        &["--contention", "--ops", "lots"],
        &["--contention", "--verbose"],
        &["--deadlock", "--contention"],
    ] {
        run("locking", args).assert_usage_error("locking");
    }
}

#[test]
fn non_utf8_argument() {
    lesson_tests::assert_rejects_non_utf8("locking", &[]);
}

#[test]
fn help() {
    let run = run("locking", &["--help"]);
    run.assert_success();
    assert!(run.stdout.starts_with("usage: locking"), "{run}");
}

/// The note's counter without a lock must not compile. A `compile_fail` doc
/// test would accept any error at all (a typo too), and checks error codes on
/// nightly only; so compile the program with rustc, the workspace's edition,
/// and require exactly one error: E0499, the second mutable borrow. Its text is
/// snapshotted for the chapter, which thus always shows the compiler's words.
#[test]
fn unsynchronised_counter_does_not_compile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let edition = manifest
        .lines()
        .find_map(|l| l.strip_prefix("edition = \"")?.strip_suffix('"'))
        .expect("edition in the workspace Cargo.toml");
    // The rustc of the toolchain in use (rustup passes its choice on to us).
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .current_dir(root)
        .args(["--edition", edition, "--color", "never", "--crate-type", "bin"])
        .args(["--emit", "metadata", "--out-dir", env!("CARGO_TARGET_TMPDIR")])
        .arg("crates/locking/unsynchronised.rs")
        .output()
        .expect("run rustc");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(!out.status.success(), "it compiled:\n{stderr}");
    let codes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(
        codes,
        [
            "error[E0499]: cannot borrow `counter` as mutable more than once at a time",
            "error: aborting due to 1 previous error"
        ],
        "{stderr}"
    );
    // The standard library's sources are named /rustc/<commit of the toolchain>/.
    let text = stderr
        .split("/rustc/")
        .enumerate()
        .map(|(i, part)| match (i, part.split_once('/')) {
            (0, _) | (_, None) => part.to_string(),
            (_, Some((_, rest))) => format!("/rustc/[commit]/{rest}"),
        })
        .collect::<String>();
    // The words and layout of a diagnostic change between Rust versions, so the
    // snapshot (and the chapter made from it) says which rustc printed it, and
    // is compared only under that same rustc. Any rustc must still refuse the
    // program with E0499, as asserted above.
    let version = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .expect("rustc --version");
    let version = String::from_utf8(version.stdout).expect("UTF-8");
    let text = format!("$ rustc --version\n{version}$ rustc unsynchronised.rs\n{text}");
    let snap = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots/lessons__locking__compile_error.snap");
    let recorded = std::fs::read_to_string(snap).unwrap_or_default();
    if !recorded.is_empty() && !recorded.contains(&format!("\n{version}")) {
        eprintln!(
            "compile_error snapshot was made with another rustc; not compared with {version}"
        );
        return;
    }
    assert_snapshot!("compile_error", text);
}

#[test]
fn python_runs() {
    let Some(command) = python("crates/locking/locking.py") else { return };
    let run = run_command(command);
    run.assert_success();
    assert_eq!(run.stdout, "400000\n", "{run}");
}
