"""``kb gaps``: which articles to write next, from the tickets (topics, coverage, drafts).

The package's modules import scikit-learn; this one stays light so the CLI's error table can name the error.
"""


class GapsError(Exception):
    """``kb gaps`` cannot run on what it was given (no ticket text in the period, an unknown topic)."""
