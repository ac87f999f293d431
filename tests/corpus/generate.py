#!/usr/bin/env python3
"""Generates the bad-and-unusual CSV corpus (issue #12) and its expectations.

    python3 tests/corpus/generate.py            # rewrites tests/corpus/files/ and expectations.json
    python3 tests/corpus/generate.py OUT_DIR    # writes OUT_DIR/files/ and OUT_DIR/expectations.json

Python 3 standard library only, deterministic (fixed seeds, no clock). `cli/tests/corpus.rs` runs every
file through `audience segment` and checks the outcome written here; it also checks that this script
reproduces the committed files byte for byte when python3 is available.

Each file's expectation is one of:
  * "ok": rows in = rows out. `header` and `rows` are the fields exactly as they must come back in the
    clustered CSV (decoded to UTF-8), `delimiter` the output delimiter; segment shares must lie within
    `--min`..`--max` of `args`. `notes` are phrases stderr must contain.
  * "error": `gist` is a phrase the refusal must contain (and the exit code is 1, never a panic).
  * "either": the run may succeed or refuse, but any refusal must contain `gist` (behaviour decided
    elsewhere, e.g. an existing `segment` column).
"""

import csv
import io
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEGMENT_ARGS = ["--k", "2", "--min", "0.3", "--max", "0.7", "--restarts", "1", "--seed", "1"]

CITIES = ["Paris", "Rome", "Oslo", "Lima", "Kyiv", "Quito"]
PLANS = ["gold", "silver", "bronze"]

ENTRIES = []
FILES = {}


def people(n, seed=1):
    """A small customer table: id, age, city, plan, spend."""
    rng = random.Random(seed)
    header = ["customer_id", "age", "city", "plan", "spend"]
    rows = []
    for i in range(n):
        rows.append([
            "c%04d" % i,
            str(rng.randint(18, 80)),
            CITIES[rng.randrange(len(CITIES))],
            PLANS[rng.randrange(len(PLANS))],
            "%d.%02d" % (rng.randint(0, 900), rng.randint(0, 99)),
        ])
    return header, rows


def to_csv(records, delimiter=",", terminator="\n", quoting=csv.QUOTE_MINIMAL):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator, quoting=quoting)
    for record in records:
        writer.writerow(record)
    return out.getvalue()


def ok(name, data, header, rows, delimiter=",", args=(), notes=(), why=""):
    if isinstance(data, str):
        data = data.encode("utf-8")
    FILES[name] = data
    ENTRIES.append({
        "file": name, "outcome": "ok", "why": why, "args": SEGMENT_ARGS + list(args),
        "delimiter": delimiter, "header": header, "rows": rows, "notes": list(notes),
    })


def error(name, data, gist, args=(), why=""):
    if isinstance(data, str):
        data = data.encode("utf-8")
    FILES[name] = data
    ENTRIES.append({
        "file": name, "outcome": "error", "why": why, "args": SEGMENT_ARGS + list(args), "gist": gist,
    })


def either(name, data, gist, args=(), why=""):
    if isinstance(data, str):
        data = data.encode("utf-8")
    FILES[name] = data
    ENTRIES.append({
        "file": name, "outcome": "either", "why": why, "args": SEGMENT_ARGS + list(args), "gist": gist,
    })


def plain(name, n=12, seed=1, delimiter=",", terminator="\n", encoding="utf-8", quoting=csv.QUOTE_MINIMAL,
          prefix=b"", why="", args=(), notes=()):
    header, rows = people(n, seed)
    text = to_csv([header] + rows, delimiter, terminator, quoting)
    ok(name, prefix + text.encode(encoding), header, rows, delimiter, args, notes, why)


