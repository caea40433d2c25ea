//! Programs the compiler must reject: `crates/LESSON/rejected/NAME.rs`. Each
//! names in its leading comment the error code rustc must give it (`E0499`).
//! A `compile_fail` doc test would accept any error at all (a typo too) and
//! checks codes on nightly only; so each is compiled here with rustc, must fail
//! with exactly that code, and its real compiler output is recorded for the
//! chapter as `crates/LESSON/output/rejected-NAME.txt`.

use lesson_tests::{recorded, root};
use std::process::Command;

#[test]
fn rejected_listings_get_their_error() {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Command::new(&rustc).arg("--version").output().expect("rustc --version");
    let version = String::from_utf8(version.stdout).expect("UTF-8");
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let edition = manifest
        .lines()
        .find_map(|l| l.strip_prefix("edition = \"")?.strip_suffix('"'))
        .expect("edition in the workspace Cargo.toml");
    let mut listings = Vec::new();
    for lesson in std::fs::read_dir(root().join("crates")).expect("crates/").flatten() {
        let Ok(files) = std::fs::read_dir(lesson.path().join("rejected")) else { continue };
        for file in files.flatten() {
            listings.push((lesson.path(), file.file_name().into_string().expect("UTF-8 name")));
        }
    }
    listings.sort();
    assert!(listings.len() >= 2, "no rejected listings found: {listings:?}");

    for (dir, file) in listings {
        let lesson = dir.file_name().and_then(|n| n.to_str()).expect("lesson name");
        let path = format!("rejected/{file}");
        let source = std::fs::read_to_string(dir.join(&path)).expect("read listing");
        let code = expected_code(&source).unwrap_or_else(|| panic!("{path}: name its E0xxx"));

        let out = Command::new(&rustc)
            .current_dir(&dir)
            .args(["--edition", edition, "--color", "never", "--crate-type", "bin"])
            .args(["--emit", "metadata", "--out-dir", env!("CARGO_TARGET_TMPDIR")])
            .arg(&path)
            .output()
            .expect("run rustc");
        let stderr = String::from_utf8(out.stderr).expect("UTF-8");
        assert!(!out.status.success(), "{lesson}/{path} compiled:\n{stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error[")).collect();
        assert!(
            !errors.is_empty() && errors.iter().all(|l| l.starts_with(&format!("error[{code}]"))),
            "{lesson}/{path}: expected only {code}, got:\n{stderr}"
        );

        // The words and layout of a diagnostic change between Rust versions:
        // the recorded output (and the chapter made from it) says which rustc
        // printed it, and is compared only under that same rustc. Any rustc
        // must still reject the listing with the same code, as asserted above.
        let case = format!("rejected-{}", file.trim_end_matches(".rs"));
        let command = "rustc --version";
        let text = format!("{version}$ rustc {path}\n{stderr}");
        let record = std::env::var_os("LESSON_RECORD").is_some_and(|v| v == "1");
        let shown = dir.join("output").join(format!("{case}.txt"));
        let shown = std::fs::read_to_string(&shown).unwrap_or_default();
        if !record && !shown.contains(&format!("\n{version}")) {
            eprintln!("{lesson}/{path}: recorded with another rustc; not compared with {version}");
            continue;
        }
        let recorded = recorded(lesson, &case, command, &text);
        insta::assert_snapshot!(format!("{lesson}__{case}"), std_paths(&text));
        assert_eq!(std_paths(&recorded), std_paths(&text), "run `cargo xtask record rejected`");
    }
}

/// The first `E` followed by four digits in the listing's comments.
fn expected_code(source: &str) -> Option<String> {
    source.lines().take_while(|l| l.starts_with("//")).find_map(|line| {
        let at = line.match_indices('E').find(|(i, _)| {
            let digits = &line[i + 1..];
            digits.len() >= 4 && digits[..4].chars().all(|c| c.is_ascii_digit())
        })?;
        Some(line[at.0..at.0 + 5].to_string())
    })
}

/// The standard library's sources are named /rustc/<commit of the toolchain>/.
fn std_paths(text: &str) -> String {
    text.split("/rustc/")
        .enumerate()
        .map(|(i, part)| match (i, part.split_once('/')) {
            (0, _) | (_, None) => part.to_string(),
            (_, Some((_, rest))) => format!("/rustc/[commit]/{rest}"),
        })
        .collect()
}
