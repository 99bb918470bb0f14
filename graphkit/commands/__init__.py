"""The ``graphkit`` command's subcommands, one module per family; :mod:`graphkit.cli` is the group that holds them
(and turns every error into one line and an exit code)."""
