"""Statistical disclosure control over everything published (see ``quality/README.md``).

- ``declarations``: the policy's seed rows (what is protected, which cells count the same people)
- ``system``: published cells as variables and ``total = sum(parts)`` relations
- ``audit``: the LP interval audit (HiGHS)
- ``suppress``: primary and secondary suppression until the audit passes
- ``thresholds``: the configurable thresholds, checked before a run
"""
