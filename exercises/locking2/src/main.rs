//! Exercise 7.2 (chapter 7, locking): a deadlock, and the order that ends it.
//!
//! Three accounts of 100 each, and three threads round the table: thread 0
//! moves 10 from account 0 to account 1, thread 1 moves 20 from 1 to 2,
//! thread 2 moves 30 from 2 to 0. A transfer locks the account it takes
//! from, then the one it gives to. So each thread holds one lock and waits for
//! the next thread's: a deadlock. The program finds it, as parking_lot's
//! detector does in chapter 7, and ends with an error. (`Table` also makes
//! every thread take its first lock before any takes its second, so that the
//! deadlock happens on every run, not once in a while.)
//!
//! Your task: change `lock_order` so that all threads take their two locks
//! in one order they all agree on. Leave `Table` as it is. The program then
//! ends with `balances: [120, 90, 90], total 300`.
//!
//! The checks run the program and check that it ends on its own, the
//! balances and the total.
//!
//! Run it:   cargo run -p locking2
//! Check it: cargo xtask exercise locking2

use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;

const ACCOUNTS: usize = 3;

/// Which of the two accounts a transfer locks first, and which second.
fn lock_order(from: usize, to: usize) -> (usize, usize) {
    // TODO: every thread locks `from` first; in a circle, that deadlocks.
    (from, to)
}

/// Moves `amount` from account `from` to account `to`, holding both locks.
fn transfer(table: &Table, me: usize, from: usize, to: usize) {
    let amount = 10 * (me as i64 + 1);
    let (first, second) = lock_order(from, to);
    let mut a = table.lock_first(me, first);
    let mut b = table.lock_second(me, second);
    if first == from {
        *a -= amount;
        *b += amount;
    } else {
        *b -= amount;
        *a += amount;
    }
    println!("thread {me}: moved {amount} from account {from} to account {to}");
    table.done(me);
}

fn main() {
    let table = Table::new(ACCOUNTS);
    thread::scope(|s| {
        // Round the table: thread i moves money from account i to the next.
        for me in 0..ACCOUNTS {
            let table = &table;
            s.spawn(move || transfer(table, me, me, (me + 1) % ACCOUNTS));
        }
    });
    let balances: Vec<i64> = table.accounts.into_iter().map(Mutex::into_inner).collect();
    let total: i64 = balances.iter().sum();
    println!("balances: {balances:?}, total {total}");
}

/// The accounts, and what each thread holds and waits for. Nothing to change
/// here. It does two things for the exercise:
///
/// - it makes the unlucky timing happen on every run, as the lesson's
///   `Barrier` does: a thread that holds its first lock waits until every
///   other thread holds its own, or waits for a lock that is held, or is done
///   (a `Barrier` would wait forever for a thread that waits for our lock);
/// - it finds a deadlock, as parking_lot's detector does in chapter 7: a
///   thread about to wait for a lock follows the chain "held by a thread that
///   waits for a lock held by …"; if the chain comes back to it, no thread of
///   the circle can ever go on, and the program ends with an error.
struct Table {
    accounts: Vec<Mutex<i64>>,
    holds: Vec<AtomicUsize>,
    wants: Vec<AtomicUsize>,
    done: Vec<AtomicBool>,
}

const NOTHING: usize = usize::MAX;

impl Table {
    fn new(n: usize) -> Table {
        let none = || (0..n).map(|_| AtomicUsize::new(NOTHING)).collect();
        Table {
            accounts: (0..n).map(|_| Mutex::new(100)).collect(),
            holds: none(),
            wants: none(),
            done: (0..n).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    fn lock_first(&self, me: usize, first: usize) -> MutexGuard<'_, i64> {
        self.wants[me].store(first, SeqCst);
        let guard = self.accounts[first].lock();
        self.wants[me].store(NOTHING, SeqCst);
        self.holds[me].store(first, SeqCst);
        let settled = |t: usize| {
            let wants = self.wants[t].load(SeqCst);
            self.holds[t].load(SeqCst) != NOTHING
                || self.done[t].load(SeqCst)
                || (wants != NOTHING && self.accounts[wants].is_locked())
        };
        while !(0..self.holds.len()).filter(|&t| t != me).all(settled) {
            thread::yield_now();
        }
        guard
    }

    fn lock_second(&self, me: usize, second: usize) -> MutexGuard<'_, i64> {
        self.wants[me].store(second, SeqCst);
        // Who holds the lock I want, and what does that thread wait for?
        let mut chain = vec![me];
        let mut lock = second;
        for _ in 0..self.holds.len() {
            let Some(holder) = (0..self.holds.len()).find(|&t| self.holds[t].load(SeqCst) == lock)
            else {
                break;
            };
            if holder == me {
                let circle: Vec<String> = chain.iter().map(|t| format!("thread {t}")).collect();
                eprintln!(
                    "deadlock: {} each wait for a lock the next one holds",
                    circle.join(" → ")
                );
                std::process::exit(1);
            }
            chain.push(holder);
            lock = self.wants[holder].load(SeqCst);
            if lock == NOTHING {
                break;
            }
        }
        let guard = self.accounts[second].lock();
        self.wants[me].store(NOTHING, SeqCst);
        guard
    }

    fn done(&self, me: usize) {
        self.holds[me].store(NOTHING, SeqCst);
        self.done[me].store(true, SeqCst);
    }
}
