# python3 waitline.py FILE OFFSET NEEDLE : poll FILE from byte OFFSET every 1 ms until a line contains NEEDLE; print it
import sys, time
f, off, needle = sys.argv[1], int(sys.argv[2]), sys.argv[3]
buf = ''; t0 = time.time()
while time.time() - t0 < 120:
    with open(f) as h: h.seek(off); buf = h.read()
    if needle in buf: print([l for l in buf.split('\n') if needle in l][0][:200]); sys.exit(0)
    time.sleep(0.001)
print('timeout'); sys.exit(1)