def build():
    # ------------------------------------------------------------ encodings
    plain("utf8_bom.csv", prefix=b"\xef\xbb\xbf", why="UTF-8 byte-order mark stripped")
    header, rows = people(12, 2)
    rows = [[r[0], r[1], c, r[3], r[4]] for r, c in zip(rows, ["Genève", "Zoë", "Málaga"] * 4)]
    text = to_csv([header] + rows)
    ok("utf16le_bom.csv", b"\xff\xfe" + text.encode("utf-16-le"), header, rows, why="UTF-16 LE with BOM")
    ok("utf16be_bom.csv", b"\xfe\xff" + text.encode("utf-16-be"), header, rows, why="UTF-16 BE with BOM")
    ok("utf16le_nobom.csv", text.encode("utf-16-le"), header, rows, why="UTF-16 LE without BOM")
    ok("latin1.csv", text.encode("latin-1"), header, rows, why="Latin-1 bytes read as Windows-1252")
    rows_eur = [[r[0], r[1], r[2], r[3], "€" + r[4]] for r in rows]
    ok("windows1252_euro.csv", to_csv([header] + rows_eur, ";").encode("cp1252"), header, rows_eur, ";",
       why="Windows-1252 euro sign, semicolons")
    # Mostly UTF-8, one invalid byte: the whole file is read as Windows-1252.
    mixed = to_csv([header] + rows).encode("utf-8") + b"c9999,40,Caf\xe9,gold,1.00\n"
    rows_mixed = [[c.encode("utf-8").decode("cp1252") for c in r] for r in rows] + [
        ["c9999", "40", "Café", "gold", "1.00"]]
    ok("utf8_with_invalid_byte.csv", mixed, header, rows_mixed,
       why="invalid UTF-8: every byte read as Windows-1252 (UTF-8 accents become two characters)")

    # ------------------------------------------------------------ delimiters
    plain("semicolon.csv", delimiter=";")
    plain("tab.tsv", delimiter="\t")
    plain("pipe.csv", delimiter="|")
    plain("quote_all.csv", quoting=csv.QUOTE_ALL, why="every field quoted")
    header, rows = people(12, 3)
    padded = [[" %s " % f if j in (2, 3) else f for j, f in enumerate(r)] for r in rows]
    ok("padded_fields.csv", to_csv([header] + padded), header, padded,
       why="spaces around fields are kept byte for byte")
    rows_dc = [[r[0], r[1], r[2], r[3], r[4].replace(".", ",")] for r in rows]
    ok("decimal_comma.csv", to_csv([header] + rows_dc, ";"), header, rows_dc, ";",
       why="decimal commas in a ; file")
    spaced = "customer_id age city\n" + "".join("c%02d %d %s\n" % (i, 20 + i, CITIES[i % 3]) for i in range(12))
    ok("space_separated.txt", spaced, ["customer_id age city"],
       [["c%02d %d %s" % (i, 20 + i, CITIES[i % 3])] for i in range(12)],
       why="spaces are not a delimiter: one text column", args=())

    # ------------------------------------------------------------ line endings
    plain("crlf.csv", terminator="\r\n")
    plain("cr_only.csv", terminator="\r", why="old Mac line endings")
    header, rows = people(12, 4)
    text = "".join(to_csv([r], terminator=["\n", "\r\n", "\r"][i % 3]) for i, r in enumerate([header] + rows))
    ok("mixed_line_endings.csv", text, header, rows)
    header, rows = people(12, 5)
    ok("no_trailing_newline.csv", to_csv([header] + rows).rstrip("\n"), header, rows)
    header, rows = people(60, 6)
    bad = [header] + rows[:49] + [["only", "two"]] + rows[49:]
    error("cr_only_ragged.csv", to_csv(bad, terminator="\r"), "the first at line 51",
          why="CR-only file: the bad row is reported at its own line")

    # ------------------------------------------------------------ quoting and bad rows
    header, rows = people(12, 7)
    rows_nl = [[r[0], r[1], r[2] + ("\nsecond line" if i % 4 == 0 else ""), r[3], r[4]] for i, r in enumerate(rows)]
    ok("quoted_newlines.csv", to_csv([header] + rows_nl), header, rows_nl)
    rows_q = [[r[0], r[1], 'say "hi", %s' % r[2], r[3], r[4]] for r in rows]
    ok("quotes_and_delimiters_in_fields.csv", to_csv([header] + rows_q), header, rows_q)
    text = to_csv([header] + rows[:5]) + 'c9,40,"Paris,gold,1.00\n' + to_csv(rows[5:])
    error("unclosed_quote.csv", text, "line 7: a quoted field opened on this line is never closed")
    ragged = [header] + rows[:3] + [rows[3][:3]] + rows[4:8] + [rows[8] + ["extra"]] + rows[9:]
    error("ragged_rows.csv", to_csv(ragged), "--skip-bad-rows", why="the refusal names the remedy")
    error("all_rows_bad.csv", "a,b,c\n1\n2\n3,4\n", "none of the 3 rows can be read as-is",
          args=["--skip-bad-rows"], why="skipping would leave nothing: said, not 'no column can be clustered on'")
    ok("ragged_rows_skipped.csv", to_csv(ragged), header, rows[:3] + rows[4:8] + rows[9:],
       args=["--skip-bad-rows"], notes=["2 of 12 rows could not be read as-is", "line 5"])

    # ------------------------------------------------------------ empty and tiny
    error("empty.csv", b"", "the file is empty")
    error("bom_only.csv", b"\xef\xbb\xbf", "only a byte-order mark")
    error("blank_lines_only.csv", "\n\n   \n\n", "no columns")
    error("delimiters_only.csv", ",,,\n,,,\n", "no columns")
    error("header_only.csv", "customer_id,age,city\n", "no data rows")
    error("header_only_no_newline.csv", "name,age", "no data rows")
    header, rows = people(1, 8)
    error("single_row.csv", to_csv([header] + rows), "at least 2 customers",
          why="readable, but one row cannot make 2 segments: the refusal names the row count")
    header, rows = people(3, 8)
    ok("three_rows.csv", to_csv([header] + rows), header, rows)
    values = [[str(v)] for v in [3, 9, 1, 7, 4, 8, 2, 6, 5, 10, 11, 12]]
    ok("single_column.csv", to_csv([["visits"]] + values), ["visits"], values)

    # ------------------------------------------------------------ names
    header, rows = people(12, 9)
    dup = ["id", "score", "score", "city", "plan"]
    ok("duplicate_column_names.csv", to_csv([dup] + rows), ["id", "score", "score_2", "city", "plan"], rows,
       why="the repeated name is renamed score_2 in the output")
    empty_names = ["id", "", "city", "", "spend"]
    ok("empty_column_names.csv", to_csv([empty_names] + rows), ["id", "column_2", "city", "column_4", "spend"],
       rows)
    uni = ["客户", "âge", "ville 🏙", "plan", "dépense"]
    rows_u = [[r[0], r[1], r[2] + " 東京", r[3], r[4]] for r in rows]
    ok("unicode_names.csv", to_csv([uni] + rows_u), uni, rows_u)
    quoted_header = '"customer_id","age","city","plan","spend"\n' + to_csv(rows)
    ok("quoted_header.csv", quoted_header, people(1)[0], rows)
    trailing = "".join(",".join(r) + ",\n" for r in [people(1)[0]] + rows)
    ok("trailing_delimiters.csv", trailing, people(1)[0] + ["column_6"], [r + [""] for r in rows],
       why="a trailing delimiter on every line is an empty, unnamed column")

    # ------------------------------------------------------------ long fields, NULs, binary, other formats
    header, rows = people(12, 10)
    long_rows = [[r[0], r[1], r[2], r[3], r[4]] for r in rows]
    long_rows[3][2] = "x" * 20000
    ok("very_long_field.csv", to_csv([header] + long_rows), header, long_rows)
    text = to_csv([header] + rows).encode()
    at = text.index(b"\n", 150) + 3
    ok("stray_nuls.csv", text[:at] + b"\x00\x00\x00" + text[at:], header, rows,
       notes=["removed 3 NUL bytes"], why="three stray NULs are removed and reported, not 'not a text file'")
    error("nul_heavy.csv", b"a,b\n" + b"\x00" * 400 + b"1,2\n", "not a text file")
    garbage_rng = random.Random(11)
    error("binary_garbage.bin", bytes(garbage_rng.randrange(256) for _ in range(3000)), "not a text file")
    error("png_signature.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "not a text file")
    error("json.csv", '[{"a": 1, "b": 2}, {"a": 3, "b": 4}]\n', "JSON")
    error("html.csv", "<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>\n", "HTML")
    prose = ("It was a bright cold day in April and the clocks were striking thirteen, said the narrator.\n" * 3)
    error("prose.txt", prose.replace(",", ""), "does not look like a delimited table")

    # ------------------------------------------------------------ preambles and repeated headers
    header, rows = people(12, 12)
    body = to_csv([header] + rows)
    ok("title_line.csv", "Customer export - December 2026\n" + body, header, rows, notes=["title"])
    ok("title_and_blank_line.csv", "Customer export\n\n" + body, header, rows, notes=["line 1 (title"])
    ok("sep_line.csv", "sep=;\n" + to_csv([header] + rows, ";"), header, rows, ";",
       notes=["Excel sep= line"])
    rows_dc = [[r[0], r[1], r[2], r[3], r[4].replace(".", ",")] for r in rows]
    ok("bom_sep_line_decimal_commas.csv", b"\xef\xbb\xbf" + ("sep=;\n" + to_csv([header] + rows_dc, ";")).encode(),
       header, rows_dc, ";", notes=["Excel sep= line"])
    ok("comment_lines.csv", "# exported by CRM\n# filter: all customers\n" + body, header, rows,
       notes=["comment"])
    ok("repeated_header.csv", to_csv([header] + rows[:6] + [header] + rows[6:]), header, rows,
       notes=["repeated header line", "line 8"])
    ok("concatenated_with_blank.csv", to_csv([header] + rows[:6]) + "\n" + to_csv([header] + rows[6:]), header,
       rows, notes=["repeated header"])

    # ------------------------------------------------------------ header detection
    text_rows = [[["Ann", "Bob", "Cy", "Dee", "Eve", "Fay"][i % 6] + str(i), CITIES[i % 6], PLANS[i % 3]]
                 for i in range(12)]
    ok("headerless_text_first_row_repeats.csv", to_csv(text_rows), ["column_1", "column_2", "column_3"],
       text_rows, why="the first line's city appears again below: it is a customer, not a header")
    unique_first = [["Zed", "Berlin", "platinum"]] + text_rows[1:]
    headerless = to_csv(unique_first)
    ok("headerless_all_text_auto.csv", headerless, unique_first[0], unique_first[1:],
       notes=["could also be a customer", "--header no"],
       why="a guess: the first line is taken as the header and stderr says so and how to override it")
    ok("headerless_all_text_header_no.csv", headerless, ["column_1", "column_2", "column_3"], unique_first,
       args=["--header", "no"], why="--header no keeps every record")
    num_rows = [[str(20 + i), str(1000 + 37 * i), PLANS[i % 3]] for i in range(12)]
    ok("headerless_numbers.csv", to_csv(num_rows), ["column_1", "column_2", "column_3"], num_rows)
    mail_rows = [["user%d@example.org" % i, CITIES[i % 4], PLANS[i % 3]] for i in range(12)]
    ok("headerless_emails.csv", to_csv(mail_rows), ["column_1", "column_2", "column_3"], mail_rows)
    ok("header_yes_on_numbers.csv", to_csv(num_rows), num_rows[0], num_rows[1:], args=["--header", "yes"])

    # ------------------------------------------------------------ cell contents
    header, rows = people(12, 13)
    miss = [[r[0], r[1], r[2], "", r[4]] for r in rows]
    ok("all_missing_column.csv", to_csv([header] + miss), header, miss)
    const = [[r[0], "42", "Paris", "gold", r[4]] for r in rows]
    ok("constant_columns.csv", to_csv([header] + const), header, const)
    formulas = ["=1+1", "@SUM(A1:A2)", "+33 6 12", "-2+3", "=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0"]
    rows_f = [[r[0], r[1], formulas[i % len(formulas)], r[3], r[4]] for i, r in enumerate(rows)]
    ok("formulas_in_cells.csv", to_csv([header] + rows_f), header, rows_f,
       why="input cells come back unchanged unless --escape-formulas is asked for")
    thousands = [[r[0], r[1], r[2], r[3], "{:,}".format(1000 * i + 234567)] for i, r in enumerate(rows)]
    ok("thousands_separators.csv", to_csv([header] + thousands), header, thousands)
    pct = [[r[0], "%d%%" % (5 * i), r[2], r[3], "%.1f %%" % (i / 3)] for i, r in enumerate(rows)]
    ok("percentages.csv", to_csv([header] + pct), header, pct)
    money = [[r[0], r[1], r[2], r[3], ["$1,200.50", "€3,40", "£12", "USD 7.5", "-$4.00", "¥1000"][i % 6]]
             for i, r in enumerate(rows)]
    ok("currency.csv", to_csv([header] + money), header, money)
    dates = ["2024-03-01", "01/03/2024", "3/1/2024", "Mar 3 2024", "2024-03-01T10:00:00Z", "03.01.2024"]
    rows_d = [[r[0], r[1], dates[i % 6], r[3], r[4]] for i, r in enumerate(rows)]
    ok("dates_mixed.csv", to_csv([["customer_id", "age", "signup", "plan", "spend"]] + rows_d),
       ["customer_id", "age", "signup", "plan", "spend"], rows_d)
    iso = [[r[0], r[1], "2024-%02d-%02d" % (1 + i % 12, 1 + i), r[3], r[4]] for i, r in enumerate(rows)]
    ok("dates_iso.csv", to_csv([["customer_id", "age", "signup", "plan", "spend"]] + iso),
       ["customer_id", "age", "signup", "plan", "spend"], iso)
    huge = ["1e308", "-1e308", "99999999999999999999999", "1.7976931348623157e308", "1e-320", "12"]
    rows_h = [[r[0], r[1], r[2], r[3], huge[i % 6]] for i, r in enumerate(rows)]
    ok("huge_numbers.csv", to_csv([header] + rows_h), header, rows_h)
    rows_z = [[r[0], ["-0", "0", "-0.0", "+0", "0.0", "-0e0"][i % 6], r[2], r[3], r[4]] for i, r in enumerate(rows)]
    ok("negative_zero.csv", to_csv([header] + rows_z), header, rows_z)
    nan = ["NaN", "inf", "-Infinity", "nan", "1.5", "INF"]
    rows_n = [[r[0], r[1], r[2], r[3], nan[i % 6]] for i, r in enumerate(rows)]
    ok("nan_inf_strings.csv", to_csv([header] + rows_n), header, rows_n)
    markers = ["NA", "N/A", "null", "-", "?", "NULL"]
    rows_m = [[r[0], markers[i % 6] if i % 2 else r[1], r[2], r[3], r[4]] for i, r in enumerate(rows)]
    ok("missing_markers.csv", to_csv([header] + rows_m), header, rows_m)
    rows_ws = to_csv([header] + rows[:6]) + "   \n\t\n" + to_csv(rows[6:])
    ok("whitespace_lines.csv", rows_ws, header, rows, notes=["empty record"])
    rows_e = to_csv([header] + rows[:4]) + ",,,,\n" + to_csv(rows[4:8]) + ",,,,\n" + to_csv(rows[8:])
    ok("all_empty_records.csv", rows_e, header, rows, notes=["left out 2 empty records"])
    seg = [header + ["segment"]] + [r + [str(1 + i % 2)] for i, r in enumerate(rows)]
    either("existing_segment_column.csv", to_csv(seg), "segment",
           why="an earlier export: replacing or renaming the column is decided by --replace-segment")
    ids = [["customer_id", "email"]] + [["c%d" % i, "u%d@example.org" % i] for i in range(30)]
    error("identifiers_only.csv", to_csv(ids), "no column can be used to form segments",
          why="nothing to segment on: the refusal names the columns")

    # ------------------------------------------------------------ shape
    wide_header = ["customer_id"] + ["v%03d" % j for j in range(150)]
    rng = random.Random(14)
    wide_rows = [["c%d" % i] + [str(rng.randint(0, 9)) for _ in range(150)] for i in range(12)]
    ok("wide_150_columns.csv", to_csv([wide_header] + wide_rows), wide_header, wide_rows)
    plain("rows_400.csv", n=400, seed=15)
    header, rows = people(12, 16)
    r_style = to_csv([header[1:]] + rows)
    ok("header_one_name_short.csv", r_style, header[1:] + ["column_5"], rows,
       why="a header one name short of the rows: an unnamed last column is added (fields unchanged)")


def write(out_dir):
    build()
    files = os.path.join(out_dir, "files")
    os.makedirs(files, exist_ok=True)
    for name in os.listdir(files):
        os.remove(os.path.join(files, name))
    for name, data in sorted(FILES.items()):
        with open(os.path.join(files, name), "wb") as f:
            f.write(data)
    with open(os.path.join(out_dir, "expectations.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump({"generator": "tests/corpus/generate.py", "files": ENTRIES}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return len(FILES)


if __name__ == "__main__":
    count = write(sys.argv[1] if len(sys.argv) > 1 else HERE)
    print("wrote %d files" % count)
