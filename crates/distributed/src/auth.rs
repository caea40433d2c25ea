//! The handshake. The key itself never crosses the wire: each side proves that
//! it knows the key with an HMAC-SHA256 over a fresh random challenge (a
//! nonce) from the other side. The master checks the worker, then the worker
//! checks the master.

use crate::frame::{recv, send, Msg};
use crate::Error;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{Read, Write};
use std::time::Duration;

/// A peer must finish the whole handshake within this time, or it is dropped
/// (see [`crate::frame::Deadline`]).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

// ANCHOR: handshake
/// The master's side: challenge the worker and check its proof; then answer
/// the worker's own challenge, so that it can check us.
pub fn check_worker(stream: &mut (impl Read + Write), key: &[u8]) -> Result<(), Error> {
    let nonce = random()?;
    send(stream, &Msg::Challenge { nonce })?;
    let Msg::Proof { mac, nonce: theirs } = recv(stream)? else {
        return Err(Error::bad("expected a proof of the authkey"));
    };
    if !verify(key, b"worker", &nonce, &mac) {
        let _ = send(stream, &Msg::Rejected); // best effort: we hang up anyway
        return Err(Error::bad("wrong authkey"));
    }
    send(stream, &Msg::Welcome { mac: sign(key, b"master", &theirs) })
}

/// The worker's side: prove the key, send our own challenge, check the answer.
pub fn check_master(stream: &mut (impl Read + Write), key: &[u8]) -> Result<(), Error> {
    let nonce = match recv(stream)? {
        Msg::Challenge { nonce } => nonce,
        Msg::Busy => return Err(Error::fail("the master is busy with other connections")),
        _ => return Err(Error::bad("the master did not start with a challenge")),
    };
    let mine = random()?;
    send(stream, &Msg::Proof { mac: sign(key, b"worker", &nonce), nonce: mine })?;
    match recv(stream)? {
        Msg::Welcome { mac } if verify(key, b"master", &mine, &mac) => Ok(()),
        Msg::Rejected => Err(Error::bad("the master rejected our authkey")),
        _ => Err(Error::bad("the master did not prove it knows the authkey")),
    }
}
// ANCHOR_END: handshake

// ANCHOR: hmac
/// HMAC-SHA256 over who is speaking and the other side's nonce. The role word
/// keeps a worker's proof from being played back as the master's.
fn keyed(key: &[u8], role: &[u8], nonce: &[u8; 32]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(role);
    mac.update(nonce);
    mac
}

pub fn sign(key: &[u8], role: &[u8], nonce: &[u8; 32]) -> [u8; 32] {
    keyed(key, role, nonce).finalize().into_bytes().into()
}

/// Constant time: how long the check takes says nothing about the right answer.
pub fn verify(key: &[u8], role: &[u8], nonce: &[u8; 32], mac: &[u8; 32]) -> bool {
    keyed(key, role, nonce).verify_slice(mac).is_ok()
}

/// Nonces from the operating system's secure generator: never repeated, never guessed.
pub fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::fail(format!("no secure random numbers: {e}")))?;
    Ok(bytes)
}
// ANCHOR_END: hmac

/// A fresh random key (32 hex digits), for a demo whose workers it starts itself.
pub fn new_key() -> Result<String, Error> {
    Ok(random::<16>()?.iter().map(|b| format!("{b:02x}")).collect())
}
