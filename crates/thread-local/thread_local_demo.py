import threading

# 创建 ThreadLocal 对象 (create the thread-local object)
thread_local_data = threading.local()


def worker(num):
    thread_local_data.value = num

    print(f'Thread {threading.current_thread().name}: {thread_local_data.value}')


threads = []
for i in range(5):
    t = threading.Thread(target=worker, args=(i,))
    threads.append(t)
    t.start()

for t in threads:
    t.join()
