//! The queue of the `ipc-queue` lesson: messages from one process to another
//! through a pipe. A pipe carries a stream of bytes, not messages: two writes
//! may come out of one read, and one write out of two. So each message is
//! framed, its length in 4 bytes and then its bytes, and the reader reads
//! exactly that much.
//!
//! [`Writer::put`] and [`Reader::get`] are the queue, and [`spawn_pair`] joins
//! a writer process to a reader process with a pipe. [`write_checked`] and
//! [`read_checked`] send many messages and check every one; [`write_raw`] and
//! [`read_raw`] send the same bytes unframed and unchecked, the most the pipe
//! can carry. The tests and the benchmark use those four.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::{Child, Command, Stdio};

/// The largest message: 64 MiB. The length prefix could say 4 GiB, but a
/// reader must not allocate whatever a corrupt prefix claims.
pub const MAX_SIZE: usize = 64 << 20;

/// The smallest checked message: a sequence number and a checksum.
pub const MIN_CHECKED_SIZE: usize = 16;

/// Buffers as large as a Linux pipe: many small messages per system call.
const BUFFER: usize = 64 << 10;

// ANCHOR: writer
/// The writing end of a queue: Python's `q.put()`.
pub struct Writer<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Writer { out: BufWriter::with_capacity(BUFFER, out) }
    }

    /// Puts one message: its length, then its bytes. Both wait in a buffer
    /// until [`flush`](Self::flush), so that small messages share one write.
    pub fn put(&mut self, message: &[u8]) -> io::Result<()> {
        if message.len() > MAX_SIZE {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "message over 64 MiB"));
        }
        self.out.write_all(&(message.len() as u32).to_le_bytes())?;
        self.out.write_all(message)
    }

    /// Writes out what `put` buffered: only then is it in the pipe.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
// ANCHOR_END: writer

// ANCHOR: reader
/// The reading end of a queue: Python's `q.get()`.
pub struct Reader<R: Read> {
    input: BufReader<R>,
    message: Vec<u8>,
}

impl<R: Read> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader { input: BufReader::with_capacity(BUFFER, input), message: Vec::new() }
    }

    /// The next message, or `None` at the end of the queue: every write end of
    /// the pipe is closed (the writer has exited) and the pipe is empty.
    pub fn get(&mut self) -> io::Result<Option<&[u8]>> {
        // Nothing more to read before a length: the queue ended between two
        // messages, as it should.
        if self.input.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let mut len = [0; 4];
        read_whole(&mut self.input, &mut len)?;
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_SIZE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("bad length {len}")));
        }
        self.message.resize(len, 0);
        read_whole(&mut self.input, &mut self.message)?;
        Ok(Some(&self.message))
    }
}

/// `read_exact`: a read returns what the pipe has, maybe half a message. Here
/// the stream must not end, so an end is an error that says so.
fn read_whole(input: &mut impl Read, buf: &mut [u8]) -> io::Result<()> {
    input.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            io::Error::new(e.kind(), "the queue ended inside a message")
        }
        _ => e,
    })
}
// ANCHOR_END: reader

// ANCHOR: spawn_pair
/// Starts `reader`, then `writer` with its stdout joined to the reader's stdin
/// by a new pipe: the queue. When the writer exits, the reader's `get` returns
/// `None`, because nobody else holds the write end: not the reader, and not
/// this process, whose copy goes with `writer` at the end of this function.
pub fn spawn_pair(mut writer: Command, mut reader: Command) -> io::Result<(Child, Child)> {
    let parent = std::process::id().to_string(); // for die_with_parent()
    let mut read_side = reader.env(PARENT_VAR, &parent).stdin(Stdio::piped()).spawn()?;
    let write_end = read_side.stdin.take().expect("stdin is piped");
    match writer.env(PARENT_VAR, &parent).stdout(write_end).spawn() {
        Ok(write_side) => Ok((write_side, read_side)),
        Err(e) => {
            // No writer: stop the reader and reap it, rather than leave it behind.
            let _ = read_side.kill();
            let _ = read_side.wait();
            Err(e)
        }
    }
}
// ANCHOR_END: spawn_pair

// ANCHOR: die_with_parent
/// Where [`spawn_pair`] tells both children the pid of the parent that started them.
pub const PARENT_VAR: &str = "IPC_QUEUE_PARENT";

