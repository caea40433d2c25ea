// rustc rejects this: E0373
// The lesson's summing thread without `move`: the closure borrows `numbers`,
// but a thread started with thread::spawn may outlive the function that owns
// `numbers`, so the borrow could dangle. The compiler asks for `move`.
use std::thread;

fn main() {
    let numbers: Vec<u64> = (1..=100).collect();
    let summer = thread::spawn(|| numbers.iter().sum::<u64>());
    println!("join returned {:?}", summer.join());
}
