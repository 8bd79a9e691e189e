"""Profiling stage: which functions are hot, and with which argument signatures.

In: live calls (the decorator's counters and sampled timings, an in-process
sampler for `rustify.profile()`, or a scalene run in a subprocess).
Out: hotness decisions and ranked `Candidate`s for the analysis stage.
"""
