import subprocess, sys

# flush=True: our print buffer would otherwise reach a pipe after the child's
# output, which goes straight to the same pipe.
print('$ rustc --version', flush=True)  # the note's nslookup may not exist
r = subprocess.call(['rustc', '--version'])
print('Exit code:', r)

print('\n$ cargo --version  # output captured')
r = subprocess.run(['cargo', '--version'], capture_output=True, text=True, check=True)
print('captured stdout: %r' % r.stdout)

data = (b'hello, child\n' * 400000)[:4 * 2**20]
upper = [sys.executable, '-c',
         'import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().upper())']
print('\n$ python3 -c ...upper()  # %d bytes in through stdin' % len(data))
r = subprocess.run(upper, input=data, capture_output=True, check=True)  # communicate()
print('got %d bytes back, all upper-cased correctly: %s' % (len(r.stdout), r.stdout == data.upper()))

sleeper = [sys.executable, '-c', 'import time; time.sleep(10)']
print('\n$ python3 -c "time.sleep(10)"  # timeout 0.5 s')
try:
    subprocess.run(sleeper, timeout=0.5)
except subprocess.TimeoutExpired:
    print('timed out: run() killed it and reaped it')

print('\n$ no-such-program --version')
try:
    subprocess.call(['no-such-program', '--version'])
except FileNotFoundError:
    print('cannot run no-such-program: no such program on PATH')

print('\n$ python3 -c "raise SystemExit(3)"')
r = subprocess.run([sys.executable, '-c', 'raise SystemExit(3)'])
print('ended: returncode', r.returncode)
try:
    r.check_returncode()
except subprocess.CalledProcessError as e:
    print('with check=True:', e)

print('\n$ python3 -c "time.sleep(10)"  # then SIGTERM, Popen.terminate()')
p = subprocess.Popen(sleeper)
p.terminate()
print('ended: returncode', p.wait())  # -15: minus the signal number
