#!/usr/bin/env python3
"""derive-us-counties.py - gazetteer/us-counties.tsv, the counties (and
county equivalents) of the 50 US states from the US Census Bureau's
cartographic boundary files (2017 edition, public domain) as redistributed in
the npm package us-atlas@3.0.1 (ISC; counties-10m.json, TopoJSON, unprojected),
so that news text's "a Metcalfe County man" or "the Plymouth County Sheriff"
resolves to the county.  Same columns as places.tsv.

Each county is named as news names it: "<Name> County", "<Name> Parish"
(Louisiana), "<Name> Borough", "<Name> Census Area", "City and Borough of
<Name>", "Municipality of <Name>" (Alaska), "City of <Name>" for the
independent cities of Virginia, Maryland (Baltimore) and Missouri (St. Louis),
which have namesake counties, and "Carson City"; never the bare name, which
stays the town's.  The point is the area-weighted centroid of the county's
largest ring, or, when that lies outside the county, the middle of the widest
stretch of the ring along the centroid's parallel.  The bbox covers all of the
county's rings (west of the antimeridian only, as admin1.tsv does for Alaska).
The District of Columbia (an admin-1 area in GeoNames) and the territories
(their own country codes in GeoNames) are left out.

  cd /tmp && npm pack us-atlas@3.0.1 && tar xzf us-atlas-3.0.1.tgz
  python3 scripts/derive-us-counties.py /tmp/package/counties-10m.json > gazetteer/us-counties.tsv

No third-party modules: the TopoJSON arcs (quantized, delta-encoded) are
decoded here.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from topojson_arcs import decode_arcs  # noqa: E402

# state FIPS -> USPS code, which is GeoNames' admin-1 code for US states
STATES = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE",
    "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA", "20": "KS",
    "21": "KY", "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN", "28": "MS",
    "29": "MO", "30": "MT", "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY",
    "37": "NC", "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC",
    "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY",
}

# Alaska's county equivalents (Census 2017 LSAD): FIPS -> kind
ALASKA = {
    "02013": "Borough", "02016": "Census Area", "02020": "Municipality", "02050": "Census Area",
    "02060": "Borough", "02068": "Borough", "02070": "Census Area", "02090": "Borough",
    "02100": "Borough", "02105": "Census Area", "02110": "City and Borough", "02122": "Borough",
    "02130": "Borough", "02150": "Borough", "02158": "Census Area", "02164": "Borough",
    "02170": "Borough", "02180": "Census Area", "02185": "Borough", "02188": "Borough",
    "02195": "Borough", "02198": "Census Area", "02220": "City and Borough", "02230": "Municipality",
    "02240": "Census Area", "02261": "Census Area", "02275": "City and Borough",
    "02282": "City and Borough", "02290": "Census Area",
}


def names(fips, name):
    """The county's name and its alternate names."""
    st, code = fips[:2], int(fips[2:])
    if st == "22":
        return f"{name} Parish", ""
    if st == "02":
        kind = ALASKA[fips]
        if kind in ("Borough", "Census Area"):
            return f"{name} {kind}", ""
        if kind == "Municipality":
            return f"Municipality of {name}", f"{name} Municipality"
        return f"City and Borough of {name}", f"{name} City and Borough,{name} Borough"
    if st == "32" and name == "Carson City":
        return name, ""
    if st in ("24", "29", "51") and code >= 500:
        return f"City of {name}", f"{name} city"
    return f"{name} County", f"{name} Co."


def ring(arcs, idx):
    pts = []
    for i in idx:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def area_centroid(r):
    a = cx = cy = 0.0
    x0, y0 = r[0]
    for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
        # relative to the first point, for precision
        x1, y1, x2, y2 = x1 - x0, y1 - y0, x2 - x0, y2 - y0
        c = x1 * y2 - x2 * y1
        a += c
        cx += (x1 + x2) * c
        cy += (y1 + y2) * c
    if a == 0:  # simplified to a line (Falls Church): the middle of its points
        pts = r[:-1] if len(r) > 1 and r[0] == r[-1] else r
        return 0.0, (sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts))
    return a / 2, (cx / (3 * a) + x0, cy / (3 * a) + y0)


