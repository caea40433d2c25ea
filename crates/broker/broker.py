# broker.py: lesson 10's job (a master puts tasks, workers square them) on
# Redis, with redis-py and the same reliable queue as the Rust lesson: BLMOVE
# into the worker's own list, a transaction that stores the result and drops
# the task, a heartbeat key, and a reaper that puts back a dead worker's task.
#   pip install redis
#   REDIS_URL=redis://:PASSWORD@127.0.0.1:6379 python3 broker.py          (demo)
#   REDIS_URL=... python3 broker.py worker                                 (one more worker)
import os
import random
import sys
import threading
import time
from multiprocessing import Process

import redis

TASKS, WORKERS, RESULTS = 'broker:tasks', 'broker:workers', 'broker:results'
FINISHED, DONE, IDS = 'broker:finished', 'broker:done', 'broker:worker-ids'
JOB = 'broker:job'
TTL_MS = 3000  # a worker whose heartbeat is older than this counts as dead


def processing(w):
    return 'broker:processing:%s' % w


def alive(w):
    return 'broker:alive:%s' % w


def connect(url):
    return redis.Redis.from_url(url, decode_responses=True)


def beat(r, me):
    r.pipeline().set(alive(me), 1, px=TTL_MS).sadd(WORKERS, me).execute()


# ANCHOR: worker
def worker(url, task_ms=100):
    r = connect(url)
    done_before = r.get(DONE)  # a job done before we came: not ours
    me = r.incr(IDS)
    beat(r, me)
    stop = threading.Event()

    def heartbeat():  # its own connection: the worker's blocks in BLMOVE
        hb = connect(url)
        while not stop.wait(1):
            beat(hb, me)

    threading.Thread(target=heartbeat, daemon=True).start()
    print('[worker %d] pid %d' % (me, os.getpid()), flush=True)
    while True:
        task = r.blmove(TASKS, processing(me), 0.5, 'LEFT', 'RIGHT')
        if task is None:
            if r.get(DONE) not in (None, done_before):
                break
            continue
        n = int(task.split(':')[1])
        print('[worker %d] run task %d * %d...' % (me, n, n), flush=True)
        time.sleep(task_ms / 1000)
        # MULTI/EXEC: the result is stored and the task dropped, or neither.
        r.pipeline().hset(RESULTS, task, n * n).lrem(processing(me), 1, task) \
            .rpush(FINISHED, task).execute()
    stop.set()
    r.pipeline().srem(WORKERS, me).delete(alive(me)).execute()
    print('[worker %d] the job is done: worker exit.' % me, flush=True)
# ANCHOR_END: worker


# ANCHOR: master
def reap(r):
    for w in r.smembers(WORKERS):
        if not r.exists(alive(w)):
            while (task := r.lmove(processing(w), TASKS, 'RIGHT', 'LEFT')) is not None:
                print('Worker %s missed its heartbeat: task %s goes back.'
                      % (w, task.split(':')[1]), flush=True)
            r.srem(WORKERS, w)


def master(url, spawn=2):
    r = connect(url)
    job = r.incr(JOB)  # a new job
    r.delete(TASKS, RESULTS, FINISHED)
    random.seed(2024)
    tasks = ['%d:%d' % (i, random.randint(0, 10000)) for i in range(10)]
    for task in tasks:
        print('Put task %s...' % task.split(':')[1], flush=True)
        r.rpush(TASKS, task)
    workers = [Process(target=worker, args=(url,)) for _ in range(spawn)]
    for p in workers:
        p.start()
    print('Try get results...', flush=True)
    for task in tasks:  # in task order
        while (square := r.hget(RESULTS, task)) is None:
            reap(r)
            r.blpop(FINISHED, 0.5)
        n = task.split(':')[1]
        print('Result: %s * %s = %s' % (n, n, square), flush=True)
    r.set(DONE, job)  # the workers see it and exit
    for p in workers:
        p.join()
    print('master exit.')
# ANCHOR_END: master


if __name__ == '__main__':
    url = os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379')
    if sys.argv[1:] == ['worker']:
        worker(url)
    else:
        master(url)
