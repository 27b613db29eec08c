#!/usr/bin/env python
"""Write a synthetic corpus: the same as ``vitd-kg synth`` (see ``vitd_kg.synth``).

    python benchmarks/synth.py --claims 27000 --seed 0 -o /tmp/corpus/synthetic.ttl
    vitd-kg stats --data /tmp/corpus
"""

from __future__ import annotations

import sys

from vitd_kg.cli import main

if __name__ == "__main__":
    sys.exit(main(["synth", *sys.argv[1:]]))