/// Makes this process go when its parent goes: Linux's parent-death signal
/// (`prctl(PR_SET_PDEATHSIG)`) has the kernel send it SIGKILL the moment the
/// parent exits, however it ends, SIGKILL included. The child asks for it
/// itself, first thing. A parent that died before that is not noticed, so the
/// child then checks that its parent is still the one that started it.
pub fn die_with_parent() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
        let parent = std::env::var(PARENT_VAR).ok();
        if parent.is_some_and(|pid| pid != nix::unistd::getppid().to_string()) {
            return Err(io::Error::other("the parent that started this process is gone"));
        }
    }
    Ok(())
}
// ANCHOR_END: die_with_parent

// ANCHOR: checked
/// Puts `count` messages of `size` bytes (16 or more), flushing once at the
/// end. Each message starts with its sequence number and a checksum of the
/// rest, so that [`read_checked`] can tell if one was lost, repeated, moved
/// or changed.
pub fn write_checked(out: impl Write, count: u64, size: usize) -> io::Result<()> {
    checked_size(size)?;
    let mut queue = Writer::new(out);
    // The body never changes, so its checksum is computed once.
    let mut message = pattern(size);
    let body = checksum(&message[16..]);
    for seq in 0..count {
        message[..8].copy_from_slice(&seq.to_le_bytes());
        message[8..16].copy_from_slice(&(body ^ seq).to_le_bytes());
        queue.put(&message)?;
    }
    queue.flush()
}

/// Gets messages to the end of the queue and checks each one: its size, its
/// sequence number (the next one), its checksum; then that there were `count`.
pub fn read_checked(input: impl Read, count: u64, size: usize) -> io::Result<()> {
    checked_size(size)?;
    let mut queue = Reader::new(input);
    let mut seq = 0;
    while let Some(message) = queue.get()? {
        let word = |i: usize| u64::from_le_bytes(message[i..i + 8].try_into().expect("8 bytes"));
        if message.len() != size || word(0) != seq || word(8) != checksum(&message[16..]) ^ seq {
            let error = format!("message {seq} is wrong");
            return Err(io::Error::new(io::ErrorKind::InvalidData, error));
        }
        seq += 1;
    }
    if seq != count {
        let error = format!("got {seq} of {count} messages");
        return Err(io::Error::new(io::ErrorKind::InvalidData, error));
    }
    Ok(())
}
// ANCHOR_END: checked

fn checked_size(size: usize) -> io::Result<()> {
    if (MIN_CHECKED_SIZE..=MAX_SIZE).contains(&size) {
        return Ok(());
    }
    let error = format!("a checked message has {MIN_CHECKED_SIZE} to {MAX_SIZE} bytes, not {size}");
    Err(io::Error::new(io::ErrorKind::InvalidInput, error))
}

/// The bytes of `write_checked`'s messages, without lengths and unchecked:
/// what the pipe itself carries, the ceiling for the framed queue.
pub fn write_raw(out: impl Write, count: u64, size: usize) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(BUFFER, out);
    let message = pattern(size);
    for _ in 0..count {
        out.write_all(&message)?;
    }
    out.flush()
}

/// Reads to the end of the stream; checks only that it was `count * size` bytes.
pub fn read_raw(mut input: impl Read, count: u64, size: usize) -> io::Result<()> {
    let mut buf = vec![0; BUFFER];
    let mut total = 0_u64;
    loop {
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if total != count * size as u64 {
        let error = format!("got {total} of {} bytes", count * size as u64);
        return Err(io::Error::new(io::ErrorKind::InvalidData, error));
    }
    Ok(())
}

fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| i as u8).collect()
}

// ANCHOR: checksum
/// Fletcher's checksum over 8-byte words: a running sum of the words and a
/// running sum of those sums, so a lost, changed or moved word changes it. Not
/// cryptographic, but simple, and many times faster than the pipe.
fn checksum(bytes: &[u8]) -> u64 {
    let (mut sum, mut sum_of_sums) = (0_u64, 0_u64);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        sum = sum.wrapping_add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        sum_of_sums = sum_of_sums.wrapping_add(sum);
    }
    for &byte in words.remainder() {
        sum = sum.wrapping_add(u64::from(byte));
        sum_of_sums = sum_of_sums.wrapping_add(sum);
    }
    sum ^ sum_of_sums.rotate_left(32)
}
// ANCHOR_END: checksum

#[cfg(all(test, unix))]
mod tests;
