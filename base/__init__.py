"""What every layer of csops needs and nothing of ours provides: modules here import only the standard library.

Dependencies point one way (``csops`` → ``sync``/``kb``/``report`` → ``rules``/``connectors`` → ``base``), so any
module may use these, and none of these may import one of them. Each module is one way to do one risky thing.
"""
