# task_master.py: the classic BaseManager master (classic_master.py), corrected.
# Run it first, then one or more task_worker.py, with the same key:
#   export DISTRIBUTED_AUTHKEY=some-long-random-secret
#   python3 task_master.py [PORT]      (default 5000)
import os
import queue
import random
import sys
from multiprocessing.managers import BaseManager

task_queue = queue.Queue()
result_queue = queue.Queue()


# ANCHOR: fixes
# The classic version used lambdas here. Where multiprocessing starts processes
# with "spawn" or "forkserver" (Windows, macOS, and Linux since Python 3.14),
# the manager's server process must be sent these callables by pickling them,
# and a lambda cannot be pickled: use module-level functions.
def get_task_queue():
    return task_queue


def get_result_queue():
    return result_queue


class QueueManager(BaseManager):
    pass


QueueManager.register('get_task_queue', callable=get_task_queue)
QueueManager.register('get_result_queue', callable=get_result_queue)

if __name__ == '__main__':  # spawn and forkserver import this module again
    # Loopback, not address=('', 5000), which listens on every network: the
    # manager unpickles whatever it receives, and unpickling can run code.
    # The key comes from the environment, not from the source (was b'abc').
    authkey = os.environ['DISTRIBUTED_AUTHKEY'].encode()
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    manager = QueueManager(address=('127.0.0.1', port), authkey=authkey)
    manager.start()  # the queues live in a server process it starts
    # ANCHOR_END: fixes
    task = manager.get_task_queue()
    result = manager.get_result_queue()
    # ANCHOR: results
    random.seed(2024)  # the same numbers every run
    for i in range(10):
        n = random.randint(0, 10000)
        print('Put task %d...' % n)
        task.put(n)
    print('Try get results...')
    for i in range(10):
        # A minute, not 10 seconds: time to start the workers by hand. A task
        # taken by a worker that then died is never put back, so without a
        # result for that long, say so in one line instead of a traceback.
        try:
            r = result.get(timeout=60)
        except queue.Empty:
            manager.shutdown()
            sys.exit('master: no result for a minute: did a worker die with its task?')
        print('Result: %s' % r)
    manager.shutdown()
    print('master exit.')
    # ANCHOR_END: results
