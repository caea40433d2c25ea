import subprocess

# The note's example. flush=True: our print buffer would otherwise reach a pipe
# after the child's output, which goes straight to the same pipe.
print('$ rustc --version', flush=True)  # the note's nslookup may not exist
r = subprocess.call(['rustc', '--version'])
print('Exit code:', r)

print('\n$ cargo --version  # output captured')
r = subprocess.run(['cargo', '--version'], capture_output=True, text=True, check=True)
print('captured stdout: %r' % r.stdout)

data = b'hello, my child\n' * 2**18
print('\n$ tr a-z A-Z  # %d bytes in through stdin' % len(data))
r = subprocess.run(['tr', 'a-z', 'A-Z'], input=data, capture_output=True, check=True)  # communicate()
print('got %d bytes back, all upper-cased correctly: %s' % (len(r.stdout), r.stdout == data.upper()))

print('\n$ sleep 10  # timeout 0.5 s')
try:
    subprocess.run(['sleep', '10'], timeout=0.5)
except subprocess.TimeoutExpired:
    print('timed out: run() killed it and reaped it')

print('\n$ no-such-program --version')
try:
    subprocess.call(['no-such-program', '--version'])
except FileNotFoundError:
    print('cannot run no-such-program: no such program on PATH')

print("\n$ sh -c 'exit 3'")
r = subprocess.run(['sh', '-c', 'exit 3'])
print('ended: returncode', r.returncode)
try:
    r.check_returncode()
except subprocess.CalledProcessError as e:
    print('with check=True:', e)

print('\n$ sleep 10  # then SIGTERM, like Popen.terminate()')
p = subprocess.Popen(['sleep', '10'])
p.terminate()
print('ended: returncode', p.wait())  # -15: minus the signal number
