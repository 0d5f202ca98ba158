"""The sample's state school register: ``msb/schuldaten.csv`` in the real MSB NRW layout.

The fictional schools of :mod:`pipelines.sample.schulen_register` (names ending ``(fiktiv)``,
Schulnummern starting with ``0``) plus two fictional schools of neighbouring Gemeinden (so
the Krefeld flag of ``dim_schulen`` has something to tell apart), written as the Ministry
writes its download (see :mod:`pipelines.ingest.schulregister`): a ``sep=;`` line, a header
ending with ``;``, every field quoted, the name cut into three 40-character fields with words
hyphenated across them, UTM32 coordinates. Telephone numbers, mail and web addresses that can
belong to no one (:func:`contact`): Krefeld's Vorwahl with a subscriber number starting with
``0``, which the German numbering plan never assigns, and the reserved domain ``example``; no
fax numbers. Deterministic: the same bytes on every run.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.schulregister import COLUMNS_2021, join_name
from pipelines.sample import schulen_register as register

FIELD_WIDTH = 40
KREFELD = "05114000"
KREFELD_TRAEGER = "10078"
"""The Stadt Krefeld's Trägernummer in the register."""
KIND = "Städtische Schule im Verbund"
"""The first words of a public sample school's long name (long enough to be cut)."""
FIRST_OPENED = 1973
"""Schulbetriebsdatum of a school older than the sample (the register's usual 01.08.1973)."""
VORWAHL = "02151"
"""Krefeld's area code, for every sample school (the neighbours' too)."""
MAIL_DOMAIN = "schulen.example"
"""Under the reserved top-level domain ``example`` (RFC 2606): no real address or site."""
KUERZEL = {"02": "GG", "04": "GH", "08": "FöS", "10": "R", "14": "SK", "15": "GE", "20": "Gym",
           "30": "BK"}  # fmt: skip
NEIGHBOURS = (
    # (Schulnummer, Schulform, name part, Gemeindeschlüssel, Ort, PLZ, UTM east, UTM north)
    ("099001", "02", "Am Deichweg", "05162024", "Meerbusch", "40667", 338400, 5680900),
    ("099002", "20", "Am Kendelufer", "05166032", "Tönisvorst", "47918", 322300, 5687400),
)  # fmt: skip
"""Fictional schools outside Krefeld (real Gemeinde keys, fictional names and numbers)."""


def split_name(text: str, width: int = FIELD_WIDTH) -> list[str]:
    """``text`` cut into lines of at most ``width`` characters as the register cuts names:
    at blanks, after a hyphen of a compound, or inside a word with a hyphen added (``Schu-`` |
    ``le``). :func:`~pipelines.ingest.schulregister.join_name` gives ``text`` back."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while word:
            room = width - len(line) - (1 if line else 0)
            if len(word) <= room:
                line = f"{line} {word}" if line else word
                word = ""
                continue
            head, tail = _break(word, room)
            if head:
                line = f"{line} {head}" if line else head
                word = tail
            elif not line:
                raise ValueError(f"word longer than a register field: {word!r}")
            lines.append(line)
            line = ""
    if line:
        lines.append(line)
    return lines


def _break(word: str, room: int) -> tuple[str, str]:
    """The part of ``word`` that fits in ``room`` (with its hyphen) and the rest, or ``("", word)``.

    After a compound's own hyphen (``Beispiel-`` | ``Grundschule``) if one fits; else between
    syllables as a rule of thumb: before a consonant that a vowel follows (``Beis-`` | ``piel``),
    never within three letters of either end nor next to a non-letter.
    """
    fits = range(min(room, len(word) - 1), 2, -1)
    for cut in fits:
        if word[cut - 1] == "-" and word[cut].isupper():
            return word[:cut], word[cut:]
    for cut in fits:
        if cut >= room or not word.split("-")[0].isalpha() or len(word) - cut < 3:
            continue
        if word[cut - 1 : cut + 1].lower() in _DIGRAPHS:
            continue
        syllable = word[cut].lower() not in _VOWELS and word[cut + 1].lower() in _VOWELS
        if syllable or word[cut : cut + 3] == "sch":
            return word[:cut] + "-", word[cut:]
    return "", word


_VOWELS = frozenset("aeiouäöüy")
_DIGRAPHS = frozenset({"sc", "ch", "ck", "ph", "th"})


def full_name(school: register.School) -> str:
    """The register's long name of a sample school (ends with ``(fiktiv)``)."""
    kind = "Private staatlich anerkannte Ersatzschule" if school.privat else KIND
    return f"{kind} {school.name}"


