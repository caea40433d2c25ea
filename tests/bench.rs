//! bench, the program behind `cargo xtask bench`. Measuring takes minutes and
//! is no test; its contract for bad input is: one line, exit code 2. Its
//! roles (the ways it starts itself again) check their arguments too.

use lesson_tests::{assert_rejects_non_utf8, bin, run, run_command};
use std::process::Command;

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    for args in [
        &["--frobnicate"][..],
        &["--quick", "extra"],
        &["sideways"],
        &["exit", "now"],
        &["queue-writer", "sideways", "10", "64"],
        &["queue-reader", "raw", "ten", "64"],
        &["memory", "4"],
    ] {
        run("bench", args).assert_usage_error("bench");
    }
    assert_rejects_non_utf8("bench", &[]);
    let mut empty_python = Command::new(bin("bench"));
    empty_python.env("PYTHON", "");
    run_command(empty_python).assert_usage_error("bench");
}
