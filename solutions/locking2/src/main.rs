//! Exercise 7.2 (chapter 7, locking): a deadlock, and the order that ends it.
//! A solution.
//!
//! A deadlock needs a circle of threads, each holding a lock the next one
//! wants. If every thread takes its locks in one global order (here: the
//! smaller account number first), no circle can form: the thread holding the
//! highest-numbered lock of any would-be circle never waits for a lower one.
//!
//! Run it:   cargo run -p locking2-solution

use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;

const ACCOUNTS: usize = 3;

/// Which of the two accounts a transfer locks first, and which second: the
/// smaller number first, in every thread.
fn lock_order(from: usize, to: usize) -> (usize, usize) {
    (from.min(to), from.max(to))
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
