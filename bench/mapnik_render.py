#!/usr/bin/python3
"""mapnik_render.py - the Mapnik peer of bench/run_render.sh.

The same pictures as `eventmap map` and `eventmap tiles`, drawn by Mapnik
(python3-mapnik, Mapnik 3.1) from indexed shapefiles that run_render.sh
makes once with ogr2ogr and shapeindex in DATA:

    events.shp       the 1M events, points in EPSG:4326, with event_type
                     and fatalities
    land-50m.shp     Natural Earth land and countries from world-atlas's
    countries-50m.shp  countries-50m.json and countries-10m.json, exploded
    land-10m.shp       into single polygons so the index can skip what a
    countries-10m.shp  view does not touch

What is drawn, as eventmap draws it: sea (the background), land, coast and
country borders in eventmap's colours, 1:10m when a pixel is under 4 km on
the ground and 1:50m otherwise (eventmap's rule); every event as a 4 px
circle with a thin white halo, coloured by event_type with one rule per
type (eventmap's Okabe-Ito colours), allow-overlap so that none is dropped.
Not drawn: eventmap's labels, legend, scale bar and title.

    mapnik_render.py overview DATA OUT.png WxH
        the events' extent with a margin of 12% of the shorter side, in the
        projection eventmap chooses for such a box (Lambert conformal conic,
        standard parallels at 1/6 and 5/6 of the latitude span)
    mapnik_render.py tiles DATA DIR MINZ-MAXZ W,S,E,N [JOBS]
        XYZ tiles DIR/z/x/y.png, 256 px, EPSG:3857, covering the box at each
        zoom, rendered by JOBS threads (default: one per core, as eventmap),
        each with its own map (Mapnik's render releases the GIL)

Both write full-colour PNG (png32, zlib's default level) and print what
they wrote.
"""
import math
import os
import sys
import threading

import mapnik

SEA = "#B9CCD8"
LAND = "#F3F1EC"
COAST = "#7F9AAB"
BORDER = "#8F8A84"
TYPES = [
    ("Battles", "#D55E00"),
    ("Explosions/Remote violence", "#E69F00"),
    ("Violence against civilians", "#CC79A7"),
    ("Protests", "#0072B2"),
    ("Riots", "#56B4E9"),
    ("Strategic developments", "#009E73"),
]
OTHER = "#999999"
MARKER_PX = 4
BUFFER_PX = 8  # markers on a tile's edge are drawn on both tiles
TILE_PX = 256
EARTH_M = 6378137.0
ORIGIN_M = math.pi * EARTH_M  # 20037508.342789244
KM_10M = 4.0  # 1:10m under this many km a pixel (eventmap's basemap.c)


def marker(fill):
    return (
        '<MarkersSymbolizer marker-type="ellipse" width="%d" height="%d" fill="%s" '
        'stroke="#ffffff" stroke-width="0.5" allow-overlap="true" ignore-placement="true"/>'
        % (MARKER_PX, MARKER_PX, fill)
    )


def layer(name, style, path):
    return (
        '<Layer name="%s" srs="epsg:4326"><StyleName>%s</StyleName>'
        '<Datasource><Parameter name="type">shape</Parameter>'
        '<Parameter name="file">%s</Parameter></Datasource></Layer>' % (name, style, path)
    )


def map_xml(data, srs):
    rules = "".join(
        "<Rule><Filter>[event_type] = '%s'</Filter>%s</Rule>" % (t, marker(c)) for t, c in TYPES
    )
    rules += "<Rule><ElseFilter/>%s</Rule>" % marker(OTHER)
    layers = ""
    for scale in ("50m", "10m"):
        layers += layer("land-" + scale, "land", os.path.join(data, "land-%s.shp" % scale))
        layers += layer("borders-" + scale, "borders", os.path.join(data, "countries-%s.shp" % scale))
    layers += layer("events", "events", os.path.join(data, "events.shp"))
    return (
        '<Map srs="%s" background-color="%s" buffer-size="%d">'
        '<Style name="land"><Rule><PolygonSymbolizer fill="%s"/>'
        '<LineSymbolizer stroke="%s" stroke-width="0.6"/></Rule></Style>'
        '<Style name="borders"><Rule><LineSymbolizer stroke="%s" stroke-width="0.6"/></Rule></Style>'
        '<Style name="events">%s</Style>%s</Map>'
        % (srs, SEA, BUFFER_PX, LAND, COAST, BORDER, rules, layers)
    )


def new_map(data, srs, w, h):
    m = mapnik.Map(w, h)
    mapnik.load_map_from_string(m, map_xml(data, srs))
    return m


def use_scale(m, km_per_px):
    """1:10m when a pixel is under KM_10M on the ground, 1:50m otherwise."""
    fine = km_per_px < KM_10M
    for lyr in m.layers:
        if lyr.name.endswith("-10m"):
            lyr.active = fine
        elif lyr.name.endswith("-50m"):
            lyr.active = not fine


