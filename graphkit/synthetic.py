"""A seeded synthetic health economy with England's shape, at any scale, written as the real national files.

``generate(out, scale=10, seed=1)`` writes ``out/ods/`` (epraccur 2019-12, 2023-12 and 2026-02, eccg 2025-12, ePCN
2019-12, 2022-05, 2023-01 and 2024-10 as CSV copies of both sheets, the practice map 2026-08), ``out/payments/``
(NHS Payments to General Practice 2019-20 to 2022-23) and ``out/casestudies/`` (curated federations, boards, people,
posts, contracts, subcontracts, deliveries and ties), in the formats the importers read, so
``graphkit build --seeds out --case-studies`` imports it unchanged. The shape is :data:`REAL_SHAPE`, measured from
the real files in seeds/ (:func:`measure_shape` recomputes it; ``tests/test_synthetic.py`` checks the two agree).

Codes (docs/synthetic.md): ODS never puts a Z second in any code (practices are a letter and five digits, PCNs U and
five digits, CCGs two digits and a letter, regions Y and two digits, 5-character codes a letter then a digit), so
every synthetic code has one: practices ``XZ`` + 4 base-36 characters, PCNs ``UZ`` + 4, CCGs and sub-ICB locations
a digit, ``Z`` and 1 or 3 more, ICBs ``QZ`` + 3, regions ``YZ`` + 2; curated organisations ``ZZN-SYN-...``, people
``ZZQ-SYN-...``, contracts ``SYN-...``. Every name says SYNTHETIC. The same seed and scale give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.ingest.curated.tables import TABLES

B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
D = dt.date

# England's shape, measured from the real files in seeds/ by measure_shape() (the test recomputes and compares).
REAL_SHAPE: dict[str, object] = {
    "regions": 7,
    "icbs_per_region": [11, 7, 6, 6, 5, 4, 3],  # open ICBs per region in eccg_2025-12 (column 3 by column 4)
    # open sub-ICB locations (RO319) per ICB in eccg_2025-12: 42 ICBs, 106 locations
    "sub_icbs_per_icb": [1] * 26 + [2, 2, 3, 3, 3, 3, 3, 4, 5, 5, 6, 6, 8, 8, 9, 10],
    "ccgs_2019": 191,  # PCN parents in ePCN_2019-12
    "ccgs_closed_2020_03_31": 93,  # eccg_2025-12 close dates: the 2020 and 2021 CCG mergers
    "ccgs_closed_2021_03_31": 38,
    "practices_2019": 6757,  # practices in a PCN in ePCN_2019-12
    "practices_closed_before_2019_12_share": 0.20,  # closed GP practices in epraccur_2019-12 / those open (1,374/6,830)
    # current practices per PCN in ePCN_2024-10: size -> PCNs (20 means 20 or more)
    "pcn_size_hist": {1: 70, 2: 118, 3: 221, 4: 252, 5: 204, 6: 152, 7: 105, 8: 62, 9: 37, 10: 21, 11: 20, 12: 6,
                      13: 3, 14: 3, 15: 3, 16: 1, 18: 2, 19: 1, 20: 2},
    # between consecutive ePCN vintages, per practice of the earlier one: new, gone (closed), moved PCN
    "churn": {"2022-05": (0.0071, 0.049, 0.074), "2023-01": (0.0019, 0.0147, 0.0116),
              "2024-10": (0.0036, 0.0297, 0.031)},
    # PCNs opened and closed between consecutive vintages, per PCN open in the earlier one (details rows)
    "pcn_churn": {"2022-05": (0.054, 0.046), "2023-01": (0.009, 0.006), "2024-10": (0.029, 0.013)},
    "practice_close_per_year": 0.025,  # GP practices closed per year 2020-2025 in epraccur_2026-02 / open ones
    "list_size_log_mean": 8.95, "list_size_log_sd": 0.83,  # payments 2022-23, registered patients
    "contract_types": {"GMS": 4664, "PMS": 1615, "APMS": 235, "Unknown": 155},  # payments 2022-23
    "dispensing_share": 0.14, "rural_share": 0.16,
}
# Not in the national files: federations. The case studies (seeds/casestudies) give their inner shape (40 and 50
# members, a board of about ten, localities, contracts and a subcontract, risk-sharing and directive ties); how many
# there are is assumed: one in every other sub-ICB location, over most of its practices (at most 60).
FEDERATION_SHARE = 0.5
VINTAGES_EPCN = (D(2019, 12, 1), D(2022, 5, 1), D(2023, 1, 1), D(2024, 10, 1))
VINTAGES_EPRACCUR = (D(2019, 12, 1), D(2023, 12, 1), D(2026, 2, 1))
PCN_START = D(2019, 7, 1)
MERGE_DAYS = (D(2020, 4, 1), D(2021, 4, 1))
YEARS = ("2019-20", "2020-21", "2021-22", "2022-23")
SOURCE = "synthetic economy (graphkit/synthetic.py)"


def b36(n: int, width: int) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, 36)
        out = B36[r] + out
    if n:
        raise ValueError("code space exhausted")
    return out


def practice_code(i: int) -> str:
    return "XZ" + b36(i, 4)


def pcn_code(i: int) -> str:
    return "UZ" + b36(i, 4)


def ccg_code(i: int) -> str:
    """3 characters (a digit, Z, one more) for the first 360, which eccg's recogniser counts; 5 after."""
    if i < 360:
        return f"{i // 36}Z{B36[i % 36]}"
    j = i - 360
    return f"{j // 46656 % 10}Z{b36(j % 46656, 3)}"


