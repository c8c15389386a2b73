"""The rules engine: pure functions from an account's facts and a date to an evaluation.

Nothing here does I/O beyond reading the team's YAML rule files.
"""
