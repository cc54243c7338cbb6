# A V8 .cpuprofile read once, for longtasks.py and selftop.py: its nodes, each node's parent, a node's
# name (function@file:line), its stack (root first) and the idle nodes.
import json


class Profile:
    def __init__(self, path):
        self.raw = json.load(open(path))
        self.nodes = {n['id']: n for n in self.raw['nodes']}
        self.parent = {c: n['id'] for n in self.raw['nodes'] for c in n.get('children', [])}
        self.idle = {i for i, n in self.nodes.items() if n['callFrame']['functionName'] in ('(idle)', '(program)')}

    def name(self, i):
        cf = self.nodes[i]['callFrame']
        return f"{cf['functionName'] or '(anon)'}@{cf['url'].split('/')[-1]}:{cf['lineNumber'] + 1}"

    def stack(self, i):
        out = []
        while i is not None and i in self.nodes:
            out.append(i)
            i = self.parent.get(i)
        return out[::-1]
