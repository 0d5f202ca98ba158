"""Editorial texts of the report and the data of its imprint.

The working group writes key messages and recommendations per chapter and edition as
Markdown in ``texte/<ausgabe>/<kapitel>.md`` (``texte/2024-25/allgemeinbildende-schule.md``).
Figures in such a text are never typed: they are placeholders that read the mart when the
page renders, so a text can neither contradict the tables nor go stale with a revision.

Placeholders (``ID`` is an indicator id of the catalogue)::

    {{wert ID}}          Krefeld's value in the edition's latest period, as in the tables
    {{zeitraum ID}}      that period (``2024/25``, ``September 2024``, ``31.12.2024``)
    {{veraenderung ID}}  its change to the previous year (``+0,4 %-Pkt.``, ``±0``)
    {{nrw ID}}           Nordrhein-Westfalen's value in the same period
    {{ausgabe}}          the edition (``2024/25``)

A text is refused (the render fails, naming file and line) when it types a digit outside a
placeholder or a link target — also a year: "2023" in a text written for one edition is
wrong in the next, ``{{zeitraum ID}}`` is not —, names an unknown indicator or placeholder,
refers to a value the edition does not have, contains raw HTML or a heading above level 3
(the text sits under a section of its page). Without a text the chapter shows the generated
factual summary.

The imprint (``_impressum.yml``: publisher, contact, licence, suggested citation) and the
values that change with every render (edition, publication date, sample-data notice) are
read here too; ``schreibe_variablen`` writes the latter to ``_variables.yml``, which the page
footer of ``_quarto.yml`` reads with Quarto's ``{{< var … >}}`` shortcode in both render paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bm_report as bm
import pandas as pd
import yaml
from babel.dates import format_date

HERE = Path(__file__).resolve().parent
TEXT_DIR = HERE / "texte"
IMPRESSUM_FILE = HERE / "_impressum.yml"
VARIABLES_FILE = "_variables.yml"
BEISPIELDATEN = "Synthetische Beispieldaten – keine amtlichen Werte"
"""Footer notice while the warehouse holds the bundled sample (see ``beispieldaten``)."""
SCHEMATISCH = "keine amtliche"
"""The sample's district geometry says so in its note; real deliveries replace it."""

PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>[^\s{}]+)(?:\s+(?P<arg>[^\s{}]+))?\s*\}\}")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
RAW_HTML = re.compile(r"<[A-Za-z!/]")
HEADING = re.compile(r"^(#+)\s")
LIST_NUMBER = re.compile(r"^\s*\d+[.)]\s")  # "1. …" of a numbered list is no figure
WITH_INDICATOR = ("wert", "zeitraum", "veraenderung", "nrw")


class TextError(ValueError):
    """An editorial text the report cannot print; the message names file and line."""


# --------------------------------------------------------------------------- imprint


@dataclass(frozen=True)
class Impressum:
    """Publisher, contact and licence of the report (``_impressum.yml``)."""

    herausgeber: str
    kontakt: dict[str, str]  # e.g. {"e-mail": …, "anschrift": …}
    lizenz_name: str
    lizenz_url: str
    lizenz_kurz: str
    zitiervorschlag: str

    @property
    def email(self) -> str:
        """The contact address of the footer (the first entry if there is no e-mail)."""
        return self.kontakt.get("e-mail") or next(iter(self.kontakt.values()))

    @property
    def lizenz_adresse(self) -> str:
        """The licence's address as text (the site links nothing outside itself)."""
        return re.sub(r"^https?://", "", self.lizenz_url)

    def zitation(
        self, ausgabe: bm.Edition, veroeffentlicht: date, titel: str = "Bildungsbericht Krefeld"
    ) -> str:
        """The suggested citation of this edition of a document."""
        return self.zitiervorschlag.format(
            jahr=veroeffentlicht.year, titel=titel, ausgabe=ausgabe.title
        )


def impressum(path: Path = IMPRESSUM_FILE) -> Impressum:
    """Read the imprint; a missing key is named. ``kontakt`` may be one line of text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    fields = Impressum.__dataclass_fields__
    if missing := [key for key in fields if not data.get(key)]:
        raise TextError(f"{path.name}: missing {', '.join(missing)}")
    values = {key: data[key] for key in fields}
    kontakt = values["kontakt"]
    values["kontakt"] = (
        {str(k): str(v).strip() for k, v in kontakt.items()}
        if isinstance(kontakt, dict)
        else {"e-mail": str(kontakt).strip()}
    )
    return Impressum(**{k: v.strip() if isinstance(v, str) else v for k, v in values.items()})


def datum(tag: date) -> str:
    """A date as German readers write it: ``6. Dezember 2026``."""
    return format_date(tag, "d. MMMM y", locale=bm.LOCALE)


def beispieldaten() -> bool:
    """Whether the warehouse holds the bundled synthetic sample.

    The published layer has no flag for it yet; the sample is recognised by its schematic
    district geometry, which real deliveries replace. Erring this way labels real figures
    on a sample map as samples — never sample figures as real ones."""
    _, hinweis = bm.district_geometry()
    return SCHEMATISCH in (hinweis or "")


def fusszeile(ausgabe: bm.Edition, veroeffentlicht: date, *, beispiel: bool) -> dict[str, str]:
    """The footer's values of one render (names of ``{{< var … >}}`` in ``_quarto.yml``)."""
    angaben = impressum()
    return {
        "herausgeber": angaben.herausgeber,
        "kontakt": angaben.email,
        "ausgabe": ausgabe.title,
        "veroeffentlicht": datum(veroeffentlicht),
        "lizenz": angaben.lizenz_kurz,
        "datenhinweis": BEISPIELDATEN if beispiel else "",
    }


