"""Build the default variable catalog (JSON Lines) from the US Census ACS 2019 5-year variable lists
shipped in PyPI `censusdata` (detailed, subject and profile tables) plus the behavioural and
psychographic variables written for this project (`authored.toml`).

Usage: python build_catalog.py OUT.jsonl

The record format is documented in catalog/README.md. Census variables keep their Census code,
table (group) and concept; their `!!`-separated labels become readable text; each table gets a
type; the technical tables (B98, B99 quality measures and B00 unweighted sample counts) and the
API's geography predicates are dropped; mojibake (UTF-8 read as Latin-1) is repaired.
"""

import json
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

import importlib.util

HERE = Path(__file__).resolve().parent
# censusdata is installed with --no-deps, so it is located, not imported (importing needs requests).
VARIABLE_DIR = Path(importlib.util.find_spec("censusdata").submodule_search_locations[0]) / "variables"
KINDS = [
    ("detail", "US Census ACS 2019 5-year, detailed tables"),
    ("subject", "US Census ACS 2019 5-year, subject tables"),
    ("profile", "US Census ACS 2019 5-year, data profiles"),
]
DROPPED_PREFIXES = ("B98", "B99", "B00", "C98", "C99")

# ACS table subjects (the two digits after the B/C/S prefix) -> catalog type.
SUBJECT_TYPES = {
    "01": "demographic", "02": "demographic", "03": "demographic", "04": "demographic",
    "05": "demographic", "06": "demographic", "07": "geographic", "08": "transportation",
    "09": "household", "10": "household", "11": "household", "12": "demographic",
    "13": "demographic", "14": "education", "15": "education", "16": "language",
    "17": "financial", "18": "health", "19": "financial", "20": "financial",
    "21": "demographic", "22": "financial", "23": "employment", "24": "employment",
    "25": "housing", "26": "housing", "27": "health", "28": "technology", "29": "demographic",
}

# Data-profile sections (upper-case label headers) -> type; first match wins.
PROFILE_SECTIONS = [
    ("COMPUTERS AND INTERNET", "technology"),
    ("LANGUAGE SPOKEN", "language"),
    ("SCHOOL ENROLLMENT", "education"),
    ("EDUCATIONAL ATTAINMENT", "education"),
    ("RESIDENCE 1 YEAR AGO", "geographic"),
    ("DISABILITY", "health"),
    ("HEALTH INSURANCE", "health"),
    ("COMMUTING", "transportation"),
    ("VEHICLES AVAILABLE", "transportation"),
    ("EMPLOYMENT STATUS", "employment"),
    ("OCCUPATION", "employment"),
    ("INDUSTRY", "employment"),
    ("CLASS OF WORKER", "employment"),
    ("INCOME", "financial"),
    ("POVERTY", "financial"),
    ("HOUSEHOLDS BY TYPE", "household"),
    ("RELATIONSHIP", "household"),
    ("GRANDPARENTS", "household"),
    ("MARITAL", "demographic"),
    ("FERTILITY", "demographic"),
]
PROFILE_DEFAULT = {"DP02": "demographic", "DP03": "financial", "DP04": "housing", "DP05": "demographic"}


def repair_mojibake(text):
    """Undo UTF-8 bytes that were decoded as Latin-1 ("pÃºblico" -> "público")."""
    if not re.search("[\u00c2-\u00c3][\u0080-\u00bf]", text):
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def is_header(part):
    letters = [c for c in part if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def sentence_case(text):
    text = text.lower()
    return text[:1].upper() + text[1:]


def readable_label(raw):
    """`Estimate!!Total:!!Male:!!25 to 29 years` -> `Male / 25 to 29 years`."""
    parts = [p.strip().rstrip(":").strip() for p in repair_mojibake(raw).split("!!")]
    parts = [p for p in parts if p]
    if parts and parts[0] in ("Estimate", "Percent"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "Total":
        parts = parts[1:]
    parts = [sentence_case(p) if is_header(p) else p for p in parts]
    return " / ".join(parts) if parts else "Total"


def unit_of(code, raw_label, readable):
    if code.endswith("PE") or raw_label.startswith("Percent") or re.search(r"\bPercent\b", readable):
        return "percent"
    if re.search(r"\b(Median|median)\b", readable):
        return "median"
    if re.search(r"\b(Mean|mean|Average|average)\b", readable):
        return "mean"
    if re.search(r"\bAggregate\b|\baggregate\b", readable):
        return "aggregate"
    return "count"


def census_type(table, readable):
    if table.startswith("DP"):
        upper = readable.upper()
        for key, kind in PROFILE_SECTIONS:
            if key in upper:
                return kind
        return PROFILE_DEFAULT[table[:4]]
    return SUBJECT_TYPES.get(table[1:3], "demographic")


def census_records():
    records = []
    dropped = Counter()
    for kind, source in KINDS:
        variables = json.loads((VARIABLE_DIR / f"acs5_2019_{kind}_variables.json").read_text("utf-8"))["variables"]
        for code, v in variables.items():
            table = v.get("group", "N/A")
            if table == "N/A" or v.get("predicateOnly") or "," in table:
                dropped["geography predicate or id"] += 1
                continue
            if table.startswith(DROPPED_PREFIXES):
                dropped["technical table " + table[:3]] += 1
                continue
            label = readable_label(v["label"])
            unit = unit_of(code, v["label"], label)
            concept = sentence_case(repair_mojibake(re.sub(r"\s+", " ", v["concept"]).strip()))
            records.append({
                "code": code,
                "label": label,
                "concept": concept,
                "table": table,
                "type": census_type(table, label),
                "data_type": "numeric",
                "unit": unit,
                "range": [0, 100] if unit == "percent" else [0, None],
                "source": source,
                "availability": ["third_party"],
            })
    records.sort(key=lambda r: (r["table"], r["code"]))
    return records, dropped


def authored_records():
    spec = tomllib.loads((HERE / "authored.toml").read_text("utf-8"))
    records = []
    for family in spec["family"]:
        for n, item in enumerate(family["items"], start=1):
            text, extra = (item.split(" | ", 1) + [""])[:2]
            label = family["label"].replace("{}", text)
            description = family["description"].replace("{}", text)
            if extra:
                description += f"; also: {extra}"
            record = {
                "code": f"AB_{family['code']}_{n:03d}",
                "label": label,
                "concept": family["concept"],
                "description": description,
                "table": f"AB_{family['code']}",
                "type": family["type"],
                "data_type": family["data_type"],
                "source": "audience-builder-authored",
                "availability": family["availability"],
            }
            if "values" in family:
                record["values"] = family["values"]
            if "range" in family:
                record["range"] = family["range"]
            if "unit" in family:
                record["unit"] = family["unit"]
            records.append(record)
    codes = Counter(r["code"] for r in records)
    assert max(codes.values()) == 1, "duplicate authored codes"
    return records


def main():
    out = Path(sys.argv[1])
    census, dropped = census_records()
    authored = authored_records()
    records = census + authored
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"census variables kept: {len(census)}; dropped: {dict(dropped)}")
    print(f"authored variables: {len(authored)}")
    print("by type:", dict(Counter(r["type"] for r in records).most_common()))
    print(f"wrote {len(records)} records to {out}")


if __name__ == "__main__":
    main()
