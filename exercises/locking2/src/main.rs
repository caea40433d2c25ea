//! Exercise 7.2 (chapter 7, locking): a deadlock, and the order that ends it.
//!
//! Three accounts of 100 each, and three threads round the table: thread 0
//! moves 10 from account 0 to account 1, thread 1 moves 20 from 1 to 2,
//! thread 2 moves 30 from 2 to 0. A transfer locks the account it takes
//! from, then the one it gives to. So each thread holds one lock and waits for
//! the next thread's: a deadlock. parking_lot's detector (chapter 7) finds it
//! and ends the program with an error. (`Meeting` makes every thread take its
//! first lock before any takes its second, so that this happens on every run,
//! not once in a while.)
//!
//! Your task: change `lock_order` so that all threads take their two locks
//! in one order they all agree on. Leave `Meeting` as it is. The program then
//! ends with `balances: [120, 90, 90], total 300`.
//!
//! The checks run the program and check that it ends on its own, the
//! balances and the total.
//!
//! Run it:   cargo run -p locking2
//! Check it: cargo xtask exercise locking2

use parking_lot::{deadlock, Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

const ACCOUNTS: usize = 3;

/// Which of the two accounts a transfer locks first, and which second.
fn lock_order(from: usize, to: usize) -> (usize, usize) {
    // TODO: every thread locks `from` first; in a circle, that deadlocks.
    (from, to)
}

/// Moves `amount` from account `from` to account `to`, holding both locks.
fn transfer(accounts: &[Mutex<i64>], meeting: &Meeting, me: usize, from: usize, to: usize) {
    let amount = 10 * (me as i64 + 1);
    let (first, second) = lock_order(from, to);
    let mut a = meeting.lock_first(me, accounts, first);
    let mut b = accounts[second].lock();
    if first == from {
        *a -= amount;
        *b += amount;
    } else {
        *b -= amount;
        *a += amount;
    }
    println!("thread {me}: moved {amount} from account {from} to account {to}");
    meeting.done(me);
}

fn main() {
    // parking_lot's detector, as in chapter 7: a deadlock ends the program.
    thread::spawn(|| loop {
        thread::sleep(Duration::from_millis(100));
        let cycles = deadlock::check_deadlock();
        if let Some(cycle) = cycles.first() {
            eprintln!("deadlock: {} threads, each waiting for a lock another holds", cycle.len());
            std::process::exit(1);
        }
    });

    let accounts: Vec<Mutex<i64>> = (0..ACCOUNTS).map(|_| Mutex::new(100)).collect();
    let meeting = Meeting::new(ACCOUNTS);
    thread::scope(|s| {
        // Round the table: thread i moves money from account i to the next.
        for me in 0..ACCOUNTS {
            let (accounts, meeting) = (&accounts, &meeting);
            s.spawn(move || transfer(accounts, meeting, me, me, (me + 1) % ACCOUNTS));
        }
    });
    let balances: Vec<i64> = accounts.into_iter().map(Mutex::into_inner).collect();
    let total: i64 = balances.iter().sum();
    println!("balances: {balances:?}, total {total}");
}

/// Makes the unlucky timing happen on every run, as the lesson's `Barrier`
/// does: a thread that holds its first lock waits until every other thread
/// either holds its own first lock, or is waiting for a lock that is held, or
/// is done. (A `Barrier` would wait forever for a thread that is waiting for
/// our lock.) Nothing to change here.
struct Meeting {
    wants: Vec<AtomicUsize>,
    holds: Vec<AtomicBool>,
    done: Vec<AtomicBool>,
}

const NOTHING: usize = usize::MAX;

impl Meeting {
    fn new(threads: usize) -> Meeting {
        Meeting {
            wants: (0..threads).map(|_| AtomicUsize::new(NOTHING)).collect(),
            holds: (0..threads).map(|_| AtomicBool::new(false)).collect(),
            done: (0..threads).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    fn lock_first<'a>(
        &self,
        me: usize,
        accounts: &'a [Mutex<i64>],
        first: usize,
    ) -> MutexGuard<'a, i64> {
        self.wants[me].store(first, SeqCst);
        let guard = accounts[first].lock();
        self.holds[me].store(true, SeqCst);
        let settled = |t: usize| {
            let wants = self.wants[t].load(SeqCst);
            self.holds[t].load(SeqCst)
                || self.done[t].load(SeqCst)
                || (wants != NOTHING && accounts[wants].is_locked())
        };
        while !(0..self.holds.len()).filter(|&t| t != me).all(settled) {
            thread::yield_now();
        }
        guard
    }

    fn done(&self, me: usize) {
        self.done[me].store(true, SeqCst);
    }
}
