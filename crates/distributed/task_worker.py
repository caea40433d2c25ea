# task_worker.py: the classic BaseManager worker (classic_worker.py), corrected.
# Run: python3 task_worker.py [PORT], with the master's DISTRIBUTED_AUTHKEY.
import os
import queue
import sys
import time
from multiprocessing.managers import BaseManager


class QueueManager(BaseManager):
    pass


# The worker only names the queues: they live in the master's server process.
QueueManager.register('get_task_queue')
QueueManager.register('get_result_queue')

if __name__ == '__main__':
    server_addr = '127.0.0.1'
    print('Connect to server %s...' % server_addr)
    authkey = os.environ['DISTRIBUTED_AUTHKEY'].encode()
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    m = QueueManager(address=(server_addr, port), authkey=authkey)
    m.connect()
    task = m.get_task_queue()
    result = m.get_result_queue()
    # ANCHOR: loop
    # The classic loop ran exactly 10 times: a worker stopped after 10 tasks
    # even if more were queued, and kept asking after "empty". Stop when the
    # queue stays empty for a second, or when the master has gone.
    while True:
        try:
            n = task.get(timeout=1)
        except queue.Empty:
            print('task queue is empty.')
            break
        except (EOFError, ConnectionError):
            print('master went away.')
            break
        print('run task %d * %d...' % (n, n))
        r = '%d * %d = %d' % (n, n, n * n)
        time.sleep(1)
        try:
            result.put(r)
        except (EOFError, ConnectionError):
            print('master went away.')
            break
    print('worker exit.')
    # ANCHOR_END: loop
