"""The package's version, in a module of its own so that any layer can read it without
importing ``cxreport/__init__.py`` (and with it the report layer)."""

__version__ = "0.1.0"
