//! Exercise 5.2 (chapter 5, subprocess): no shell.
//!
//! This program writes three files into a fresh directory, with 1, 2 and 3
//! lines, and counts their lines with `wc -l`. It builds each command line as
//! a string for `sh -c`, and the file names are the kind users give: one has
//! a space, one has a `;` in it. Run it: two counts are wrong, and a fourth
//! file appears in the directory, made by a command hidden in a file name.
//!
//! Your task: count every file right, with `wc`, and run nothing but `wc`.
//! The program then prints `file "NAME": N lines` for each file and
//! `files in the directory afterwards: 3 [...]`.
//!
//! The checks run the program and check each count and what the directory
//! holds afterwards.
//!
//! Run it:   cargo run -p subprocess2
//! Check it: cargo xtask exercise subprocess2

use std::error::Error;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Three files, with 1, 2 and 3 lines. Names like these come from users.
const FILES: [(&str, usize); 3] =
    [("plain.txt", 1), ("with space.txt", 2), ("x; touch INJECTED; y.txt", 3)];

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::temp_dir().join(format!("subprocess2-{}", std::process::id()));
    fs::create_dir_all(&dir)?;
    for (name, lines) in FILES {
        fs::write(dir.join(name), "a line\n".repeat(lines))?;
    }
    let counted = count_all(&dir);
    let mut left: Vec<String> = fs::read_dir(&dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    left.sort();
    fs::remove_dir_all(&dir)?;
    counted?;
    println!("files in the directory afterwards: {} {left:?}", left.len());
    Ok(())
}

/// Counts the lines of each file with `wc -l`, run in `dir`.
fn count_all(dir: &Path) -> Result<(), Box<dyn Error>> {
    for (name, _) in FILES {
        // TODO: the shell reads the file name as code.
        let script = format!("wc -l {name}");
        let output = Command::new("sh").args(["-c", &script]).current_dir(dir).output()?;
        let said = String::from_utf8_lossy(&output.stdout);
        match said.split_whitespace().next().and_then(|n| n.parse::<usize>().ok()) {
            Some(count) => println!("file {name:?}: {count} lines"),
            None => println!("file {name:?}: wc said {said:?}"),
        }
    }
    Ok(())
}
