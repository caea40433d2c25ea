import queue
import threading


def run_thread():
    print('child thread name : %s' % threading.current_thread().name)


print('Main Thread')  # the note prints 'Main Thraed'
t = threading.Thread(target=run_thread, name='task')
t.start()
t.join()


# An exception ends only its own thread: threading.excepthook prints the
# traceback on stderr, and join() returns None as always. The caller cannot
# tell that anything went wrong.
def fail():
    raise ValueError('something went wrong')


w = threading.Thread(target=fail, name='worker')
w.start()
print('join returned', w.join())

# queue.Queue between threads. The reader cannot know when the writer is done,
# so the writer puts a sentinel (None) at the end.
q = queue.Queue()


def write():
    for value in ['A', 'B', 'C']:
        q.put(value)
    q.put(None)


writer = threading.Thread(target=write)
writer.start()
while (value := q.get()) is not None:
    print('Get %s from queue' % value)
writer.join()
