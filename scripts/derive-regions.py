#!/usr/bin/env python3
"""derive-regions.py - gazetteer/regions.tsv, the continents and the named
regions news writes about, in the columns of places.tsv:

  1. from Natural Earth's 10m geography regions (public domain; the GeoJSON of
     martynafford/natural-earth-geojson, CC0): the continents, and the named
     physical regions of scalerank 2 or less (the ones a 1:50m map labels:
     Sahara, Alps, Himalayas, Balkan Peninsula, Gobi, Kalahari, Siberia,
     Anatolia, Sahel, ...) that are deserts, ranges, plateaus, peninsulas,
     plains, basins, isthmuses, lowlands, valleys or named areas (not islands,
     coasts or capes).  Each at Natural Earth's point of it where
     ne_10m_geography_regions_points.json has one, else at the point of its
     largest polygon farthest from that polygon's edge, with the bbox of all
     its polygons.  One whose name is already a country's, an admin-1 area's
     or a curated place's ("India", "Alaska", "Florida", "Punjab", "Syrian
     Desert") is left to that place.
  2. by hand (GROUPS below): the regions news names that are groups of
     countries or of admin-1 areas (Middle East, Levant, Balkans, Horn of
     Africa, Maghreb, Caucasus, Central Asia, Southeast Asia, Scandinavia,
     Kurdistan, Sinai, West Bank, Gaza Strip, ...).  Each at the mean of its
     members' points (a country's from country-points.tsv, GeoNames' point of
     it; an area's from admin1.tsv), with the union of their extents
     (countries: Natural Earth's 1:50m polygons in world-atlas'
     countries-50m.json; areas: their admin1.tsv bbox, else their point).

A region no one country holds (a continent, or one that spans countries)
has an empty country column.  The index weighs every row of this table as a
country (build.c), so that "Asia" is the continent before a town of that
name and "West Bank" the territory before Palestine, which lists it as a
variant.

The maintainer runs it when the sources change; the build reads the TSV:

  python3 scripts/derive-regions.py NE_DIR .cache/data gazetteer > gazetteer/regions.tsv
"""
import collections
import json
import math
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(__file__))
from topojson_arcs import decode_arcs  # noqa: E402

SCALERANK_MAX = 2
CLASSES = {  # Natural Earth featurecla -> GeoNames feature code
    "Continent": "L.CONT", "Range/mtn": "T.MTS", "Desert": "T.DSRT", "Plateau": "T.PLAT",
    "Pen/cape": "T.PEN", "Peninsula": "T.PEN", "Basin": "T.BSNU", "Plain": "T.PLN", "Lowland": "T.PLN",
    "Isthmus": "T.ISTH", "Valley": "T.VAL", "Geoarea": "L.RGN", "Tundra": "L.RGN", "Foothills": "T.HLLS",
}
# Natural Earth's names in another language or cut short, as English writes them
ENGLISH = {
    "AUSTRALIA": ("Oceania", ["Australasia"]),  # the continent; "Australia" is the country
    "PENÍNSULA IBÉRICA": ("Iberian Peninsula", ["Península Ibérica"]),
    "CHAÎNE ANNAMITIQUE": ("Annamite Range", ["Chaîne Annamitique", "Truong Son"]),
    "PLANALTO DO MATO GROSSO": ("Mato Grosso Plateau", ["Planalto do Mato Grosso"]),
    "BALKAN PEN.": ("Balkan Peninsula", []),
    "KARAKORAM RA.": ("Karakoram", ["Karakoram Range"]),
    "APPALACHIAN MTS.": ("Appalachian Mountains", ["Appalachians"]),
    "CAUCASUS MTS.": ("Caucasus Mountains", []),
    "SCANDINAVIA": ("Scandinavian Peninsula", []),  # the news region is the group below
    "HIMALAYAS": ("Himalayas", ["Himalaya"]),
    "ALPS": ("Alps", []),
    "ROCKY MOUNTAINS": ("Rocky Mountains", ["Rockies"]),
    "URAL MOUNTAINS": ("Ural Mountains", ["Urals"]),
    "PAMIRS": ("Pamirs", ["Pamir Mountains"]),
    "RUB’ AL KHALI": ("Rub' al Khali", ["Empty Quarter"]),
    "SOMALI PENINSULA": ("Somali Peninsula", []),
    "PLATEAU OF TIBET": ("Tibetan Plateau", ["Plateau of Tibet"]),
}
ABBREVIATIONS = {"Pen.": "Peninsula", "Ra.": "Range", "Mts.": "Mountains", "Plat.": "Plateau"}

