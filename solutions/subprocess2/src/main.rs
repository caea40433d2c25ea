//! Exercise 5.2 (chapter 5, subprocess): no shell. A solution.
//!
//! `wc` gets the file name as one argument of its own, exactly as it is. No
//! shell reads it, so a space is just a character of the name, and so is
//! `;`: nothing in the data can become a command. (When a shell is really
//! needed, keep its script constant and pass the data as `"$1"`.)
//!
//! Run it:   cargo run -p subprocess2-solution

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
        // The name is an argument, never code: no shell reads it.
        let output = Command::new("wc").arg("-l").arg(name).current_dir(dir).output()?;
        let said = String::from_utf8_lossy(&output.stdout);
        match said.split_whitespace().next().and_then(|n| n.parse::<usize>().ok()) {
            Some(count) => println!("file {name:?}: {count} lines"),
            None => println!("file {name:?}: wc said {said:?}"),
        }
    }
    Ok(())
}
