//! What crosses the wire: every message is a frame, the length of its body as
//! 4 bytes (big-endian), then the body, a [`Msg`] in JSON.

use crate::{Error, Task};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

// ANCHOR: msg
/// Everything that crosses the wire. Decoding it can build only these values:
/// unlike unpickling, it can never run code.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Challenge { nonce: [u8; 32] },            // master -> worker
    Proof { mac: [u8; 32], nonce: [u8; 32] }, // worker -> master, with its own challenge
    Welcome { mac: [u8; 32] },                // master -> worker: accepted, and its proof
    Rejected,                                 // master -> worker: wrong key
    Task(Task),                               // master -> worker
    Result { id: usize, square: u64 },        // worker -> master
    Done,                                     // master -> worker: all results are in
}
// ANCHOR_END: msg

/// Our messages are tens of bytes. A bigger frame is garbage or an attack, and
/// without a bound one length prefix could make us allocate gigabytes.
pub const MAX_FRAME: usize = 64 * 1024;

// ANCHOR: frame
/// Sends one frame, in one write: no half-sent frame from us.
pub fn send(stream: &mut impl Write, msg: &Msg) -> Result<(), Error> {
    let body = serde_json::to_vec(msg).map_err(|e| Error::fail(e.to_string()))?;
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    Ok(stream.write_all(&frame)?)
}

/// Receives one frame. The length is checked before anything is allocated.
pub fn recv(stream: &mut impl Read) -> Result<Msg, Error> {
    let mut len = [0; 4];
    stream.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        let problem = format!("frame of {len} bytes is over the {MAX_FRAME}-byte limit");
        return Err(Error::bad(problem));
    }
    let mut body = vec![0; len];
    stream.read_exact(&mut body)?;
    serde_json::from_slice(&body).map_err(|e| Error::bad(format!("malformed frame: {e}")))
}
// ANCHOR_END: frame
