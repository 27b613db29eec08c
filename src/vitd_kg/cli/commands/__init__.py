"""One module per CLI command; each defines a click command named ``command``.

:mod:`vitd_kg.cli` finds them here, so a new command is a new module. Modules keep
their top-level imports light (click and this package's options only) so that
``vitd-kg --help`` and each command start fast.
"""
