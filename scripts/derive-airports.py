#!/usr/bin/env python3
"""derive-airports.py - gazetteer/airports.tsv, the airports of Natural Earth's
10m airports layer (public domain) as places events happen at ("Donetsk
International airport", "Hama airfield"): each named "NAME Airport" (the
index folds airport, airfield, air base and military airport into one key, so
every such form meets it) and, when NAME is a town's name and one more word,
"WORD Airport" too, and the bare word where it already names some town
("London Heathrow": "Heathrow Airport", "Heathrow"), with the country
and GeoNames admin-1 code of the nearest GeoNames place (cities1000, CC BY
4.0) within 50 km.  Same columns as places.tsv.  Syria's airports are curated
in places.tsv and left out here.

  python3 scripts/derive-airports.py NE_DIR .cache/data > gazetteer/airports.tsv
"""
import json
import math
import re
import sys

CURATED = {"SY"}


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


# words an airport's name shares with many others ("Detroit Metro", "Beijing Capital")
GENERIC = {"metro", "capital", "municipal", "regional", "international", "intercontinental", "central",
           "city", "county", "national", "executive", "field", "memorial", "airfield", "north", "south",
           "east", "west", "new", "old", "civil", "military", "domestic", "general", "airpark"}


def short_names(name, lat, lon, grid, names):
    """"London Heathrow" is also "Heathrow" and "Heathrow Airport", as the news
    writes it: the words after a leading town's name (a GeoNames place within
    80 km), when they are one word of five letters or more."""
    words = re.sub(r"\bInt'l\b|\bInternational\b|\bAirport\b", "", name).replace("-", " ").split()
    if len(words) < 2:
        return []
    towns = set()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            for c in grid.get((int(math.floor(lat)) + dy, int(math.floor(lon)) + dx), []):
                if km(lat, lon, c[0], c[1]) <= 80:
                    towns.add(c[4].lower())
    for n in range(len(words) - 1, 0, -1):
        if " ".join(words[:n]).lower() in towns:
            rest = words[n:]
            if (len(rest) == 1 and len(rest[0]) >= 5 and rest[0][0].isupper() and "." not in rest[0]
                    and rest[0].lower() not in GENERIC):
                # the bare word only where it already names some town: a
                # new word is not to become a place in running text ("Smith")
                if rest[0].lower() in names:
                    return [rest[0], rest[0] + " Airport"]
                return [rest[0] + " Airport"]
            return []
    return []


def main():
    ne_dir, data_dir = sys.argv[1], sys.argv[2]
    airports = json.load(open(f"{ne_dir}/ne_10m_airports.json"))["features"]
    # GeoNames places on a 1-degree grid, for the nearest one; and all their names
    grid = {}
    names = set()
    for line in open(f"{data_dir}/cities1000.txt", encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 11:
            continue
        lat, lon = float(f[4]), float(f[5])
        grid.setdefault((int(math.floor(lat)), int(math.floor(lon))), []).append((lat, lon, f[8], f[10], f[1]))
        names.add(f[1].lower())
        names.add(f[2].lower())

    print("# eventmap airports, derived by scripts/derive-airports.py from Natural Earth's 10m airports (public domain;")
    print("# naturalearthdata.com, via martynafford/natural-earth-geojson 0b9a6ce); country and admin-1 of the nearest")
    print("# GeoNames cities1000 place (CC BY 4.0).  Same columns as places.tsv.")
    print("id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource")
    used = set()
    for a in sorted(airports, key=lambda a: (a["properties"].get("name") or "", a["properties"].get("gps_code") or "")):
        p = a["properties"]
        name = (p.get("name") or "").strip()
        lon, lat = a["geometry"]["coordinates"][:2]
        if not name or p.get("type") == "spaceport":
            continue
        best = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for c in grid.get((int(math.floor(lat)) + dy, int(math.floor(lon)) + dx), []):
                    d = km(lat, lon, c[0], c[1])
                    if d <= 50 and (best is None or d < best[0]):
                        best = (d, c)
        if best is None:
            continue
        cc, admin1 = best[1][2], best[1][3]
        if cc in CURATED:
            continue
        code = p.get("gps_code") or p.get("iata_code") or name
        ident = "eventmap:airport-" + re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
        if ident in used:
            continue
        used.add(ident)
        name = re.sub(r"\bInt'l\b", "International", name)
        label = name if re.search(r"\b(airport|airfield|air base|aerodrome)\b", name, re.I) else name + " Airport"
        # no IATA codes: three capitals are too often something else in a text
        alternates = short_names(name, lat, lon, grid, names)
        military = "military" in (p.get("type") or "")
        print("\t".join([ident, label, ",".join(alternates), f"{lat:.5f}", f"{lon:.5f}",
                         "S.AIRB" if military else "S.AIRP", cc, admin1, "0", "", "",
                         f"Natural Earth 10m airports ({p.get('type')}, {code})"]))


main()
