"""topojson_arcs.py - the one TopoJSON arc decoder of the maintainer scripts
(derive-regions.py, derive-us-counties.py): a topology's quantized,
delta-encoded arcs as lists of (lon, lat) points."""


def decode_arcs(topo):
    """Each arc of topo as a list of (x, y) points, transform applied."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs
