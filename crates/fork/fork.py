import os

pid = os.fork()
print(os.getpid())

if pid == 0:
    print('child: pid = %s, ppid = %s' % (os.getpid(), os.getppid()))
else:
    print('parent: pid = %s, childpid = %s' % (os.getpid(), pid))
    # The note's version stops here and never reaps the child.
    _, status = os.waitpid(pid, 0)
    print('parent: child %s exited with status %s' % (pid, os.waitstatus_to_exitcode(status)))