def schreibe_variablen(project_dir: Path = HERE, heute: date | None = None) -> Path:
    """Write ``_variables.yml`` for this render: the newest edition of the warehouse, today's
    date as publication date, the sample notice. Run by the pre-render step."""
    values = fusszeile(bm.edition(None), heute or date.today(), beispiel=beispieldaten())
    target = project_dir / VARIABLES_FILE
    text = (
        "# Written by the pre-render step (bm_texte.schreibe_variablen) at every render.\n"
        + yaml.safe_dump(values, allow_unicode=True, sort_keys=False)
    )
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


# --------------------------------------------------------------------------- texts


def ausgabe_ordner(ausgabe: bm.Edition) -> str:
    """The folder of an edition's texts: ``2024/25`` → ``2024-25``."""
    return ausgabe.label.replace("/", "-")


def kapitel_name(handlungsfeld: str) -> str:
    """A chapter's file name from its Handlungsfeld: ``Frühkindliche Bildung`` →
    ``fruehkindliche-bildung`` (the name of its page)."""
    text = handlungsfeld.lower()
    for umlaut, ersatz in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ersatz)
    return re.sub(r"[^a-z]+", "-", text).strip("-")


def handlungsfeld(kapitel: str) -> str:
    """The Handlungsfeld of a chapter name; unknown names are refused with the known ones."""
    felder = {kapitel_name(feld): feld for feld in bm.HANDLUNGSFELDER}
    if kapitel not in felder:
        raise TextError(f"unknown chapter {kapitel!r}; known: {', '.join(felder)}")
    return felder[kapitel]


def textdatei(kapitel: str, ausgabe: bm.Edition) -> Path:
    return TEXT_DIR / ausgabe_ordner(ausgabe) / f"{kapitel}.md"


def kapiteltext(kapitel: str, ausgabe: bm.Edition) -> str:
    """Markdown for a chapter: the working group's text of this edition with its figures
    filled in, or — without a text — the generated factual summary."""
    feld = handlungsfeld(kapitel)
    path = textdatei(kapitel, ausgabe)
    if not path.is_file():
        return bm.summary_points(bm.indicators(feld), ausgabe)
    return fuelle(path.read_text(encoding="utf-8"), ausgabe, _shown(path))


def fuelle(text: str, ausgabe: bm.Edition, quelle: str = "text") -> str:
    """Check an editorial text and replace its placeholders by the mart's values."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):

        def fail(problem: str, number: int = number) -> TextError:
            return TextError(f"{quelle}, line {number}: {problem}")

        if (heading := HEADING.match(line)) and len(heading[1]) < 3:
            raise fail("headings start at level 3 (###): the text sits in a page's section")
        if RAW_HTML.search(line):
            raise fail("raw HTML is not allowed in a text (Markdown only)")
        rest = LINK_TARGET.sub("](…)", PLACEHOLDER.sub("", LIST_NUMBER.sub("", line)))
        if "{{" in rest or "}}" in rest:
            raise fail("a placeholder is written {{name ID}}, e.g. {{wert wiederholer_quote}}")
        if digit := re.search(r"\d+", rest):
            raise fail(
                f"typed number {digit[0]!r}: write figures and periods as placeholders "
                "({{wert ID}}, {{zeitraum ID}}, {{veraenderung ID}}, {{nrw ID}}, {{ausgabe}})"
            )
        lines.append(PLACEHOLDER.sub(lambda m: _value(m["name"], m["arg"], ausgabe, fail), line))
    return "\n".join(lines).strip() + "\n"


def _value(name: str, arg: str | None, ausgabe: bm.Edition, fail) -> str:
    if name == "ausgabe":
        if arg is not None:
            raise fail("{{ausgabe}} takes no indicator")
        return ausgabe.label
    if name not in WITH_INDICATOR:
        known = ", ".join([*WITH_INDICATOR, "ausgabe"])
        raise fail(f"unknown placeholder {name!r} (known: {known})")
    if arg is None:
        raise fail(f"{{{{{name} ID}}}} needs an indicator id")
    try:
        entry = bm.indicator(arg)
    except LookupError as exc:
        raise fail(f"unknown indicator: {exc}") from None
    table = bm.trend(entry, ausgabe).table
    shown = table[table["local"].notna() | table["local_symbol"].notna()]
    if shown.empty:
        raise fail(f"{arg!r} has no value for Krefeld in {ausgabe.title}")
    period = shown.index[-1]
    row = table.loc[period]
    if name == "zeitraum":
        return bm.format_period(period)
    if name == "wert":
        return bm.format_value(row["local"], _symbol(row["local_symbol"]), entry.unit)
    if name == "nrw":
        if pd.isna(row["nrw"]) and _symbol(row["nrw_symbol"]) is None:
            raise fail(f"{arg!r} has no value for Nordrhein-Westfalen in {period}")
        return bm.format_value(row["nrw"], _symbol(row["nrw_symbol"]), entry.unit)
    previous = table["local"].get(bm.previous_period(period), float("nan"))
    change = bm.format_change(row["local"], previous, entry.unit)
    if change == "–":
        raise fail(f"{arg!r} has no value of the previous year to compare {period} with")
    return change


def _symbol(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _shown(path: Path) -> str:
    """A text's path as the working group knows it (relative to the report folder)."""
    try:
        return path.relative_to(HERE).as_posix()
    except ValueError:
        return str(path)
