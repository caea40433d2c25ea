//! The queue's own tests. The lesson's tests (tests/ipc_queue.rs) run the
//! program; these call the library, in threads of this test process, with real
//! pipes in between.

use super::*;
use std::process::{ChildStdin, ChildStdout};
use std::thread;

/// Sends what `write` writes through `cat`, another process, and hands `read`
/// what comes out: two real pipes, and the bytes cut wherever cat and the
/// kernel cut them, not where the messages end.
fn through_cat(
    write: impl FnOnce(ChildStdin) -> io::Result<()> + Send,
    read: impl FnOnce(ChildStdout) -> io::Result<()>,
) -> io::Result<()> {
    let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    let (stdin, stdout) = (cat.stdin.take().expect("piped"), cat.stdout.take().expect("piped"));
    let result = thread::scope(|scope| {
        // `write` owns stdin and drops it when done: cat sees the end, and so
        // does `read` after it.
        let writer = scope.spawn(|| write(stdin));
        let read = read(stdout);
        writer.join().expect("writer thread").and(read)
    });
    assert!(cat.wait()?.success(), "cat failed");
    result
}

#[test]
fn a_million_messages_arrive_in_order_and_intact() {
    let count = 1_000_000;
    through_cat(|out| write_checked(out, count, 16), |input| read_checked(input, count, 16))
        .expect("every message, in order, every checksum right");
}

/// The benchmark's two sizes, framed and raw.
#[test]
fn large_and_small_messages_framed_and_raw() {
    for (count, size) in [(10_000, 64), (200, 64 << 10)] {
        let framed = through_cat(
            |out| write_checked(out, count, size),
            |input| read_checked(input, count, size),
        );
        framed.unwrap_or_else(|e| panic!("framed, {count} x {size}: {e}"));
        let raw =
            through_cat(|out| write_raw(out, count, size), |input| read_raw(input, count, size));
        raw.unwrap_or_else(|e| panic!("raw, {count} x {size}: {e}"));
    }
}

/// The frames `write_checked` makes, one `Vec` each.
fn frames(count: u64, size: usize) -> Vec<Vec<u8>> {
    let mut stream = Vec::new();
    write_checked(&mut stream, count, size).expect("write to a Vec");
    stream.chunks(4 + size).map(<[u8]>::to_vec).collect()
}

fn error(stream: &[u8], count: u64, size: usize) -> String {
    match read_checked(stream, count, size) {
        Ok(()) => "accepted".into(),
        Err(e) => e.to_string(),
    }
}

/// The reader's checks are real: it accepts the right stream and rejects a
/// lost, reordered, corrupted, missing or cut-off message, and a length no
/// writer would send.
#[test]
fn read_checked_rejects_what_is_wrong() {
    let size = 40;
    let good = frames(3, size);
    let mut corrupt = good.clone();
    corrupt[1][30] ^= 1;
    let all = good.concat();
    let cases: [(&str, Vec<u8>, &str); 7] = [
        ("good", all.clone(), "accepted"),
        ("lost", [&good[0][..], &good[2]].concat(), "message 1 is wrong"),
        ("reordered", [&good[1][..], &good[0], &good[2]].concat(), "message 0 is wrong"),
        ("corrupt", corrupt.concat(), "message 1 is wrong"),
        ("short", good[..2].concat(), "got 2 of 3 messages"),
        ("truncated", all[..all.len() - 1].to_vec(), "the queue ended inside a message"),
        ("bad length", u32::MAX.to_le_bytes().to_vec(), "bad length 4294967295"),
    ];
    for (name, stream, expected) in cases {
        assert_eq!(error(&stream, 3, size), expected, "{name}");
    }
}

#[test]
fn get_tells_the_end_of_the_queue_from_a_cut_message() {
    let mut stream = Vec::new();
    let mut queue = Writer::new(&mut stream);
    queue.put(b"A").and_then(|()| queue.put(b"")).and_then(|()| queue.flush()).expect("put");
    drop(queue);
    let mut queue = Reader::new(&stream[..]);
    assert_eq!(queue.get().expect("A"), Some(&b"A"[..]));
    assert_eq!(queue.get().expect("empty message"), Some(&b""[..]));
    assert_eq!(queue.get().expect("end"), None);
    let cut = Reader::new(&stream[..3]).get().expect_err("cut inside the length");
    assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn sizes_outside_the_limits_are_refused() {
    for size in [0, 15, MAX_SIZE + 1] {
        let refused = write_checked(io::sink(), 1, size).expect_err("refused");
        assert_eq!(refused.kind(), io::ErrorKind::InvalidInput, "{size}");
        assert!(read_checked(&[][..], 0, size).is_err(), "{size}");
    }
}