def _fields(name: str) -> list[str]:
    parts = split_name(name)
    if len(parts) > 3 or join_name(*parts) != name:
        raise ValueError(f"name does not fit three register fields: {name!r}")
    return parts + [""] * (3 - len(parts))


def contact(number: str) -> tuple[str, str, str, str]:
    """``(Telefonvorwahl, Telefon, E-Mail, Homepage)`` of the sample school ``number``: a
    subscriber number ``0`` + the Schulnummer's last five digits (German subscriber numbers
    never start with ``0``, so no one can be rung), addresses under ``schulen.example``."""
    return (
        VORWAHL,
        "0" + number[-5:],
        f"{number}@{MAIL_DOMAIN}",
        f"https://{number}.{MAIL_DOMAIN}/",
    )


def _row(
    number: str, form: str, name: str, kurz: str, plz: str, ort: str, strasse: str,
    privat: bool, traeger: str, gemeinde: str, betrieb: tuple[str, str], utm: tuple[int, int],
) -> list[str]:  # fmt: skip
    vorwahl, telefon, mail, homepage = contact(number)
    return [
        number, form, *_fields(name), kurz, plz, ort, strasse, vorwahl, telefon, "", "", mail,
        homepage, "2" if privat else "1", traeger, gemeinde, *betrieb, "EPSG:25832", str(utm[0]),
        str(utm[1]),
    ]  # fmt: skip


def rows() -> list[list[str]]:
    """One record per school, ordered by Schulnummer (like the real download)."""
    out = []
    for index, school in enumerate(register.build_register()):
        if school.last_year is not None and school.last_year < register.LAST_YEAR:
            betrieb = ("9", f"31.07.{school.last_year + 1}")  # closed at the end of its last year
        else:
            betrieb = ("1", f"01.08.{school.first_year or FIRST_OPENED}")
        out.append(
            _row(
                school.schulnummer,
                school.schulform,
                full_name(school),
                f"Krefeld, {KUERZEL[school.schulform]} {school.kurzname} (fiktiv)",
                register.plz(school),
                "Krefeld",
                school.strasse,
                school.privat,
                f"9{index:04d}" if school.privat else KREFELD_TRAEGER,
                KREFELD,
                betrieb,
                (school.utm_ost, school.utm_nord),
            )
        )
    taken = {r[0] for r in out}
    for number, form, part, gemeinde, ort, plz, east, north in NEIGHBOURS:
        if number in taken:
            raise ValueError(f"neighbour Schulnummer {number} is taken by a Krefeld sample school")
        name = f"{KIND} Beispiel-{register.SCHULFORM_NAMES[form]} {part} (fiktiv)"
        out.append(
            _row(
                number,
                form,
                name,
                f"{ort}, {KUERZEL[form]} {part} (fiktiv)",
                plz,
                ort,
                f"{part} 1",
                False,
                "0" + gemeinde[2:6],
                gemeinde,
                ("1", "01.08.1973"),
                (east, north),
            )
        )
    return sorted(out, key=lambda r: r[0])


def _quoted(fields: list[str]) -> str:
    return ";".join('"' + f.replace('"', '""') + '"' for f in fields)


def render() -> str:
    """The whole file as text (``sep=;`` line, header with trailing ``;``, quoted records)."""
    lines = ["sep=;", ";".join(COLUMNS_2021) + ";", *(_quoted(r) for r in rows())]
    return "\n".join(lines) + "\n"


def write_sample(out_dir: Path) -> list[Path]:
    """Write ``out_dir/msb/schuldaten.csv`` (UTF-8, no BOM, LF) and return its path."""
    target = Path(out_dir) / "msb" / "schuldaten.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render().encode("utf-8"))
    return [target]


def write_messy_variants(out_dir: Path) -> list[Path]:
    """No messy variants: the parser's tests derive theirs from the real download."""
    return []
