from multiprocessing import Pool
import os, time

def run_proc(name):
    print('child %s : %s' % (name, os.getpid()))
    time.sleep(0.1)  # stands for real work; see the chapter
    return name * name

if __name__ == '__main__':
    print('parent: %s' % os.getpid())

    p = Pool(4)
    results = [p.apply_async(run_proc, args=(i,)) for i in range(6)]
    p.close()  # no more tasks
    p.join()   # wait for every worker process to exit
    # The note never looks at the AsyncResult objects: had a task raised an
    # exception, nobody would have known. .get() returns the value or re-raises.
    print('results, in submission order:', *[r.get() for r in results])
