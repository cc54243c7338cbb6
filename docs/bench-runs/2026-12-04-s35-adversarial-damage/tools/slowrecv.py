# python3 slowrecv.py RAFTDIR PIDFILE_CMD TARGET_BYTES : wait for a *.recv file in RAFTDIR, then let the receiving process run
# only 1 ms in every 25 (SIGSTOP/SIGCONT) until the file holds TARGET_BYTES or more; leave the process STOPPED; print sizes.
import os, sys, time, signal, subprocess
d, pidcmd, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
pid = None; t0 = time.time()
while time.time() - t0 < 120:
    try: names = [n for n in os.listdir(d) if n.endswith('.recv')]
    except FileNotFoundError: names = []
    if pid is None:
        for q in os.listdir('/proc'):
            if q.isdigit():
                try: cl = open(f'/proc/{q}/cmdline','rb').read()
                except OSError: continue
                if pidcmd.encode() in cl and b'main.js' in cl: pid = int(q); break
        continue
    if names:
        os.kill(pid, signal.SIGSTOP); break
    time.sleep(0.0002)
else: print('no .recv'); sys.exit(1)
f = os.path.join(d, names[0]); first = os.path.getsize(f)
while True:
    size = os.path.getsize(f)
    if size >= target: break
    os.kill(pid, signal.SIGCONT); time.sleep(0.001); os.kill(pid, signal.SIGSTOP); time.sleep(0.025)
time.sleep(0.2)
print(f'{names[0]}: {first} bytes when first seen, stopped at {os.path.getsize(f)}; dir: {" ".join(sorted(os.listdir(d)))}')
