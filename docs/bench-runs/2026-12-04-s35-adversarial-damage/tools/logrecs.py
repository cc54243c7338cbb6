# python3 logrecs.py FILE : the offsets of the records of a LevelDB log file (MANIFEST or .log): "start end type"
import sys, struct
d = open(sys.argv[1], 'rb').read(); i = 0; B = 32768
while i + 7 <= len(d):
    left = B - i % B
    if left < 7: i += left; continue
    crc, ln, t = struct.unpack('<IHB', d[i:i+7])
    if t == 0 and ln == 0: i += left; continue
    print(i, i + 7 + ln, t); i += 7 + ln
