//! The smallest Rust program: the benchmark times starting it, between
//! starting `true` (C) and re-launching the benchmark itself.
fn main() {}
