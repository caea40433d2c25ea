"""The Python side of `cargo xtask bench`: each command measures one figure
and prints `NAME: NUMBER` lines for the Rust driver.

A timed command ends with COUNT BUDGET: it runs COUNT operations and prints
`count: COUNT` and `seconds: S`, per operation. COUNT 0 warms up: a count
doubles from 1 until one run takes BUDGET seconds. A start (`start`,
`thread`) is timed call by call for BUDGET seconds instead, and `seconds:` is
the median call.

    start fork|spawn COUNT BUDGET   Process start + join
    thread COUNT BUDGET             Thread start + join
    queue SIZE COUNT BUDGET         Queue, 1 writer process -> 1 reader
    pool WORKERS COUNT BUDGET       Pool.apply_async, tiny tasks
    executor WORKERS COUNT BUDGET   ProcessPoolExecutor.submit, tiny tasks
    lock THREADS COUNT BUDGET       `with lock: n += 1` on THREADS threads
    local COUNT BUDGET              threading.local access
    memory fork|spawn WORKERS       PSS of a Pool's processes
    thread-memory THREADS           PSS of one more waiting thread
    about                           version and build
"""
import concurrent.futures
import multiprocessing
import os
import sys
import sysconfig
import threading
import time


def nothing():
    pass


def square(x):
    return x * x


def timed(count, budget, work):
    """work(n) runs n operations and returns the seconds they took."""
    n = count or 1
    secs = work(n)
    while count == 0 and secs < budget:
        n *= 2
        secs = work(n)
    print(f'count: {n}')
    print(f'seconds: {secs / n:.6e}')


def each(budget, op):
    calls = []
    end = time.perf_counter() + budget
    while time.perf_counter() < end or len(calls) < 3:
        t = time.perf_counter()
        op()
        calls.append(time.perf_counter() - t)
    calls.sort()
    print(f'count: {len(calls)}')
    print(f'seconds: {calls[len(calls) // 2]:.6e}')


def start(method):
    p = multiprocessing.get_context(method).Process(target=nothing)
    p.start()
    p.join()


def thread():
    t = threading.Thread(target=nothing)
    t.start()
    t.join()


def writer(q, count, size):
    payload = b'x' * size
    for _ in range(count):
        q.put(payload)


def queue(size, n):
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=writer, args=(q, n, size))
    t = time.perf_counter()
    p.start()
    for _ in range(n):
        q.get()
    secs = time.perf_counter() - t
    p.join()
    return secs


# The pools are started and warmed up first: these time the tasks only.
def pool(workers, n):
    with multiprocessing.Pool(workers) as p:
        p.map(square, range(100 * workers))
        t = time.perf_counter()
        results = [p.apply_async(square, (i,)) for i in range(n)]
        assert sum(r.get() for r in results) == sum(i * i for i in range(n))
        return time.perf_counter() - t


def executor(workers, n):
    with concurrent.futures.ProcessPoolExecutor(workers) as ex:
        list(ex.map(square, range(100 * workers)))
        t = time.perf_counter()
        futures = [ex.submit(square, i) for i in range(n)]
        assert sum(f.result() for f in futures) == sum(i * i for i in range(n))
        return time.perf_counter() - t


def run_threads(threads, target):
    ts = [threading.Thread(target=target) for _ in range(threads)]
    for th in ts:
        th.start()
    return ts


def lock(threads, n):
    each, counter, mutex = -(-n // threads), [0], threading.Lock()

    def add():
        for _ in range(each):
            with mutex:
                counter[0] += 1

    t = time.perf_counter()
    for th in run_threads(threads, add):
        th.join()
    secs = time.perf_counter() - t
    assert counter[0] == each * threads
    return secs * n / (each * threads)


LOCAL = threading.local()


def local(n):
    LOCAL.value = 0
    t = time.perf_counter()
    for _ in range(n):
        LOCAL.value += 1
    return time.perf_counter() - t


def pss(pid):
    """Pss: of /proc/PID/smaps_rollup, in bytes."""
    with open(f'/proc/{pid}/smaps_rollup') as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith('Pss:'))


def parent(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return int(f.read().rsplit(')', 1)[1].split()[1])
    except OSError:
        return None


def worker_pid(_):
    time.sleep(0.05)
    return os.getpid()


def memory(method, workers):
    with multiprocessing.get_context(method).Pool(workers) as p:
        # Until every worker has started and run a task: a worker still
        # starting (spawn takes a while) would show too little memory.
        while len(set(p.map(worker_pid, range(workers), chunksize=1))) < workers:
            pass
        pids = [w.pid for w in p._pool]
        # Under spawn, the parent's children include a resource tracker.
        me = os.getpid()
        everyone = [me] + [int(p) for p in os.listdir('/proc') if p.isdigit() and parent(p) == me]
        print(f'worker pss: {sum(pss(w) for w in pids) // len(pids)}')
        print(f'pool pss: {sum(pss(pid) for pid in everyone)}')


def thread_memory(threads):
    before = pss(os.getpid())
    started, release = threading.Barrier(threads + 1), threading.Event()

    def wait():
        started.wait()
        release.wait()

    ts = run_threads(threads, wait)
    started.wait()
    after = pss(os.getpid())
    release.set()
    for th in ts:
        th.join()
    print(f'thread pss: {max(after - before, 0) // threads}')


def about():
    free = bool(sysconfig.get_config_var('Py_GIL_DISABLED'))
    print(f'version: {sys.version.split()[0]}')
    print(f'free-threaded build: {"yes" if free else "no"}')
    print(f'start method: {multiprocessing.get_start_method()}')


if __name__ == '__main__':
    command, args = sys.argv[1], sys.argv[2:]
    if command == 'about':
        about()
    elif command == 'memory':
        memory(args[0], int(args[1]))
    elif command == 'thread-memory':
        thread_memory(int(args[0]))
    elif command in ('start', 'thread'):
        each(float(args[-1]), lambda: start(args[0]) if command == 'start' else thread())
    elif command == 'local':
        timed(int(args[0]), float(args[1]), local)
    elif command in ('queue', 'pool', 'executor', 'lock'):
        work = globals()[command]
        timed(int(args[1]), float(args[2]), lambda n: work(int(args[0]), n))
    else:
        sys.exit(f'bench.py: unknown command {command!r}')