def inside(pt, rings):
    """Even-odd test against a polygon's rings (outer and holes)."""
    x, y = pt
    odd = False
    for r in rings:
        for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                odd = not odd
    return odd


def point_inside(rings, y):
    """The middle of the widest stretch inside the polygon along parallel y."""
    xs = []
    for r in rings:
        for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
            if (y1 > y) != (y2 > y):
                xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    xs.sort()
    best = None
    for a, b in zip(xs[0::2], xs[1::2]):
        if best is None or b - a > best[1] - best[0]:
            best = (a, b)
    return ((best[0] + best[1]) / 2, y) if best else None


def rep_point(polys):
    """polys: list of polygons, each a list of rings (first the outer)."""
    best = max(polys, key=lambda p: abs(area_centroid(p[0])[0]))
    a, c = area_centroid(best[0])
    if a == 0 or inside(c, best):
        return c
    ys = [y for _, y in best[0]]
    lo, hi = min(ys), max(ys)
    # the centroid's parallel, then others across the ring, nearest first
    tries = [c[1]] + sorted((lo + (hi - lo) * k / 20 for k in range(1, 20)), key=lambda v: abs(v - c[1]))
    for y in tries:
        p = point_inside(best, y + 1e-9)
        if p and inside(p, best):
            return p
    return best[0][0]


def bbox(polys):
    pts = [p for poly in polys for r in poly for p in r]
    xs = [x for x, _ in pts]
    if max(xs) - min(xs) > 180:  # across the antimeridian: the western side
        pts = [p for p in pts if p[0] < 0]
    xs = [x for x, _ in pts]
    ys = [y for _, y in pts]
    return min(xs), min(ys), max(xs), max(ys)


def main():
    topo = json.load(open(sys.argv[1]))
    arcs = decode_arcs(topo)
    rows = []
    for g in topo["objects"]["counties"]["geometries"]:
        fips, name = g["id"], g["properties"]["name"]
        if fips[:2] not in STATES:
            continue
        if g["type"] == "Polygon":
            polys = [[ring(arcs, r) for r in g["arcs"]]]
        elif g["type"] == "MultiPolygon":
            polys = [[ring(arcs, r) for r in p] for p in g["arcs"]]
        else:
            raise SystemExit(f"{fips}: unexpected geometry {g['type']}")
        lon, lat = rep_point(polys)
        w, s, e, n = bbox(polys)
        shown, alt = names(fips, name)
        rows.append((shown, fips, alt, lat, lon, STATES[fips[:2]], f"{w:.3f},{s:.3f},{e:.3f},{n:.3f}"))
    rows.sort(key=lambda r: (r[5], r[0], r[1]))
    print("# eventmap US counties (and county equivalents) of the 50 states, derived by scripts/derive-us-counties.py")
    print("# from the US Census Bureau's cartographic boundary files, 2017 edition (public domain), via the npm package")
    print("# us-atlas@3.0.1 (ISC; tarball sha256 e6daba1800885868303ad3549da62f85a557b8142bb72629ec15651de62f9c5d),")
    print("# counties-10m.json.  Point inside the county's largest ring; bbox of the whole county.  Same columns as places.tsv.")
    print("# Regenerate: cd /tmp && npm pack us-atlas@3.0.1 && tar xzf us-atlas-3.0.1.tgz &&")
    print("#   python3 scripts/derive-us-counties.py /tmp/package/counties-10m.json > gazetteer/us-counties.tsv")
    print("id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource")
    for shown, fips, alt, lat, lon, st, box in rows:
        print(f"eventmap:us-county-{fips}\t{shown}\t{alt}\t{lat:.5f}\t{lon:.5f}\tA.ADM2\tUS\t{st}\t0\t{box}\t\t"
              f"US Census cartographic boundaries via us-atlas@3.0.1 counties-10m.json, FIPS {fips}")


if __name__ == "__main__":
    main()