def icb_code(i: int) -> str:
    return "QZ" + b36(i, 3)


def region_code(i: int) -> str:
    return "YZ" + b36(i, 2)


@dataclass
class Area:
    code: str
    name: str
    icb: str
    region: str
    opened: dt.date = dt.date(2013, 4, 1)
    closed: dt.date | None = None
    successor: str | None = None  # the sub-ICB location a closed CCG merged into
    sub_icb: bool = False


@dataclass
class Pcn:
    code: str
    area: str  # the CCG of 2019 (or the sub-ICB location it was opened in)
    opened: dt.date = PCN_START
    closed: dt.date | None = None


@dataclass
class Practice:
    code: str
    area: str  # its CCG when first open
    opened: dt.date
    closed: dt.date | None = None
    memberships: list[list[Any]] = field(default_factory=list)  # [pcn, start, end]
    list_size: float = 0.0
    contract: str = "GMS"
    dispensing: bool = False
    rural: bool = False


class Economy:
    """The organisations and their histories; files are written from it."""

    def __init__(self, scale: float, seed: int) -> None:
        self.scale, self.seed = scale, seed
        self.rng = random.Random(f"graphkit-synthetic/{seed}/{scale}")
        self.areas: dict[str, Area] = {}
        self.icbs: dict[str, tuple[str, str]] = {}  # code -> (name, region)
        self.regions: dict[str, str] = {}
        self.pcns: dict[str, Pcn] = {}
        self.practices: dict[str, Practice] = {}
        self._build()

    # -- the hierarchy ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        rng, s, shape = self.rng, self.scale, REAL_SHAPE
        n_region = max(1, round(7 * s))
        per_region: list[int] = shape["icbs_per_region"]  # type: ignore[assignment]
        per_icb: list[int] = list(shape["sub_icbs_per_icb"])  # type: ignore[call-overload]
        n_icb = max(1, round(42 * s))
        regions = [region_code(i) for i in range(n_region)]
        for r in regions:
            self.regions[r] = f"SYNTHETIC REGION {r}"
        # ICBs dealt to regions in the real proportions
        weights = [per_region[i % 7] for i in range(n_region)]
        icb_region = rng.choices(regions, weights=weights, k=n_icb) if n_region > 1 else [regions[0]] * n_icb
        sizes: list[int] = []
        while len(sizes) < n_icb:
            block = per_icb[:]
            rng.shuffle(block)
            sizes.extend(block)
        n_sub = max(1, round(106 * s))
        sizes = sizes[:n_icb]
        while sum(sizes) > n_sub and max(sizes) > 1:  # a fraction of England: keep the total in proportion
            sizes[sizes.index(max(sizes))] -= 1
        ccg_i = 0
        merged_share = 46 / 106
        for i in range(n_icb):
            icb = icb_code(i)
            self.icbs[icb] = (f"NHS SYNTHETIC INTEGRATED CARE BOARD {icb}", icb_region[i])
            for _ in range(sizes[i]):
                if rng.random() < merged_share:
                    k = rng.choices((2, 3, 4), weights=(35, 45, 20))[0]
                    day = MERGE_DAYS[0] if rng.random() < 93 / 131 else MERGE_DAYS[1]
                    new = ccg_code(ccg_i)
                    ccg_i += 1
                    self.areas[new] = Area(new, f"NHS SYNTHETIC SUB-ICB LOCATION {new}", icb, icb_region[i],
                                           opened=day, sub_icb=True)
                    for _ in range(k):
                        old = ccg_code(ccg_i)
                        ccg_i += 1
                        self.areas[old] = Area(old, f"NHS SYNTHETIC CCG {old}", icb, icb_region[i],
                                               closed=day - dt.timedelta(days=1), successor=new)
                else:
                    code = ccg_code(ccg_i)
                    ccg_i += 1
                    self.areas[code] = Area(code, f"NHS SYNTHETIC CCG {code}", icb, icb_region[i], sub_icb=True)
        self._practices()

    def ccgs_2019(self) -> list[Area]:
        return [a for a in self.areas.values() if a.opened < PCN_START]

    def area_on(self, code: str, day: dt.date) -> str:
        a = self.areas[code]
        return a.successor if a.successor and a.closed and day > a.closed else code

    # -- practices, PCNs and their churn ------------------------------------------------------------------------
    def _practices(self) -> None:
        rng, shape = self.rng, REAL_SHAPE
        ccgs = self.ccgs_2019()
        n = max(len(ccgs), round(int(shape["practices_2019"]) * self.scale))  # type: ignore[call-overload]
        weights = [rng.lognormvariate(0, 0.6) for _ in ccgs]
        counts = Counter(rng.choices(range(len(ccgs)), weights=weights, k=n - len(ccgs)))
        hist: dict[int, int] = shape["pcn_size_hist"]  # type: ignore[assignment]
        sizes, size_w = list(hist), list(hist.values())
        types: dict[str, int] = shape["contract_types"]  # type: ignore[assignment]
        for ci, ccg in enumerate(ccgs):
            members = [self._new_practice(ccg.code, D(1974, 4, 1)) for _ in range(1 + counts[ci])]
            while members:
                size = min(rng.choices(sizes, weights=size_w)[0], len(members))
                pcn = self._new_pcn(ccg.code, PCN_START)
                for p in members[:size]:
                    p.memberships.append([pcn.code, PCN_START, None])
                members = members[size:]
        for p in self.practices.values():
            p.contract = rng.choices(list(types), weights=list(types.values()))[0]
        # practices closed before the first file (in epraccur as closed, in no PCN)
        share = float(shape["practices_closed_before_2019_12_share"])  # type: ignore[arg-type]
        for _ in range(round(n * share)):
            ccg = rng.choice(ccgs)
            p = self._new_practice(ccg.code, D(1974, 4, 1))
            p.closed = D(2014, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        self._churn()

    def _new_practice(self, area: str, opened: dt.date) -> Practice:
        rng = self.rng
        p = Practice(practice_code(len(self.practices)), area, opened)
        p.list_size = round(math.exp(rng.gauss(float(REAL_SHAPE["list_size_log_mean"]),  # type: ignore[arg-type]
                                               float(REAL_SHAPE["list_size_log_sd"]))))  # type: ignore[arg-type]
        p.dispensing = rng.random() < float(REAL_SHAPE["dispensing_share"])  # type: ignore[arg-type]
        p.rural = rng.random() < float(REAL_SHAPE["rural_share"])  # type: ignore[arg-type]
        self.practices[p.code] = p
        return p

    def _new_pcn(self, area: str, opened: dt.date) -> Pcn:
        pcn = Pcn(pcn_code(len(self.pcns)), area, opened)
        self.pcns[pcn.code] = pcn
        return pcn

    def pcn_of(self, p: Practice, day: dt.date) -> str | None:
        for pcn, start, end in p.memberships:
            if start <= day and (end is None or day <= end):
                return str(pcn)
        return None

    def _members(self, day: dt.date) -> dict[str, list[Practice]]:
        out: dict[str, list[Practice]] = {}
        for p in self.practices.values():
            pcn = self.pcn_of(p, day)
            if pcn:
                out.setdefault(pcn, []).append(p)
        return out

    def _move(self, p: Practice, pcn: str, day: dt.date) -> None:
        cur = p.memberships[-1]
        if cur[2] is None and cur[0] != pcn and day > cur[1]:
            cur[2] = day - dt.timedelta(days=1)
            p.memberships.append([pcn, day, None])

    def _churn(self) -> None:
        """Between consecutive ePCN vintages, at the real rates: practices close, open and move PCN; PCNs close
        (their members move to a neighbour) and open (taking members from one). Moves stay within the
        sub-ICB location of the day."""
        rng = self.rng
        churn: dict[str, tuple[float, float, float]] = REAL_SHAPE["churn"]  # type: ignore[assignment]
        pcn_churn: dict[str, tuple[float, float]] = REAL_SHAPE["pcn_churn"]  # type: ignore[assignment]
        for a, b in itertools.pairwise(VINTAGES_EPCN):
            key = f"{b:%Y-%m}"
            new_rate, gone_rate, move_rate = churn[key]
            open_rate, close_rate = pcn_churn[key]
            span = (b - a).days

            def day_in(a: dt.date = a, span: int = span) -> dt.date:
                return a + dt.timedelta(days=1 + rng.randrange(span - 1))

            members = self._members(a)
            by_area: dict[str, list[str]] = {}
            for pcn in sorted(members):
                by_area.setdefault(self.area_on(self.pcns[pcn].area, b), []).append(pcn)
            current = [p for pcn in sorted(members) for p in members[pcn]]
            # PCNs closing: members to another PCN of the area, on one day
            for pcn in sorted(members):
                area = self.area_on(self.pcns[pcn].area, b)
                others = [x for x in by_area[area] if x != pcn and not self.pcns[x].closed]
                if others and rng.random() < close_rate:
                    day, to = day_in(), rng.choice(others)
                    for p in members[pcn]:
                        self._move(p, to, day)
                    self.pcns[pcn].closed = day - dt.timedelta(days=1)
            # PCNs opening: half the members of one
            for pcn in sorted(members):
                if rng.random() < open_rate and len(members[pcn]) >= 2 and not self.pcns[pcn].closed:
                    day = day_in()
                    new = self._new_pcn(self.area_on(self.pcns[pcn].area, day), day)
                    for p in members[pcn][: len(members[pcn]) // 2]:
                        self._move(p, new.code, day)
            # practices moving and closing
            for p in current:
                r = rng.random()
                if r < gone_rate:
                    p.closed = max(day_in(), p.memberships[-1][1])
                    if p.memberships[-1][2] is None:
                        p.memberships[-1][2] = p.closed
                elif r < gone_rate + move_rate:
                    area = self.area_on(p.area, b)
                    cur = p.memberships[-1][0]
                    others = [x for x in by_area.get(area, []) if x != cur and not self.pcns[x].closed]
                    if others:
                        self._move(p, rng.choice(others), day_in())
            # practices opening, into a PCN of a random area
            for _ in range(round(len(current) * new_rate)):
                host = rng.choice(current)
                joins = self.pcn_of(host, a)
                if joins is None or self.pcns[joins].closed:
                    continue
                day = day_in()
                p = self._new_practice(self.area_on(host.area, day), day)
                p.memberships.append([joins, day, None])
        # later closures (after the last ePCN vintage, seen in epraccur 2026-02)
        last, end = VINTAGES_EPCN[-1], VINTAGES_EPRACCUR[-1]
        for p in list(self.practices.values()):
            if p.closed is None and self.rng.random() < float(REAL_SHAPE["practice_close_per_year"]) * 1.3:  # type: ignore[arg-type]
                p.closed = last + dt.timedelta(days=1 + self.rng.randrange((end - last).days - 1))
                if p.memberships and p.memberships[-1][2] is None:
                    p.memberships[-1][2] = p.closed
        ends: dict[str, list[Any]] = {}
        for p in self.practices.values():
            for m in p.memberships:
                ends.setdefault(m[0], []).append(m[2])
        for net in self.pcns.values():  # a PCN all of whose practices closed closes with the last
            shown = ends.get(net.code, [])
            if net.closed is None and shown and all(e is not None for e in shown):
                net.closed = max(shown)


# -- writing the files ---------------------------------------------------------------------------------------------
def _ymd(d: dt.date | None) -> str:
    return f"{d:%Y%m%d}" if d else ""


def _dmy(d: dt.date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else ""


def _write(path: Path, rows: list[list[str]], *, quote_all: bool = False) -> int:
    """Write CSV rows, gzipped (mtime 0, so the bytes depend on the rows only) when the name ends .gz; the number of
    data rows (all rows when headerless)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(data)
    else:
        path.write_bytes(data)
    return len(rows)


def _ods_row(code: str, name: str, region: str, system: str, opened: dt.date | None, closed: dt.date | None,
             status: str = "", commissioner: str = "", joined: dt.date | None = None, left: dt.date | None = None,
             setting: str = "", subtype: str = "", purchaser: str = "") -> list[str]:
    return [code, name, region, system, "1 SYNTHETIC STREET", "", "", "SYNTHETIC TOWN", "", "", _ymd(opened),
            _ymd(closed), status, subtype, commissioner, _ymd(joined), _ymd(left), "", "", "", "", "1", "",
            purchaser or commissioner, "", setting, ""]


#: the scales the code spaces allow (regions run out above about 185x, practices about 200x) and that fit this
#: machine's disk (about 35 MB per 1x); below 0.05x there are no federations (docs/synthetic.md)
MIN_SCALE, MAX_SCALE = 0.001, 100.0


def generate(out: Path, scale: float = 1.0, seed: int = 1, *, overwrite: bool = False) -> dict[str, int]:
    """Write the economy's files under ``out``, an empty or new folder (``overwrite``: the files of the same names
    are replaced, others left); returns the data rows written per file (relative path). BadParameter names a scale
    out of range or a folder that is not empty."""
    from graphkit.errors import BadParameter

    if not (math.isfinite(scale) and MIN_SCALE <= scale <= MAX_SCALE):
        raise BadParameter(f"scale {scale:g} is out of range: from {MIN_SCALE:g} to {MAX_SCALE:g} (England is 1)",
                           details={"parameter": "scale"})
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise BadParameter(f"{out} is not empty: a synthetic economy is written into an empty or new folder, so that "
                           "it is never mixed with other files (--force replaces the files of the same names)",
                           details={"parameter": "out_dir"})
    eco = Economy(scale, seed)
    rows: dict[str, int] = {}
    ods, pay, cur = out / "ods", out / "payments", out / "casestudies"
    rows.update(_write_epraccur(eco, ods))
    rows.update(_write_eccg(eco, ods))
    rows.update(_write_epcn(eco, ods))
    rows.update(_write_map(eco, ods))
    rows.update(_write_payments(eco, pay))
    rows.update(write_curated(eco, cur))
    readme = (f"# A synthetic health economy (graphkit synthetic --scale {scale:g} --seed {seed})\n\n"
              "Every organisation, person and figure here is SYNTHETIC: made by graphkit/synthetic.py with England's "
              "shape (docs/synthetic.md). No code can be a real ODS code.\n")
    (out / "README.md").write_text(readme, encoding="utf-8")
    return {k: rows[k] for k in sorted(rows)}


def _write_epraccur(eco: Economy, ods: Path) -> dict[str, int]:
    out = {}
    for v in VINTAGES_EPRACCUR:
        api = v.year >= 2026
        rows = []
        for p in eco.practices.values():
            if p.opened > v:
                continue
            closed = p.closed if p.closed and p.closed <= v else None
            day = closed or v
            area = eco.area_on(p.area, day)
            a = eco.areas[area]
            joined = a.opened if area != p.area else max(p.opened, D(2013, 4, 1))
            status = ("INACTIVE" if closed else "ACTIVE") if api else ("C" if closed else "A")
            rows.append(_ods_row(p.code, f"SYNTHETIC SURGERY {p.code}", a.region, a.icb, p.opened, closed, status,
                                 area, joined, closed, "RO76" if api else "4", "B"))
        name = f"epraccur_{v:%Y-%m}.csv.gz"
        out[f"ods/{name}"] = _write(ods / name, rows, quote_all=True)
    return out


def _write_eccg(eco: Economy, ods: Path) -> dict[str, int]:
    rows = []
    for a in eco.areas.values():  # 3-character codes first (the order they were made in)
        roles = "RO319" if a.sub_icb else ""
        rows.append(_ods_row(a.code, a.name, a.region, a.icb, a.opened, a.closed, subtype=roles))
    name = "eccg_2025-12.csv"
    return {f"ods/{name}": _write(ods / name, rows, quote_all=True)}


def _write_epcn(eco: Economy, ods: Path) -> dict[str, int]:
    out = {}
    for v in VINTAGES_EPCN:
        word = "CCG" if v.year < 2023 else "Sub ICB Loc"
        parent = "Current Clinical Commissioning Group Code" if word == "CCG" else "Current Sub ICB Loc Code"
        details = [["PCN Code", "PCN Name", parent, "Clinical Commissioning Group Name" if word == "CCG"
                    else "Sub ICB Location", "Open Date", "Close Date", "Address Line 1", "Address Line 2",
                    "Address Line 3", "Address Line 4", "Address Line 5", "Postcode"]]
        for pcn in eco.pcns.values():
            if pcn.opened > v:
                continue
            closed = pcn.closed if pcn.closed and pcn.closed < v else None
            area = eco.area_on(pcn.area, closed or v)
            details.append([pcn.code, f"SYNTHETIC PCN {pcn.code}", area, eco.areas[area].name, _ymd(pcn.opened),
                            _ymd(closed), "1 SYNTHETIC STREET", "", "", "SYNTHETIC TOWN", "", ""])
        partners = [["Partner Organisation Code", "Partner Name", f"Practice Parent {word} Code",
                     f"Practice Parent {word} Name", "PCN Code", "PCN Name", f"PCN Parent {word} Code",
                     f"PCN Parent {word} Name", "Practice to PCN Relationship Start Date",
                     "Practice to PCN Relationship End Date", f"Practice {word} and PCN {word} Match?"]]
        for p in eco.practices.values():
            for pcn, start, end in p.memberships:
                if start > v or (v == VINTAGES_EPCN[0] and end is not None):
                    continue
                end_shown = end if end is not None and end < v else None
                day = end_shown or v
                pa = eco.area_on(p.area, day)
                ca = eco.area_on(eco.pcns[str(pcn)].area, day)
                partners.append([p.code, f"SYNTHETIC SURGERY {p.code}", pa, eco.areas[pa].name, str(pcn),
                                 f"SYNTHETIC PCN {pcn}", ca, eco.areas[ca].name, _ymd(start),
                                 _ymd(end_shown), "1" if pa == ca else "0"])
        for sheet, table in (("pcn_details", details), ("core_partner_details", partners)):
            name = f"ePCN_{v:%Y-%m}_{sheet}.csv.gz"
            out[f"ods/{name}"] = _write(ods / name, table) - 1
    return out


def _write_map(eco: Economy, ods: Path) -> dict[str, int]:
    v = D(2026, 8, 1)
    rows = [["PUBLICATION", "EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "PRACTICE_POSTCODE", "PCN_CODE",
             "PCN_NAME", "ONS_SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_NAME", "ONS_ICB_CODE",
             "ICB_CODE", "ICB_NAME", "ONS_COMM_REGION_CODE", "COMM_REGION_CODE", "COMM_REGION_NAME", "SUPPLIER_NAME"]]
    for p in eco.practices.values():
        if p.closed or not p.memberships or p.memberships[-1][2] is not None:
            continue
        pcn = str(p.memberships[-1][0])
        area = eco.areas[eco.area_on(p.area, v)]
        icb_name, region = eco.icbs[area.icb]
        rows.append(["GP_PRAC_PAT_LIST", "01Aug2026", p.code, f"SYNTHETIC SURGERY {p.code}", "", pcn,
                     f"SYNTHETIC PCN {pcn}", "", area.code, area.name, "", area.icb, icb_name, "", region,
                     eco.regions[region], "SYNTHETIC"])
    name = "gp-reg-pat-prac-map_2026-08.csv.gz"
    return {f"ods/{name}": _write(ods / name, rows) - 1}


PAYMENT_SERVICES = ("Total QOF Payments", "Childhood Vaccination and Immunisation Scheme", "Minor Surgery",
                    "PCN Participation")


def _write_payments(eco: Economy, pay: Path) -> dict[str, int]:
    out = {}
    head = ["NHS England (Region) code", "NHS England (Region) Name", "CCG Code", "CCG NAME", "PCN Code", "PCN Name",
            "Practice Code", "Practice Name", "Practice Address", "Practice Postcode", "Practice Open Date",
            "Practice Close Date", "Contract Type", "Dispensing Practice", "Practice Type", "Practice Rurality",
            "Atypical Characteristics", "Number of Registered Patients (Last Known Figure)",
            "Number of Weighted Patients (Last Known Figure)", *PAYMENT_SERVICES,
            "Total NHS Payments to General Practice"]
    rng = random.Random(f"graphkit-synthetic-payments/{eco.seed}/{eco.scale}")
    for year in YEARS:
        first, last = D(int(year[:4]), 4, 1), D(int(year[:4]) + 1, 3, 31)
        rows = [head]
        for p in eco.practices.values():
            if p.opened > last or (p.closed and p.closed < first):
                continue
            day = p.closed if p.closed and p.closed < last else last
            area = eco.areas[eco.area_on(p.area, day)]
            pcn = eco.pcn_of(p, day) or (str(p.memberships[-1][0]) if p.memberships else "")
            size = round(p.list_size * (1 + 0.03 * (int(year[:4]) - 2019)))
            services = [f"{size * rng.uniform(5, 25):.2f}" for _ in PAYMENT_SERVICES]
            total = f"{size * rng.uniform(120, 180):.2f}"
            rows.append([area.region, eco.regions[area.region], area.code, area.name, pcn,
                         f"SYNTHETIC PCN {pcn}" if pcn else "", p.code, f"SYNTHETIC SURGERY {p.code}",
                         "1 SYNTHETIC STREET SYNTHETIC TOWN", "", _dmy(p.opened), _dmy(p.closed), p.contract,
                         "Yes" if p.dispensing else "No", "GP practice", "Rural" if p.rural else "Urban", "",
                         str(size), f"{size * rng.uniform(0.9, 1.1):.2f}", *services, total])
        name = f"nhspaymentsgp_{year}.csv.gz"
        out[f"payments/{name}"] = _write(pay / name, rows) - 1
    return out


# -- curated tables: federations ------------------------------------------------------------------------------------
#: the optional columns of ontology 2.3.0 to 2.5.0 the synthetic rows do not fill (a table may leave optional columns
#: out)
_NOT_WRITTEN = frozenset({"commissioning", "selection_basis", "outcome", "lot", "tier", "exit_reason", "succeeds",
                          "footprint_basis"})
#: the header of each curated table, from the tables' own columns (graphkit/ingest/curated/tables.py)
CURATED_HEADERS = {f"{table}.csv": ",".join(c.name for c in columns if c.name not in _NOT_WRITTEN)
                   for table, (_, columns) in TABLES.items()}


def write_curated(eco: Economy, cur: Path) -> dict[str, int]:
    """Federations (ZZN-SYN-F...) over the practices of one sub-ICB location each, with a board, localities,
    people and posts, a contract with subcontracts and deliveries, and lateral and directive ties. They are marked
    not fictional (``ZZN``): the curated check refuses ties between fictional and real organisations, and the
    synthetic national files are read as real ones; ``SYN`` in every code and SYNTHETIC in every name say what
    they are."""
    rng = random.Random(f"graphkit-synthetic-curated/{eco.seed}/{eco.scale}")
    t: dict[str, list[list[str]]] = {k: [] for k in CURATED_HEADERS}
    start = D(2016, 4, 1)
    subs = [a for a in eco.areas.values() if a.sub_icb]
    by_area: dict[str, list[Practice]] = {}
    for p in eco.practices.values():
        if p.opened <= start and (p.closed is None or p.closed > D(2019, 12, 1)):
            by_area.setdefault(eco.area_on(p.area, D(2022, 7, 1)), []).append(p)
    n = 0
    for a in subs:
        members = by_area.get(a.code, [])
        if len(members) < 4 or rng.random() >= FEDERATION_SHARE:
            continue
        n += 1
        f = f"ZZN-SYN-F{n:05d}"
        board = f"{f}-BOARD"
        k = min(60, max(4, round(len(members) * rng.uniform(0.6, 0.95))))
        chosen = sorted(rng.sample(members, k), key=lambda p: p.code)
        locs = [f"{f}-L{i + 1}" for i in range(min(4, max(1, k // 12)))]
        size = sum(round(p.list_size) for p in chosen)
        t["organisations.csv"].append([f, f"SYNTHETIC FEDERATION {n:05d}", "GPFederation", f"{start}", "", "false",
                                       str(size), "payroll;accounting", "systems", SOURCE, ""])
        t["organisations.csv"].append([board, f"SYNTHETIC FEDERATION {n:05d} BOARD", "FederationBoard", f"{start}",
                                       "", "false", "", "", "", SOURCE, ""])
        t["memberships.csv"].append([board, f, "UnitMembership", f"{start}", "", SOURCE, ""])
        for i, loc in enumerate(locs):
            t["organisations.csv"].append([loc, f"SYNTHETIC FEDERATION {n:05d} LOCALITY {i + 1}",
                                           "SubfederationGroup", f"{start}", "", "false", "", "", "", SOURCE, ""])
        for i, p in enumerate(chosen):
            end = f"{p.closed}" if p.closed else ""
            t["memberships.csv"].append([p.code, f, "FederationMembership", f"{start}", end, SOURCE, ""])
            t["memberships.csv"].append([p.code, locs[i % len(locs)], "SubfederationMembership", f"{start}", end,
                                         SOURCE, ""])
        # the board: a chair, GP members, an executive
        seats = [("chair", "BoardChair", "Elected")] + [("GP director", "BoardGPMember", "Elected")] * rng.randint(
            3, 7) + [("chief executive", "ChiefExecutive", "Appointed")]
        for j, (post, role, how) in enumerate(seats):
            person = f"ZZQ-SYN-F{n:05d}-P{j + 1:02d}"
            t["people.csv"].append([person, f"Synthetic Person {n:05d}-{j + 1:02d}", "false", SOURCE, ""])
            t["posts.csv"].append([person, board, post, role, "", how, "true", f"{start}", "", SOURCE, ""])
            if role != "ChiefExecutive":  # GPs on the board are partners in a member practice (boundary spanners)
                t["posts.csv"].append([person, chosen[j % k].code, "GP partner", "GPPartner", "", "", "", f"{start}",
                                       f"{chosen[j % k].closed}" if chosen[j % k].closed else "", SOURCE, ""])
        # a contract held by the federation, commissioned by the sub-ICB location, subcontracted to members
        contract = f"SYN-C-F{n:05d}-EA"
        t["contracts.csv"].append([contract, "ServiceContract", f, a.code, "ExtendedAccessService", "", "",
                                   "2018-10-01", "", str(size * 8), SOURCE, ""])
        for j, p in enumerate(rng.sample(chosen, min(k, rng.randint(1, 3)))):
            sub = f"{contract}-SUB{j + 1}"
            t["contracts.csv"].append([sub, "Subcontract", p.code, f, "ExtendedAccessService", contract, "",
                                       "2018-10-01", f"{p.closed}" if p.closed else "", "", SOURCE, ""])
        t["deliveries.csv"].append([locs[0], contract, "2018-10-01", "", SOURCE, ""])
        # ties: members share risk with a neighbour, the federation directs some members
        for i, p in enumerate(chosen):
            q = chosen[(i + 1) % k]
            if q is not p and rng.random() < 0.8:
                t["ties.csv"].append([p.code, q.code, "RiskSharingTie", "", "cover for absences", "", "", "", "", "",
                                      "", "", "", f"{start}", "", SOURCE, ""])
            if rng.random() < 0.4:
                t["ties.csv"].append([f, p.code, "DirectiveTie", "Oversight", "adopt the central accounting system", "",
                                      "", "", "", "true", "", rng.choice(("complied", "partial")), "", f"{start}", "",
                                      SOURCE, ""])
            if rng.random() < 0.3:
                t["ties.csv"].append([p.code, f, "DependenceTie", "", "", "", "", "", "", "", "", "", "payroll",
                                      f"{start}", "", SOURCE, ""])
    out = {}
    for name, body in t.items():
        cur.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        buf.write(f"# vintage: 2025-12-01\n# publisher: {SOURCE}, seed {eco.seed}, scale {eco.scale:g}\n")
        buf.write(CURATED_HEADERS[name] + "\n")
        csv.writer(buf, lineterminator="\n").writerows(body)
        (cur / name).write_text(buf.getvalue(), encoding="utf-8")
        out[f"casestudies/{name}"] = len(body)
    return out


# -- the real shape, measured ---------------------------------------------------------------------------------------
def measure_shape(seeds: Path) -> dict[str, object]:
    """The figures of :data:`REAL_SHAPE` that the real files in ``seeds`` give directly, measured now."""

    def rows(p: Path) -> list[list[str]]:
        opener = gzip.open if p.suffix == ".gz" else open
        with opener(p, "rt", encoding="utf-8-sig", newline="") as fh:
            return list(csv.reader(fh))

    ods = seeds / "ods"
    eccg = [r for r in rows(ods / "eccg_2025-12.csv") if not r[11]]
    sub = [r for r in eccg if "RO319" in r[13]]
    icb_region = {(r[2], r[3]) for r in eccg}
    partners = rows(ods / "ePCN_2024-10_core_partner_details.csv.gz")[1:]
    per_pcn = Counter(r[4] for r in partners if not r[9])
    hist = Counter(min(v, 20) for v in per_pcn.values())
    closed = Counter(r[11] for r in rows(ods / "eccg_2025-12.csv") if r[11])
    return {
        "regions": len({r for r, _ in icb_region}),
        "icbs_per_region": sorted(Counter(r for r, _ in icb_region).values(), reverse=True),
        "sub_icbs_per_icb": sorted(Counter(r[3] for r in sub).values()),
        "ccgs_2019": len({r[2] for r in rows(ods / "ePCN_2019-12_pcn_details.csv.gz")[1:]}),
        "ccgs_closed_2020_03_31": closed["20200331"],
        "ccgs_closed_2021_03_31": closed["20210331"],
        "practices_2019": len(rows(ods / "ePCN_2019-12_core_partner_details.csv.gz")) - 1,
        "pcn_size_hist": dict(sorted(hist.items())),
    }
