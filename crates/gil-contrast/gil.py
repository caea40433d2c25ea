"""The gil-contrast job in Python: count the primes below LIMIT, split into
CHUNKS ranges, sequentially, on N threads and on N processes; each time is
the best of REPEAT runs.

    python3 gil.py LIMIT CHUNKS N REPEAT
"""
import multiprocessing
import sys
import sysconfig
import threading
import time


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_chunk(bounds):
    start, end = bounds
    return sum(1 for n in range(start, end) if is_prime(n))


def split(limit, count):
    size = -(-limit // count)  # rounded up
    return [(min(i * size, limit), min((i + 1) * size, limit)) for i in range(count)]


# ANCHOR: runners
def sequential(parts, n):
    return sum(count_chunk(p) for p in parts)


def on_threads(parts, n):
    # Thread t counts chunks t, t+n, t+2n, ...: the same split as the Rust version.
    totals = [0] * n

    def work(t):
        totals[t] = sum(count_chunk(p) for p in parts[t::n])

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(totals)


def on_processes(parts, n):
    # One chunk per task (chunksize=1), so that idle workers take the next one.
    with multiprocessing.Pool(n) as pool:
        return sum(pool.map(count_chunk, parts, chunksize=1))
# ANCHOR_END: runners


# ANCHOR: main
if __name__ == '__main__':
    limit, chunks, n, repeat = (int(arg) for arg in sys.argv[1:5])
    parts = split(limit, chunks)
    free_threaded = bool(sysconfig.get_config_var('Py_GIL_DISABLED'))
    # A free-threaded build can still turn the GIL on (PYTHON_GIL=1, or an
    # extension module that needs it); sys._is_gil_enabled() exists since 3.13.
    gil = getattr(sys, '_is_gil_enabled', lambda: True)()
    print(f'Python {sys.version.split()[0]}, free-threaded build: '
          f'{"yes" if free_threaded else "no"}, GIL: {"on" if gil else "off"}')
    for name, run in [('sequential', sequential), ('threads', on_threads),
                      ('processes', on_processes)]:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            primes = run(parts, n)
            times.append(time.perf_counter() - start)
        print(f'{name}: {primes} primes in {min(times):.6f} s', flush=True)
# ANCHOR_END: main
