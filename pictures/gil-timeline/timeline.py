"""Which thread ran when: Python's side of chapter 8's picture (src/main.rs is
Rust's). Two threads share gil-contrast's job, the primes below LIMIT in 64
chunks, thread t taking chunks t, t+2, t+4, ...; every STEP numbers, each
thread notes the wall clock before and after, and how much CPU time it got in
between (time.thread_time_ns). A slice whose CPU time is close to its wall
time held the GIL all along; one with little CPU time waited for it.

Prints one line per slice: `python THREAD START_US END_US CPU_US`, times in
microseconds from just before the threads start.

    python3 timeline.py
"""
import os
import sys
import threading
import time

# Chapter 8's own job: gil-contrast's is_prime and split, not a copy.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../crates/gil-contrast'))
from gil import is_prime, split  # noqa: E402

LIMIT, CHUNKS, THREADS, STEP = 100_000, 64, 2, 500


def work(t, chunks, origin, primes, slices):
    wall, cpu = time.perf_counter_ns, time.thread_time_ns
    for start, end in chunks[t::THREADS]:
        for low in range(start, end, STEP):
            w0, c0 = wall(), cpu()
            primes[t] += sum(1 for n in range(low, min(low + STEP, end)) if is_prime(n))
            slices[t].append((w0 - origin, wall() - origin, cpu() - c0))


if __name__ == '__main__':
    chunks = split(LIMIT, CHUNKS)
    primes, slices = [0] * THREADS, [[] for _ in range(THREADS)]
    origin = time.perf_counter_ns()
    threads = [threading.Thread(target=work, args=(t, chunks, origin, primes, slices))
               for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for t, mine in enumerate(slices):
        for start, end, cpu in mine:
            print(f'python {t} {start / 1e3:.1f} {end / 1e3:.1f} {cpu / 1e3:.1f}')
    print(f'python: {sum(primes)} primes below {LIMIT}', file=sys.stderr)
