"""What every layer of csops needs and nothing of ours provides: the exception tree and located errors, the
YAML loader with positions, "did you mean", redaction, the file and CSV writers, user regexes, bounds, terminal text.

Dependencies point one way (``csops`` → ``sync``/``kb``/``report`` → ``rules``/``connectors``/``store`` → ``base``),
so any module may use these, and none of these may import one of them. Modules here import the standard library,
plus PyYAML (base.yamlsrc only) and RE2 (base.regex only), so ``kb`` starts fast through them. Each module is one way
to do one risky thing.
"""
