from multiprocessing import Process, Queue, Value
import os, time, random

def read(q, got):
    print('read pid: %s' % os.getpid(), flush=True)
    while True:
        value = q.get(True)
        if value is None:  # the writer's end marker: nothing more will come
            print('End of queue: the reader exits', flush=True)
            break
        # flush=True: a terminated process never flushes its print buffer.
        print('Get %s from queue' % value, flush=True)
        with got.get_lock():
            got.value += 1
        time.sleep(0.2)  # handling a message takes a while

def write(q):
    print('write pid: %s' % os.getpid(), flush=True)
    for value in ['A', 'B', 'C']:
        print('Put %s into queue' % value, flush=True)
        q.put(value)
        time.sleep(random.random() / 10)
    q.put(None)  # the note's writer stops without saying so

def ending(drain):
    q = Queue()
    got = Value('i', 0)  # shared memory: the reader counts what it got
    pr = Process(target=read, args=(q, got))
    pw = Process(target=write, args=(q,))
    pr.start()
    pw.start()
    pw.join()  # wait for the writer
    if not drain:
        pr.terminate()  # as in the note: whatever is still queued is lost
    pr.join()  # the note never joins the reader it terminated
    name = 'drain' if drain else 'kill'
    print('%s: the writer put 3, the reader got %d: %d lost' % (name, got.value, 3 - got.value))

if __name__ == '__main__':
    print('--- kill: join the writer, then terminate the reader (as in the note) ---', flush=True)
    ending(drain=False)
    print('--- drain: join the writer, then let the reader read to the end ---', flush=True)
    ending(drain=True)
