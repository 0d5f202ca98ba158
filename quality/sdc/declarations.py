"""What the disclosure policy protects, read from the dbt seeds ``geheimhaltung`` and
``geheimhaltung_ausnahmen`` (one place, reviewed like code).

Why declared, not guessed: which published figures count the same people (the denominator
of the leavers' shares *is* the leavers' total; the foreign pupils' numerator *is* the pupils
count of non-German nationality) cannot be read off column names. Each protected indicator
names the *population* its numerator and denominator count; cells that name the same
population, region, period and breakdown are one unknown for a reader, wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DIMENSIONS = ("geschlecht", "staatsangehoerigkeit", "schulform", "kategorie")
"""The breakdown columns of a published cell; each has the total label ``insgesamt``."""
TOTAL = "insgesamt"
LEVELS = frozenset({"Land", "Stadt", "Stadtbezirk", "Schule", "Agenturbezirk"})

_REF = re.compile(r"^(?P<population>[a-z][a-z0-9_]*)(?:\[(?P<fixed>[^\]]*)\])?$")


class DeclarationError(ValueError):
    """A row of the ``geheimhaltung`` seed that cannot be used (named in the message)."""


@dataclass(frozen=True)
class PopulationRef:
    """``population[dim=value,…]``: the counted population, with breakdowns fixed."""

    population: str
    fixed: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str, where: str) -> PopulationRef:
        match = _REF.match(text.strip())
        if not match:
            raise DeclarationError(f"{where}: {text!r} is not 'population' or 'population[dim=…]'")
        fixed = []
        for part in filter(None, (match["fixed"] or "").split(",")):
            dim, _, value = part.partition("=")
            if dim.strip() not in DIMENSIONS or not value.strip():
                raise DeclarationError(
                    f"{where}: {part!r} must be one of {', '.join(DIMENSIONS)} = a code"
                )
            fixed.append((dim.strip(), value.strip()))
        return cls(match["population"], tuple(fixed))


@dataclass(frozen=True)
class Declaration:
    """How one indicator's cells are protected."""

    indicator_id: str
    levels: frozenset[str] = frozenset()
    numerator: PopulationRef | None = None
    denominator: PopulationRef | None = None
    numerator_counts_people: bool = True
    additive_categories: bool = False
    exemption: str | None = None

    @property
    def protected(self) -> bool:
        return bool(self.levels) and self.exemption is None


@dataclass(frozen=True)
class Policy:
    """All declarations and the exemption list."""

    declarations: Mapping[str, Declaration]
    exemptions: Mapping[str, str] = field(default_factory=dict)

    def protected(self) -> dict[str, Declaration]:
        return {i: d for i, d in self.declarations.items() if d.protected}

    def additive_categories(self) -> frozenset[str]:
        """Populations whose categories add up to their ``insgesamt`` category."""
        return frozenset(
            d.numerator.population
            for d in self.protected().values()
            if d.additive_categories and d.numerator is not None
        )


def _flag(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "ja")


def _text(value: object) -> str:
    return "" if value is None or value != value else str(value).strip()  # NaN-safe


def read_policy(
    rows: Iterable[Mapping[str, object]], exemptions: Iterable[Mapping[str, object]] = ()
) -> Policy:
    """The policy from the seed rows (as dicts); every problem names its row."""
    known_exemptions = {
        _text(r["ausnahme"]): _text(r.get("begruendung"))
        for r in exemptions
        if _text(r["ausnahme"])
    }
    declarations: dict[str, Declaration] = {}
    for number, row in enumerate(rows, start=2):
        indicator = _text(row.get("indicator_id"))
        where = f"seed geheimhaltung, row {number} ({indicator or '?'})"
        if not indicator:
            raise DeclarationError(f"{where}: indicator_id is empty")
        if indicator in declarations:
            raise DeclarationError(f"{where}: indicator declared twice")
        levels = frozenset(p for p in _text(row.get("geschuetzte_ebenen")).split("|") if p)
        if unknown := levels - LEVELS:
            raise DeclarationError(f"{where}: unknown level(s) {sorted(unknown)}")
        exemption = _text(row.get("ausnahme")) or None
        if exemption is not None and exemption not in known_exemptions:
            raise DeclarationError(
                f"{where}: exemption {exemption!r} is not in seed geheimhaltung_ausnahmen"
            )
        numerator = _text(row.get("zaehler"))
        if levels and exemption is None and not numerator:
            raise DeclarationError(f"{where}: protected levels need a zaehler population")
        denominator = _text(row.get("nenner"))
        declarations[indicator] = Declaration(
            indicator_id=indicator,
            levels=levels,
            numerator=PopulationRef.parse(numerator, where) if numerator else None,
            denominator=PopulationRef.parse(denominator, where) if denominator else None,
            numerator_counts_people=_flag(row.get("zaehler_personen")),
            additive_categories=_flag(row.get("kategorien_additiv")),
            exemption=exemption,
        )
    return Policy(declarations, known_exemptions)