# Regions that are groups of countries (ISO alpha-2) or of admin-1 areas
# ("CC:Name" as admin1.tsv names them), from the usual English descriptions
# of each region; name, alternates, feature, members.
GROUPS = [
    ("Middle East", ["Mideast", "Near East"], "L.RGN",
     "BH CY EG IR IQ IL JO KW LB OM PS QA SA SY TR AE YE"),
    ("Levant", ["the Levant"], "L.RGN", "SY LB IL PS JO"),
    ("Persian Gulf region", ["Gulf region", "Gulf states", "Arab Gulf states", "Arabian Gulf region"], "L.RGN",
     "BH KW OM QA SA AE IR IQ"),
    ("Balkans", ["the Balkans", "Western Balkans"], "L.RGN", "AL BA BG GR HR XK ME MK RS"),
    ("Horn of Africa", [], "L.RGN", "DJ ER ET SO"),
    ("Maghreb", ["Maghrib", "the Maghreb"], "L.RGN", "DZ LY MA MR TN"),
    ("Caucasus", ["the Caucasus"], "L.RGN",
     "AM AZ GE RU:Chechnya RU:Dagestan RU:Ingush RU:North Ossetia RU:Kabardin-Balkar RU:Karachay-Cherkess RU:Adygey"),
    ("South Caucasus", ["Transcaucasia"], "L.RGN", "AM AZ GE"),
    ("North Caucasus", [], "L.RGN",
     "RU:Chechnya RU:Dagestan RU:Ingush RU:North Ossetia RU:Kabardin-Balkar RU:Karachay-Cherkess RU:Adygey"),
    ("Central Asia", [], "L.RGN", "KZ KG TJ TM UZ"),
    ("Southeast Asia", ["South-East Asia", "South East Asia"], "L.RGN", "BN KH ID LA MY MM PH SG TH TL VN"),
    ("Scandinavia", ["Scandinavian countries"], "L.RGN", "DK NO SE"),
    ("Kurdistan", ["Greater Kurdistan"], "L.RGN",
     "TR:Hakkari TR:Sirnak TR:Van TR:Diyarbakir TR:Mardin TR:Batman TR:Siirt TR:Bitlis TR:Mus TR:Bingöl "
     "TR:Tunceli IQ:Arbil IQ:Dihok IQ:As-Sulaymaniyah IR:Kordestan IR:Kermanshah IR:West Azarbaijan"),
    ("Iraqi Kurdistan", ["Kurdistan Region", "Kurdistan Region of Iraq", "KRG"], "L.RGN",
     "IQ:Arbil IQ:Dihok IQ:As-Sulaymaniyah"),
    ("Sinai", ["Sinai Peninsula", "the Sinai"], "T.PEN", "EG:Shamal Sina' EG:Janub Sina'"),
    ("West Bank", [], "L.RGN", "PS:WEB-00 (West Bank aggregation)"),
    ("Gaza Strip", ["the Gaza Strip"], "L.RGN", "PS:GAZ-00 (Gaza Strip aggregation)"),
]


def fold(name):
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"['’`]", "", s)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def title(name):
    """'GOBI DESERT' -> 'Gobi Desert', 'KARAKORAM RA.' -> 'Karakoram Range'."""
    words = []
    for w in name.split():
        if w.isupper() or w.islower():
            w = w[:1].upper() + w[1:].lower()
        words.append(ABBREVIATIONS.get(w, w))
    return " ".join(words)


def parts(geom):
    """The polygons (lists of rings) of a (Multi)Polygon."""
    return geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]


def ring_area(ring):
    return abs(sum(ring[i][0] * ring[i - 1][1] - ring[i - 1][0] * ring[i][1] for i in range(len(ring)))) / 2


