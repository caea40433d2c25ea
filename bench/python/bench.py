"""The Python side of `cargo xtask bench`. Each command measures one figure and
prints `NAME: NUMBER` lines, which the Rust driver reads.

    python3 bench.py start fork|spawn COUNT   seconds per Process start + join
    python3 bench.py threads COUNT            seconds per Thread start + join
    python3 bench.py queue COUNT SIZE         multiprocessing.Queue, 1 writer -> 1 reader
    python3 bench.py pool WORKERS TASKS       Pool(WORKERS).apply_async of tiny tasks
    python3 bench.py about                    version and build
"""
import multiprocessing
import sys
import sysconfig
import threading
import time


def nothing():
    pass


def square(x):
    return x * x


def writer(q, count, size):
    payload = b'x' * size
    for _ in range(count):
        q.put(payload)


def start(method, count):
    ctx = multiprocessing.get_context(method)
    # One start outside the timer: spawn imports this module in the child, and
    # the first start also pays for importing the machinery in the parent.
    p = ctx.Process(target=nothing)
    p.start()
    p.join()
    t = time.perf_counter()
    for _ in range(count):
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
    print(f'seconds per start: {(time.perf_counter() - t) / count:.9f}')


def threads(count):
    t = time.perf_counter()
    for _ in range(count):
        th = threading.Thread(target=nothing)
        th.start()
        th.join()
    print(f'seconds per start: {(time.perf_counter() - t) / count:.9f}')


def queue(count, size):
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=writer, args=(q, count, size))
    t = time.perf_counter()
    p.start()
    for _ in range(count):
        q.get()
    secs = time.perf_counter() - t
    p.join()
    print(f'messages/s: {count / secs:.1f}')
    print(f'MB/s: {count * size / secs / 1e6:.3f}')


def pool(workers, tasks):
    t = time.perf_counter()
    with multiprocessing.Pool(workers) as p:
        results = [p.apply_async(square, (i,)) for i in range(tasks)]
        total = sum(r.get() for r in results)
    secs = time.perf_counter() - t
    assert total == sum(i * i for i in range(tasks))
    print(f'tasks/s: {tasks / secs:.1f}')


def about():
    free = bool(sysconfig.get_config_var('Py_GIL_DISABLED'))
    print(f'version: {sys.version.split()[0]}')
    print(f'free-threaded build: {"yes" if free else "no"}')
    print(f'start method: {multiprocessing.get_start_method()}')


if __name__ == '__main__':
    command, args = sys.argv[1], sys.argv[2:]
    if command == 'start':
        start(args[0], int(args[1]))
    elif command == 'threads':
        threads(int(args[0]))
    elif command == 'queue':
        queue(int(args[0]), int(args[1]))
    elif command == 'pool':
        pool(int(args[0]), int(args[1]))
    elif command == 'about':
        about()
    else:
        sys.exit(f'bench.py: unknown command {command!r}')
