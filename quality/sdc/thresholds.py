"""The disclosure thresholds, read and checked once before a run.

Why checked up front: a threshold of 0, a negative or a fractional one makes the audit
meaningless (nothing would be primary, or every interval would pass); such a setting must stop
the run before anything is built, with a message that names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

ENV_MIN_COUNT = "BILDUNGSMONITOR_MIN_COUNT"
ENV_MIN_DENOMINATOR = "BILDUNGSMONITOR_MIN_DENOMINATOR"
ENV_INTERVAL = "BILDUNGSMONITOR_PROTECTION_INTERVAL"


class ThresholdError(ValueError):
    """A disclosure setting that cannot be used."""


@dataclass(frozen=True)
class Thresholds:
    """``count``: counts 1 … count-1 are primary; ``denominator``: rates on 1 … denominator-1
    are primary; ``interval``: a hidden count's feasible interval must be at least this wide
    (default: ``count``)."""

    count: int = 3
    denominator: int = 10
    interval: int | None = None

    def __post_init__(self) -> None:
        for name, value in (("count", self.count), ("denominator", self.denominator)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ThresholdError(f"disclosure threshold {name} must be a whole number ≥ 1")
        if self.interval is not None and (not isinstance(self.interval, int) or self.interval < 1):
            raise ThresholdError("protection interval must be a whole number ≥ 1")

    @property
    def width(self) -> int:
        return self.interval if self.interval is not None else self.count

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Thresholds:
        environ = os.environ if environ is None else environ
        return cls(
            count=_whole(environ, ENV_MIN_COUNT, cls.count),
            denominator=_whole(environ, ENV_MIN_DENOMINATOR, cls.denominator),
            interval=_whole(environ, ENV_INTERVAL, None),
        )


def _whole(environ: Mapping[str, str], name: str, default: int | None) -> int | None:
    text = (environ.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ThresholdError(f"{name}={text!r}: must be a whole number ≥ 1") from None
    if value < 1:
        raise ThresholdError(f"{name}={text!r}: must be a whole number ≥ 1")
    return value
