"""Writes the known-answer fixture of the census retrieval tests: for a dozen real ZIPs, as a customer file
might hold them, the values the engine must append, read straight from the source parquet and crosswalk
(not from the built assets). Usage: known_answers.py OUT.json"""
import csv
import json
import sys
from collections import defaultdict

import pyarrow.parquet as pq

from build_census import CROSSWALK, MEASURES, PARQUET, SMALL_AREA_POPULATION

# (as written in the customer file, why it is here)
CASES = [
    ("02139", "a standard ZCTA (Cambridge, MA)"),
    ("2139", "the same ZIP after a spreadsheet dropped its leading zero"),
    ("10001-1234", "a ZIP+4"),
    ("60614.0", "a ZIP read as a number with a decimal part"),
    ("601", "Puerto Rico 00601 with both leading zeros dropped"),
    ("94507", "a top-coded ZCTA: income 250001 and home value 2000001"),
    ("36727", "a bottom-coded home value (9999)"),
    ("99638", "a tiny ZCTA (12 residents): withheld, county value instead"),
    ("02238", "a PO Box ZIP with no ZCTA: county value through the HUD crosswalk"),
    ("09001", "a military ZIP: no ZCTA, no county"),
    ("SW1A 1AA", "a UK postcode: invalid"),
    ("", "blank"),
]
CODES = ["B19013_001E", "B25077_001E", "DP02_0068PE", "B01003_001E"]


def main(out):
    rows = pq.read_table(PARQUET).to_pylist()
    by_zip = {r["zip"]: r for r in rows}
    county_of = {r["zip"]: r["county_fips"] for r in rows if r["county_fips"]}
    best = {}
    with open(CROSSWALK, newline="") as f:
        for rec in csv.DictReader(f):
            zip5, county, ratio = rec["ZIP"].zfill(5), rec["COUNTY"].zfill(5), float(rec["TOT_RATIO"])
            if zip5 not in best or ratio > best[zip5][1]:
                best[zip5] = (county, ratio)
    for zip5, (county, _) in best.items():
        county_of.setdefault(zip5, county)
    zctas_of_county = defaultdict(list)
    for r in rows:
        if r["population"] and r["county_fips"]:
            zctas_of_county[r["county_fips"]].append(r)
    measure_of = {code: m for m in MEASURES for code in m[7]}

    cases = []
    for text, why in CASES:
        digits = text.split("-")[0].split(".")[0]
        zip5 = digits.zfill(5) if digits.isdigit() and 3 <= len(digits) <= 5 else None
        r = by_zip.get(zip5) if zip5 else None
        county = county_of.get(zip5) if zip5 else None
        if not text.strip():
            level = "blank"
        elif zip5 is None:
            level = "invalid"
        elif r and r["population"] and r["population"] >= SMALL_AREA_POPULATION:
            level = "zcta"
        elif county in zctas_of_county:
            level = "county"
        else:
            level = "unmatched"
        values, censored = {}, {}
        for code in CODES:
            (_, column, scale, decimals, _, _, _, _, weight, censor) = measure_of[code]
            bound = {c["code"]: c["value"] for c in censor}
            value = None
            if level == "zcta" and r[column] is not None:
                value = bound.get(r[column], r[column]) * scale
                if r[column] in bound:
                    censored[code] = next(c["label"] for c in censor if c["code"] == r[column])
            elif level == "county" and weight:
                pairs = [(bound.get(z[column], z[column]), z[weight]) for z in zctas_of_county[county]
                         if z[column] is not None and z[weight]]
                if pairs:
                    value = scale * sum(v * w for v, w in pairs) / sum(w for _, w in pairs)
            values[code] = value
        cases.append({"input": text, "why": why, "zip": zip5, "level": level,
                      "small_area": bool(r and r["population"] and r["population"] < SMALL_AREA_POPULATION),
                      "county_fips": county if level == "county" else None,
                      "values": values, "censored": censored})
    with open(out, "w") as f:
        json.dump({"codes": CODES, "decimals": {c: measure_of[c][3] for c in CODES}, "cases": cases},
                  f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
