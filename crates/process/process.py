from multiprocessing import Process
import os
import time

def run_proc(name):
    print('child %s : %s' % (name, os.getpid()))

def sleeper():
    time.sleep(60)

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
