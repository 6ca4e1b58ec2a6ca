"""NioChat core: settings, embedded servers, logging and the operator command line."""

__version__ = "0.1.0"
