# python3 sst.py FILE : print "index_off index_size meta_off meta_size filesize" of a LevelDB table (footer: 48 bytes)
import sys
def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
d = open(sys.argv[1], 'rb').read(); f = d[-48:]
mo, i = varint(f, 0); ms, i = varint(f, i); io, i = varint(f, i); isz, i = varint(f, i)
print(io, isz, mo, ms, len(d), 'compressed-index' if d[io+isz] == 1 else 'raw-index')