def in_ring(ring, x, y):
    inside = False
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i][:2], ring[i - 1][:2]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def deepest_point(polygon, steps=24):
    """Of a grid over the polygon's outer ring, the point inside it farthest
    from its edge (vertices, in km-scaled degrees); the ring's first vertex
    when the grid misses it.  Holes are ignored: in a continent's polygon
    they are its other regions (the Sahara is a hole in Africa's)."""
    outer, holes = polygon[0], []
    xs = [p[0] for p in outer]
    ys = [p[1] for p in outer]
    stride = max(1, len(outer) // 400)
    edge = [p[:2] for p in outer[::stride]]
    best, best_d = (outer[0][0], outer[0][1]), -1
    for i in range(1, steps):
        y = min(ys) + (max(ys) - min(ys)) * i / steps
        k = math.cos(math.radians(y))
        for j in range(1, steps):
            x = min(xs) + (max(xs) - min(xs)) * j / steps
            if not in_ring(outer, x, y) or any(in_ring(h, x, y) for h in holes):
                continue
            d = min(((x - ex) * k) ** 2 + (y - ey) ** 2 for ex, ey in edge)
            if d > best_d:
                best, best_d = (x, y), d
    return best


def box_of(points):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if max(xs) - min(xs) > 180:  # across the antimeridian: the whole round
        return -180.0, min(ys), 180.0, max(ys)
    return min(xs), min(ys), max(xs), max(ys)


def width_of(points):
    """The narrowest span of longitudes (degrees) that holds the points,
    across the antimeridian if need be."""
    xs = sorted(p[0] for p in points)
    gaps = [xs[i + 1] - xs[i] for i in range(len(xs) - 1)] + [xs[0] + 360 - xs[-1]]
    return 360 - max(gaps)


def union(boxes):
    boxes = list(boxes)
    if any(b[0] == -180.0 and b[2] == 180.0 for b in boxes):
        return -180.0, min(b[1] for b in boxes), 180.0, max(b[3] for b in boxes)
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def read_tsv(path):
    rows = []
    header = None
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        if header is None:
            header = f
            continue
        rows.append(dict(zip(header, f)))
    return rows


def country_boxes(topo_path, countries):
    """alpha-2 -> bbox of its polygons in world-atlas' TopoJSON."""
    topo = json.load(open(topo_path))
    arcs = decode_arcs(topo)
    by_id = {r["iso_numeric"]: r["iso_alpha2"] for r in countries if r["iso_numeric"]}
    by_name = {r["name"]: r["iso_alpha2"] for r in countries}
    boxes = {}

    def walk(a, out):
        if isinstance(a, int):
            out.extend(arcs[a if a >= 0 else ~a])
        else:
            for x in a:
                walk(x, out)
    for g in topo["objects"]["countries"]["geometries"]:
        cc = by_id.get(g.get("id")) or by_name.get(g.get("properties", {}).get("name"))
        if not cc or cc == "-" or "arcs" not in g:
            continue
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        for polygon in polygons:
            pts = []
            walk(polygon[0], pts)
            boxes.setdefault(cc, []).append(box_of(pts))
    return boxes


def main():
    ne_dir, data_dir, gaz_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    polys = json.load(open(f"{ne_dir}/ne_10m_geography_regions_polys.json"))["features"]
    points = json.load(open(f"{ne_dir}/ne_10m_geography_regions_points.json"))["features"]
    countries = read_tsv(f"{gaz_dir}/countries.tsv")
    admin1 = read_tsv(f"{gaz_dir}/admin1.tsv")
    places = read_tsv(f"{gaz_dir}/places.tsv")
    country_points = {r["iso_alpha2"]: (float(r["lat"]), float(r["lon"])) for r in read_tsv(f"{gaz_dir}/country-points.tsv")}
    boxes = country_boxes(f"{data_dir}/countries-50m.json", countries)

    # names other places have: theirs (a country's always; an admin-1 area's
    # or a curated place's when the region is that place, not one it lies in:
    # the Florida peninsula is the state, the Sahel is more than Burkina
    # Faso's Sahel region)
    taken = set()
    for r in countries:
        taken.add(fold(r["name"]))
        taken.update(fold(v) for v in r["variants"].split(",") if v)
    areas = collections.defaultdict(list)
    for r in admin1 + places:
        box = tuple(float(v) for v in r["bbox"].split(",")) if r["bbox"] else None
        for n in [r["name"]] + [v for v in r["alternatenames"].split(",") if v]:
            areas[fold(n)].append((float(r["lat"]), float(r["lon"]), box))

    def is_other_place(key, box, size):
        """Whether a place named key is the region of bbox box and size
        square degrees: one near it (its point within 5 degrees of the box)
        and not a quarter of its size (an area of unknown extent counts as
        25 square degrees, a large province)."""
        if key in taken:
            return True
        for lat, lon, abox in areas.get(key, []):
            if not (box[0] - 5 <= lon <= box[2] + 5 and box[1] - 5 <= lat <= box[3] + 5):
                continue
            area_size = (abox[2] - abox[0]) * (abox[3] - abox[1]) if abox else 25
            if 4 * area_size >= size:
                return True
        return False
    group_names = {fold(n) for n, alts, _, _ in GROUPS for n in [n] + alts}

    ne_point = {fold(f["properties"]["name"]): f["geometry"]["coordinates"] for f in points}
    merged = collections.OrderedDict()
    for f in polys:
        p = f["properties"]
        cla = p["featurecla"]
        if cla not in CLASSES or (cla != "Continent" and p["scalerank"] > SCALERANK_MAX):
            continue
        merged.setdefault((p["name"], cla), []).append(f)

    print("# eventmap continents and named regions, derived by scripts/derive-regions.py: Natural Earth 10m")
    print("# geography regions (public domain; naturalearthdata.com, via martynafford/natural-earth-geojson")
    print("# 0b9a6ce), and the regions that are groups of countries or admin-1 areas, at the mean of their")
    print("# members' points with the union of their extents.  Same columns as places.tsv; an empty country")
    print("# is a region no one country holds.")
    print("id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource")
    used = set()
    for (raw, cla), feats in merged.items():
        name, alts = ENGLISH.get(raw, (title(raw), []))
        if raw.upper() != raw and raw not in ENGLISH:
            name = raw  # already in mixed case ("Fergana Valley")
        alts = list(alts)
        for f in feats:
            alt = f["properties"].get("namealt")
            if alt:
                alts.append(title(alt))
        # "Gobi Desert" is also "the Gobi"; not "Syrian" for the Syrian Desert
        bare = re.sub(r" Desert$", "", name)
        if cla == "Desert" and bare != name and " " not in bare and not re.search(r"(an|ern|ic)$", bare):
            alts.append(bare)
        key = fold(name)
        all_parts = [poly for f in feats for poly in parts(f["geometry"])]
        box = union(box_of(poly[0]) for poly in all_parts)
        if box[2] - box[0] < 0.1 and box[3] - box[1] < 0.1:
            continue  # a placeholder, not the region (Natural Earth's Caucasus Mts. is 4 points)
        outer = [p for poly in all_parts for p in poly[0]]
        size = width_of(outer) * (box[3] - box[1])
        if key in group_names or key in used or is_other_place(key, box, size):
            continue
        used.add(key)
        alts = [a for a in dict.fromkeys(alts) if not is_other_place(fold(a), box, size) and fold(a) != key]
        if key in ne_point:
            lon, lat = ne_point[key]
            where = "Natural Earth's point"
        else:
            lon, lat = deepest_point(max(all_parts, key=lambda poly: ring_area(poly[0])))
            where = "the point of its largest polygon farthest from its edge"
        ident = "eventmap:region-" + re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
        print("\t".join([ident, name, ",".join(alts), f"{lat:.4f}", f"{lon:.4f}", CLASSES[cla], "", "", "0",
                         "%.3f,%.3f,%.3f,%.3f" % box, "",
                         f"Natural Earth 10m geography region {raw!s} ({cla}, scalerank "
                         f"{min(f['properties']['scalerank'] for f in feats)}): {where}; bbox of its polygons"]))

    area_of = {}
    for r in admin1:
        area_of[(r["country"], r["name"])] = r
    for name, alts, feature, members in GROUPS:
        pts, bxs, ccs = [], [], set()
        for m in re.split(r" (?=[A-Z]{2}(?::| |$))", members):
            if ":" in m:
                cc, area = m.split(":", 1)
                r = area_of[(cc, area)]
                lat, lon = float(r["lat"]), float(r["lon"])
                pts.append((lat, lon))
                if r["bbox"]:
                    bxs.append(tuple(float(v) for v in r["bbox"].split(",")))
                else:
                    # the part of its country's polygons it lies in (the
                    # Gaza Strip's of Palestine's two), else its point
                    inside = [b for b in boxes.get(cc, []) if b[0] <= lon <= b[2] and b[1] <= lat <= b[3]]
                    bxs.append(min(inside, key=lambda b: (b[2] - b[0]) * (b[3] - b[1])) if inside
                               else (lon, lat, lon, lat))
            else:
                cc = m
                box = union(boxes[cc])
                pts.append(country_points.get(cc) or ((box[1] + box[3]) / 2, (box[0] + box[2]) / 2))
                bxs.append(box)
            ccs.add(cc)
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        country = ccs.pop() if len(ccs) == 1 else ""
        ident = "eventmap:region-" + re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
        kind = "admin-1 areas'" if ":" in members else "countries'"
        print("\t".join([ident, name, ",".join(alts), f"{lat:.4f}", f"{lon:.4f}", feature, country, "", "0",
                         "%.3f,%.3f,%.3f,%.3f" % union(bxs), "",
                         f"group of {members.replace(':', ': ')}: mean of the member {kind} points "
                         f"(country-points.tsv, admin1.tsv), union of their extents (Natural Earth 1:50m "
                         f"countries, admin1.tsv bboxes)"]))


main()
