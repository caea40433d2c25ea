from multiprocessing import Process
import os
import time

def run_proc(name):
    print('child %s : %s' % (name, os.getpid()))

def sleeper():
    time.sleep(60)

# Under the spawn and forkserver start methods, a child imports this module
# again. The guard keeps the parent's code from running in it (without the
# guard the child prints 'parent: ...' too, then fails: it may not start a
# process of its own while it is starting up).
if __name__ == '__main__':
    print('parent: %s' % os.getpid())

    p = Process(target=run_proc, args=('test',))
    p.start()
    p.join()  # wait for the child to end
    print('parent: child test joined, exitcode = %s' % p.exitcode)

    p = Process(target=sleeper)
    p.start()
    p.terminate()  # SIGTERM on Unix
    p.join()
    print('parent: child sleeper terminated, exitcode = %s' % p.exitcode)
