"""The synthetic city's design figures: the few anchors every sample file is generated around.

These are generator *inputs* (the seed facts of ``shared/domain.md`` and levels in line with
real Krefeld/NRW figures), not results: the pipeline recomputes every indicator from the
generated files, and tests recompute the seed facts from those files with the real parsers.
"""

from __future__ import annotations

SEED = 20161717
"""Fixed random seed: rerunning the generator reproduces every file byte for byte."""

SCHOOL_YEARS: tuple[str, ...] = tuple(f"{y}/{(y + 1) % 100:02d}" for y in range(2014, 2025))
"""2014/15 … 2024/25."""

MONTHS: tuple[str, ...] = tuple(
    f"{y}-{m:02d}" for y in range(2015, 2026) for m in range(1, 13) if (y, m) <= (2025, 10)
)
"""2015-01 … 2025-10."""

KREFELD = "05114"
NRW = "05"

STADTBEZIRKE: dict[int, str] = {
    1: "West",
    2: "Nord",
    3: "Hüls",
    4: "Mitte",
    5: "Süd",
    6: "Fischeln",
    7: "Oppum-Linn",
    8: "Ost",
    9: "Uerdingen",
}
"""Krefeld's nine Stadtbezirke; key in the mart: ``05114000-<n>``."""

KREISFREIE_STAEDTE_NRW: dict[str, str] = {
    "05111": "Düsseldorf",
    "05112": "Duisburg",
    "05113": "Essen",
    "05114": "Krefeld",
    "05116": "Mönchengladbach",
    "05117": "Mülheim an der Ruhr",
    "05119": "Oberhausen",
    "05120": "Remscheid",
    "05122": "Solingen",
    "05124": "Wuppertal",
    "05314": "Bonn",
    "05315": "Köln",
    "05316": "Leverkusen",
    "05512": "Bottrop",
    "05513": "Gelsenkirchen",
    "05515": "Münster",
    "05711": "Bielefeld",
    "05911": "Bochum",
    "05913": "Dortmund",
    "05914": "Hagen",
    "05915": "Hamm",
    "05916": "Herne",
}
"""The kreisfreie Städte of NRW (comparison cities), official Kreis keys."""

KREFELD_LEAVERS: dict[str, tuple[int, int]] = {
    # school year: (all leavers of allgemeinbildende schools, leavers without HSA/ESA)
    "2014/15": (2210, 180),
    "2015/16": (2185, 171),
    "2016/17": (2160, 174),  # seed: 8.1 %
    "2017/18": (2230, 187),
    "2018/19": (2290, 196),
    "2019/20": (2315, 205),  # from here IT.NRW rounds to multiples of 5
    "2020/21": (2380, 190),
    "2021/22": (2440, 215),
    "2022/23": (2500, 230),  # as the real 21111-02-06-4 (2023)
    "2023/24": (2420, 285),  # as the real 21111-02-06-4-B (2024)
    "2024/25": (2455, 260),
}

NRW_SHARE_WITHOUT_HSA: dict[str, float] = {
    # NRW share of leavers without HSA/ESA in % (2016/17 seed: 5.7 %)
    "2014/15": 5.9,
    "2015/16": 5.6,
    "2016/17": 5.7,
    "2017/18": 6.0,
    "2018/19": 6.1,
    "2019/20": 6.0,
    "2020/21": 5.8,
    "2021/22": 6.2,
    "2022/23": 6.4,  # real 2023: 11,835 of 183,830
    "2023/24": 6.8,
    "2024/25": 6.7,
}

UEBERGANGSBEREICH_SHARE_2016 = 14.5
"""Seed: share (%) of Krefeld's 2016 vocational-training entrants in the transition sector."""
