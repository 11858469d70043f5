"""phuongnews: a static-site generator for the news portal of a Vietnamese commune or ward."""

__version__ = "0.1.0"
