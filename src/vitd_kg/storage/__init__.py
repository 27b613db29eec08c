"""Reading a graph's input files once and keeping what is built from them: the cache.

:mod:`~vitd_kg.storage.inputs` opens each input file once, hashes it (while Oxigraph
parses it, when it is parsed) and parses it into an in-memory or on-disk store;
:mod:`~vitd_kg.storage.cache` keeps, per set of inputs (by content), an on-disk Oxigraph
store and the results computed from it, for later commands to reuse.
"""
