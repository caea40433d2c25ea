//! Tests that need a program the workspace cannot build (a server, Python, a
//! Python package) skip themselves where it is missing, with a note that
//! `cargo test` hides. check-all says it out loud instead, before the tests
//! and again under its summary, so that "all checks passed" hides nothing.

use std::process::{Command, Stdio};

/// What is missing on this machine, and which tests skip because of it.
pub fn missing() -> Vec<String> {
    let mut missing = Vec::new();
    if !runs("redis-server", &["--version"]) {
        missing.push(
            "no redis-server on PATH: the broker lesson's tests on Redis \
             (Debian/Ubuntu: apt install redis-server; macOS: brew install redis)"
                .to_string(),
        );
    }
    if !runs("python3", &["--version"]) {
        missing.push("no python3 on PATH: the tests of the Python programs".to_string());
    } else if !runs("python3", &["-c", "import redis"]) {
        missing.push("no redis package for python3: broker.py (pip install redis)".to_string());
    }
    missing
}

/// Prints what is skipped, loudly; returns whether anything is.
pub fn report(missing: &[String]) -> bool {
    for what in missing {
        println!("SKIPPED: {what}");
    }
    !missing.is_empty()
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
