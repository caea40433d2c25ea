import threading

lock = threading.Lock()
global_var = 0


def run_add(times):
    global global_var  # missing in the note: `global_var += 1` raised UnboundLocalError
    for _ in range(times):
        with lock:  # the note's acquire(); try: ... finally: release()
            global_var += 1


# The note created its thread but never started it, so it printed 0.
threads = [threading.Thread(target=run_add, args=(100_000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(global_var)  # 4 threads x 100000 increments: 400000