def distance_km(lon0, lat0, lon1, lat1):
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dp, dl = p1 - p0, math.radians(lon1 - lon0)
    a = math.sin(dp / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def save(im, path):
    tmp = path + ".tmp"
    im.save(tmp, "png32")
    os.replace(tmp, path)


# ---------------------------------------------------------------- overview


def overview(data, out, size):
    w, h = (int(v) for v in size.lower().split("x"))
    ds = mapnik.Shapefile(file=os.path.join(data, "events.shp"))
    env = ds.envelope()  # the events' extent, from the .shp header
    west, south, east, north = env.minx, env.miny, env.maxx, env.maxy
    lon0, lat0 = (west + east) / 2, (south + north) / 2
    dlat = north - south
    lat1, lat2 = south + dlat / 6, north - dlat / 6
    srs = "+proj=lcc +lat_1=%.6f +lat_2=%.6f +lat_0=%.6f +lon_0=%.6f +datum=WGS84 +units=m +no_defs" % (
        lat1, lat2, lat0, lon0)
    m = new_map(data, srs, w, h)

    # the box's outline, projected, then fitted with the margin
    tr = mapnik.ProjTransform(mapnik.Projection("epsg:4326"), mapnik.Projection(srs))
    xs, ys = [], []
    steps = 64
    for i in range(steps + 1):
        f = i / steps
        for lon, lat in ((west + f * (east - west), south), (west + f * (east - west), north),
                         (west, south + f * dlat), (east, south + f * dlat)):
            c = tr.forward(mapnik.Coord(lon, lat))
            xs.append(c.x)
            ys.append(c.y)
    margin = int(min(w, h) * 0.12)
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    scale = min((w - 2.0 * margin) / dx, (h - 2.0 * margin) / dy)  # px per metre
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    m.zoom_to_box(mapnik.Box2d(cx - w / 2 / scale, cy - h / 2 / scale, cx + w / 2 / scale, cy + h / 2 / scale))

    a = tr.backward(mapnik.Coord(cx - 0.5 / scale, cy))
    b = tr.backward(mapnik.Coord(cx + 0.5 / scale, cy))
    km = distance_km(a.x, a.y, b.x, b.y)
    use_scale(m, km)

    im = mapnik.Image(w, h)
    mapnik.render(m, im)
    save(im, out)
    print("mapnik overview: %dx%d, events' extent %.4f,%.4f,%.4f,%.4f, %.2f km/px (1:%s), to %s"
          % (w, h, west, south, east, north, km, "10m" if km < KM_10M else "50m", out))


# ---------------------------------------------------------------- tiles


def lon_x(lon, n):
    return int(math.floor((lon + 180.0) / 360.0 * n))


def lat_y(lat, n):
    lat = max(-85.0511287798, min(85.0511287798, lat))
    r = math.radians(lat)
    return int(math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n))


def tile_list(zmin, zmax, west, south, east, north):
    out = []
    for z in range(zmin, zmax + 1):
        n = 1 << z
        x0, x1 = max(0, lon_x(west, n)), min(n - 1, lon_x(east, n))
        y0, y1 = max(0, lat_y(north, n)), min(n - 1, lat_y(south, n))
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                out.append((z, x, y))
    return out


def tiles(data, outdir, zooms, bbox, jobs):
    zmin, _, zmax = zooms.partition("-")
    zmin = int(zmin)
    zmax = int(zmax) if zmax else zmin
    west, south, east, north = (float(v) for v in bbox.split(","))
    todo = tile_list(zmin, zmax, west, south, east, north)
    for z, x, _y in todo:
        os.makedirs(os.path.join(outdir, str(z), str(x)), exist_ok=True)

    lock = threading.Lock()
    nxt = [0]
    errors = []

    def worker():
        try:
            m = new_map(data, "epsg:3857", TILE_PX, TILE_PX)
            im = mapnik.Image(TILE_PX, TILE_PX)
            while True:
                with lock:
                    if nxt[0] >= len(todo) or errors:
                        return
                    z, x, y = todo[nxt[0]]
                    nxt[0] += 1
                size = 2 * ORIGIN_M / (1 << z)
                x0 = -ORIGIN_M + x * size
                y1 = ORIGIN_M - y * size
                m.zoom_to_box(mapnik.Box2d(x0, y1 - size, x0 + size, y1))
                # ground km a pixel at the tile's centre latitude
                lat = math.degrees(math.atan(math.sinh((y1 - size / 2) / EARTH_M)))
                km = 2 * ORIGIN_M / (TILE_PX << z) * math.cos(math.radians(lat)) / 1000
                use_scale(m, km)
                im.clear()
                mapnik.render(m, im)
                save(im, os.path.join(outdir, str(z), str(x), "%d.png" % y))
        except Exception as e:  # noqa: BLE001 - reported, then exit 1
            with lock:
                errors.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(max(1, jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.stderr.write("mapnik tiles: %s\n" % errors[0])
        sys.exit(1)
    print("mapnik tiles: %d tiles, zoom %d-%d, %d threads, to %s" % (len(todo), zmin, zmax, len(threads), outdir))


def main(argv):
    if len(argv) == 4 and argv[0] == "overview":
        overview(argv[1], argv[2], argv[3])
    elif len(argv) in (5, 6) and argv[0] == "tiles":
        jobs = int(argv[5]) if len(argv) == 6 else (os.cpu_count() or 1)
        tiles(argv[1], argv[2], argv[3], argv[4], jobs)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
