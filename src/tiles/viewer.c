/*
 * viewer.c - what sits next to XYZ tiles so that a browser can show
 * them without a network: tilejson.json (TileJSON 3.0.0), a copy of Leaflet
 * (leaflet.js, leaflet.css, images/) and index.html, a page that shows the
 * tiles, the events of events.geojson as clickable circle markers coloured
 * as the tiles colour them, with a popup of their properties, and the
 * attribution.  The page asks no other host for anything.  When
 * events.geojson is small it is embedded in the page as well, so that the
 * viewer also works opened straight from the disk (file://), where browsers
 * refuse fetch().
 */
#include "tiles/tiles_int.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "util/banned.h"

/* events.geojson up to this size goes into index.html too. */
#define VIEWER_EMBED_MAX_BYTES (4u << 20)
/* Up to this many events the viewer draws markers (SVG up to
 * VIEWER_SVG_MAX, canvas beyond); more are left to the tiles. */
#define VIEWER_MARKERS_MAX 50000
#define VIEWER_SVG_MAX 3000

/* Round to 6 decimals (about 0.1 m), as the GeoJSON writer does. */
static double round6(double v)
{
    return round(v * 1e6) / 1e6;
}

/* cJSON fails only when memory runs out: abort, as xmalloc does. */
static char *printed(char *text)
{
    if (!text) {
        fputs("eventmap: out of memory\n", stderr);
        abort();
    }
    return text;
}

static cJSON *tilejson_object(const tiles_meta *meta)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tilejson", "3.0.0");
    cJSON_AddStringToObject(o, "name", meta->name ? meta->name : "eventmap");
    if (meta->description) cJSON_AddStringToObject(o, "description", meta->description);
    cJSON_AddStringToObject(o, "version", "1.0.0");
    cJSON_AddStringToObject(o, "attribution", meta->attribution ? meta->attribution : tiles_attribution);
    cJSON_AddStringToObject(o, "scheme", "xyz");
    const char *tiles[] = { "{z}/{x}/{y}.png" };
    cJSON_AddItemToObject(o, "tiles", cJSON_CreateStringArray(tiles, 1));
    cJSON_AddNumberToObject(o, "minzoom", meta->minzoom);
    cJSON_AddNumberToObject(o, "maxzoom", meta->maxzoom);
    double bounds[4] = { round6(meta->bounds.west_deg), round6(meta->bounds.south_deg),
                         round6(meta->bounds.east_deg), round6(meta->bounds.north_deg) };
    cJSON_AddItemToObject(o, "bounds", cJSON_CreateDoubleArray(bounds, 4));
    double center[3] = { round6(meta->center_lon_deg), round6(meta->center_lat_deg), meta->center_zoom };
    cJSON_AddItemToObject(o, "center", cJSON_CreateDoubleArray(center, 3));
    return o;
}

char *tiles_tilejson(const tiles_meta *meta)
{
    cJSON *o = tilejson_object(meta);
    char *text = printed(cJSON_Print(o));
    cJSON_Delete(o);
    return text;
}

/* The page's settings: the TileJSON plus what only the viewer needs, under
 * "eventmap:" keys. */
static char *viewer_config(const tiles_meta *meta, int embedded)
{
    cJSON *o = tilejson_object(meta);
    cJSON_AddNumberToObject(o, "eventmap:events", (double)meta->n_events);
    cJSON_AddStringToObject(o, "eventmap:events_url", "events.geojson");
    cJSON_AddBoolToObject(o, "eventmap:embedded", embedded);
    cJSON_AddNumberToObject(o, "eventmap:markers_max", VIEWER_MARKERS_MAX);
    cJSON_AddNumberToObject(o, "eventmap:svg_max", VIEWER_SVG_MAX);
    cJSON *colours = cJSON_AddObjectToObject(o, "eventmap:colours");
    for (size_t i = 0; i < meta->n_types; i++) {
        char hex[8];
        snprintf(hex, sizeof(hex), "#%02x%02x%02x", meta->type_rgb[i][0], meta->type_rgb[i][1],
                 meta->type_rgb[i][2]);
        cJSON_AddStringToObject(colours, meta->type_names[i], hex);
    }
    char *text = printed(cJSON_PrintUnformatted(o));
    cJSON_Delete(o);
    return text;
}

/* JSON text made safe inside a <script> element: '<' (which JSON has only
 * inside strings) becomes \u003c, so no "</script>" or "<!--" can end or
 * bend the element. */
static void add_script_json(strbuf *sb, const char *json, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '<') sb_adds(sb, "\\u003c");
        else sb_addch(sb, json[i]);
    }
}

static void add_html_text(strbuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sb_adds(sb, "&lt;"); break;
        case '>': sb_adds(sb, "&gt;"); break;
        case '&': sb_adds(sb, "&amp;"); break;
        case '"': sb_adds(sb, "&quot;"); break;
        default: sb_addch(sb, *s);
        }
    }
}

static const char page_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"generator\" content=\"eventmap tiles\">\n";

static const char page_style[] =
    "<link rel=\"stylesheet\" href=\"leaflet.css\">\n"
    "<style>\n"
    "html, body, #map { height: 100%; margin: 0; }\n"
    "body { font: 13px/1.4 system-ui, sans-serif; }\n"
    ".eventmap-panel { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 4px;\n"
    "  box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-width: 320px; }\n"
    ".eventmap-panel h1 { font-size: 14px; margin: 0 0 2px; }\n"
    ".eventmap-panel p { margin: 0; color: #444; }\n"
    ".eventmap-legend i { display: inline-block; width: 11px; height: 11px; border-radius: 50%;\n"
    "  margin-right: 6px; vertical-align: -1px; border: 1px solid #fff; box-shadow: 0 0 0 1px #999; }\n"
    ".eventmap-popup { max-height: 340px; overflow-y: auto; }\n"
    ".eventmap-popup .eventmap-here { margin: 0 0 6px; color: #555; }\n"
    ".eventmap-popup section + section { border-top: 1px solid #ddd; margin-top: 6px; padding-top: 6px; }\n"
    ".eventmap-popup h2 { font-size: 13px; margin: 0 0 4px; }\n"
    ".eventmap-popup table { border-collapse: collapse; }\n"
    ".eventmap-popup th { text-align: left; color: #555; font-weight: normal; padding: 1px 8px 1px 0;\n"
    "  vertical-align: top; white-space: nowrap; }\n"
    ".eventmap-popup td { padding: 1px 0; vertical-align: top; overflow-wrap: anywhere; }\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<div id=\"map\"></div>\n"
    "<script src=\"leaflet.js\"></script>\n";

/* The viewer itself: plain ES5 so that it runs wherever Leaflet runs.
 * Event text reaches the page through textContent only, never as markup. */
static const char page_script[] =
    "<script>\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var cfg = JSON.parse(document.getElementById('eventmap-tilejson').textContent);\n"
    "  var b = cfg.bounds;\n"
    "  var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);\n"
    "  var map = L.map('map', { minZoom: cfg.minzoom, maxZoom: cfg.maxzoom + 2 });\n"
    "  window.eventmapMap = map;\n"
    "  map.attributionControl.setPrefix('Leaflet');\n"
    "  L.tileLayer(cfg.tiles[0], {\n"
    "    minZoom: cfg.minzoom, maxZoom: cfg.maxzoom + 2, maxNativeZoom: cfg.maxzoom,\n"
    "    bounds: bounds, tileSize: 256, attribution: cfg.attribution\n"
    "  }).addTo(map);\n"
    "  /* room for the panels, so that no event sits under one */\n"
    "  map.fitBounds(bounds, { maxZoom: cfg.maxzoom, paddingTopLeft: [50, 70], paddingBottomRight: [50, 50] });\n"
    "\n"
    "  function el(tag, cls, text) {\n"
    "    var e = document.createElement(tag);\n"
    "    if (cls) e.className = cls;\n"
    "    if (text !== undefined) e.textContent = text;\n"
    "    return e;\n"
    "  }\n"
    "  var info = L.control({ position: 'topright' });\n"
    "  var infoText;\n"
    "  info.onAdd = function () {\n"
    "    var d = el('div', 'eventmap-panel');\n"
    "    d.appendChild(el('h1', '', cfg.name));\n"
    "    infoText = d.appendChild(el('p', '', cfg.description || ''));\n"
    "    L.DomEvent.disableClickPropagation(d);\n"
    "    return d;\n"
    "  };\n"
    "  info.addTo(map);\n"
    "  function note(text) { infoText.textContent = (cfg.description ? cfg.description + '. ' : '') + text; }\n"
    "\n"
    "  var colours = cfg['eventmap:colours'] || {};\n"
    "  var types = Object.keys(colours);\n"
    "  if (types.length) {\n"
    "    var legend = L.control({ position: 'bottomleft' });\n"
    "    legend.onAdd = function () {\n"
    "      var d = el('div', 'eventmap-panel eventmap-legend');\n"
    "      types.forEach(function (t) {\n"
    "        var row = d.appendChild(el('div'));\n"
    "        row.appendChild(el('i')).style.background = colours[t];\n"
    "        row.appendChild(document.createTextNode(t || '(no type)'));\n"
    "      });\n"
    "      return d;\n"
    "    };\n"
    "    legend.addTo(map);\n"
    "  }\n"
    "\n"
    "  var order = ['id', 'event_date', 'event_type', 'sub_event_type', 'actor1', 'actor2', 'location',\n"
    "               'admin3', 'admin2', 'admin1', 'country', 'fatalities', 'geo_precision', 'time_precision',\n"
    "               'source', 'notes', 'gazetteer_id', 'match', 'confidence'];\n"
    "  /* events at one spot share it: each marker's popup lists them all,\n"
    "   * the one clicked first, as the tiles draw one marker cut by type */\n"
    "  var at = {};\n"
    "  function spot(f) {\n"
    "    var c = f.geometry && f.geometry.coordinates;\n"
    "    return c ? c[0] + ',' + c[1] : '';\n"
    "  }\n"
    "  function popup(f) {\n"
    "    var here = (at[spot(f)] || []).filter(function (g) { return g !== f; });\n"
    "    var d = el('div', 'eventmap-popup');\n"
    "    if (here.length) d.appendChild(el('p', 'eventmap-here', (here.length + 1) + ' events here'));\n"
    "    [f].concat(here).forEach(function (g) { d.appendChild(details(g)); });\n"
    "    return d;\n"
    "  }\n"
    "  function details(f) {\n"
    "    var p = f.properties || {};\n"
    "    var d = el('section');\n"
    "    d.appendChild(el('h2', '', [p.location, p.event_date].filter(Boolean).join(', ')));\n"
    "    var table = d.appendChild(el('table'));\n"
    "    var keys = order.filter(function (k) { return k in p; });\n"
    "    Object.keys(p).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });\n"
    "    keys.forEach(function (k) {\n"
    "      var v = p[k];\n"
    "      if (v === null || v === undefined || v === '') return;\n"
    "      var tr = table.appendChild(el('tr'));\n"
    "      tr.appendChild(el('th', '', k));\n"
    "      tr.appendChild(el('td', '', typeof v === 'object' ? JSON.stringify(v) : String(v)));\n"
    "    });\n"
    "    return d;\n"
    "  }\n"
    "  /* the tiles' marker size (render's marker_radius), and a pixel more */\n"
    "  function radius(p) {\n"
    "    var n = Math.min(150, Math.max(0, Number(p.fatalities) || 0));\n"
    "    return 4.5 + 1.2 * Math.sqrt(n);\n"
    "  }\n"
    "  function show(data) {\n"
    "    var n = (data.features || []).length;\n"
    "    (data.features || []).forEach(function (f) {\n"
    "      var k = spot(f);\n"
    "      (at[k] = at[k] || []).push(f);\n"
    "    });\n"
    "    var renderer = n > cfg['eventmap:svg_max'] ? L.canvas({ padding: 0.5 }) : L.svg();\n"
    "    var layer = L.geoJSON(data, {\n"
    "      pointToLayer: function (f, ll) {\n"
    "        var p = f.properties || {};\n"
    "        return L.circleMarker(ll, {\n"
    "          renderer: renderer, radius: radius(p), color: '#ffffff', weight: 1.5, opacity: 1,\n"
    "          fillColor: colours[p.event_type] || '#888888', fillOpacity: 0.9, className: 'eventmap-event'\n"
    "        });\n"
    "      },\n"
    "      onEachFeature: function (f, l) {\n"
    "        l.bindPopup(function () { return popup(f); }, { maxWidth: 360 });\n"
    "      }\n"
    "    });\n"
    "    layer.addTo(map);\n"
    "    L.control.layers(null, { 'Events': layer }, { position: 'topleft' }).addTo(map);\n"
    "  }\n"
    "  var embedded = document.getElementById('eventmap-events');\n"
    "  if (embedded) {\n"
    "    show(JSON.parse(embedded.textContent));\n"
    "  } else if (cfg['eventmap:events'] > cfg['eventmap:markers_max']) {\n"
    "    note('Too many events for markers: the tiles show them all.');\n"
    "  } else if (cfg['eventmap:events'] > 0) {\n"
    "    fetch(cfg['eventmap:events_url']).then(function (r) {\n"
    "      if (!r.ok) throw new Error(r.status + ' ' + r.statusText);\n"
    "      return r.json();\n"
    "    }).then(show).catch(function (e) {\n"
    "      note('The event markers need the page served over HTTP (python3 -m http.server in this folder): ' +\n"
    "           e.message);\n"
    "    });\n"
    "  }\n"
    "})();\n"
    "</script>\n"
    "</body>\n"
    "</html>\n";

/* Read a whole file into sb.  0 or EM_EIO. */
static int read_file(const char *path, strbuf *sb, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) sb_add(sb, chunk, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? em_error(err, EM_EIO, "%s: cannot read", path) : 0;
}

/* Copy leaflet.js, leaflet.css and images/ of the leaflet package's dist/. */
static int copy_leaflet(const char *dir, const char *leaflet_dir, char **err)
{
    strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
    int rc = 0;
    const char *files[] = { "leaflet.js", "leaflet.css" };
    for (size_t i = 0; i < 2 && !rc; i++) {
        sb_reset(&src);
        sb_reset(&dst);
        sb_addf(&src, "%s/%s", leaflet_dir, files[i]);
        sb_addf(&dst, "%s/%s", dir, files[i]);
        rc = tempfile_copy(src.buf, dst.buf, "tiles:viewer-before-rename", 0, err);
    }
    if (rc) goto cleanup;
    sb_reset(&src);
    sb_reset(&dst);
    sb_addf(&src, "%s/images", leaflet_dir);
    sb_addf(&dst, "%s/images", dir);
    DIR *d = opendir(src.buf);
    if (!d) {
        rc = em_error(err, EM_EIO, "%s: cannot open: %s", src.buf, strerror(errno));
        goto cleanup;
    }
    rc = tiles_mkdirs(dst.buf, NULL, err);
    size_t src_len = src.len, dst_len = dst.len;
    struct dirent *de;
    while (!rc && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".png")) continue;
        sb_setlen(&src, src_len);
        sb_setlen(&dst, dst_len);
        sb_addf(&src, "/%s", de->d_name);
        sb_addf(&dst, "/%s", de->d_name);
        rc = tempfile_copy(src.buf, dst.buf, "tiles:viewer-before-rename", 0, err);
    }
    closedir(d);
cleanup:
    sb_release(&src);
    sb_release(&dst);
    return rc;
}

int tiles_check_leaflet(const char *leaflet_dir, char **err)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/leaflet.js", leaflet_dir);
    int rc = 0;
    if (access(path.buf, R_OK) != 0) rc = em_error(err, EM_EIO, "%s: cannot open: %s", path.buf, strerror(errno));
    sb_release(&path);
    return rc;
}

int tiles_write_viewer(const char *dir, const tiles_meta *meta, const char *leaflet_dir, char **err)
{
    strbuf path = STRBUF_INIT, page = STRBUF_INIT, events = STRBUF_INIT;
    char *json = NULL;
    int rc;

    json = tiles_tilejson(meta);
    sb_addf(&path, "%s/tilejson.json", dir);
    sb_adds(&page, json);
    sb_addch(&page, '\n');
    rc = tempfile_write(path.buf, page.buf, page.len, "tiles:viewer-before-rename", 0, err);
    sb_reset(&page);
    free(json);
    json = NULL;
    if (rc) goto cleanup;

    rc = copy_leaflet(dir, leaflet_dir, err);
    if (rc) goto cleanup;

    /* the events go into the page too when they are few */
    int embed = 0;
    sb_reset(&path);
    sb_addf(&path, "%s/events.geojson", dir);
    struct stat st;
    if (meta->n_events && meta->n_events <= VIEWER_MARKERS_MAX && stat(path.buf, &st) == 0 &&
        (size_t)st.st_size <= VIEWER_EMBED_MAX_BYTES) {
        rc = read_file(path.buf, &events, err);
        if (rc) goto cleanup;
        embed = 1;
    }

    sb_adds(&page, page_head);
    sb_adds(&page, "<title>");
    add_html_text(&page, meta->name ? meta->name : "eventmap");
    sb_adds(&page, "</title>\n");
    sb_adds(&page, page_style);
    json = viewer_config(meta, embed);
    sb_adds(&page, "<script id=\"eventmap-tilejson\" type=\"application/json\">");
    add_script_json(&page, json, strlen(json));
    sb_adds(&page, "</script>\n");
    if (embed) {
        sb_adds(&page, "<script id=\"eventmap-events\" type=\"application/json\">");
        add_script_json(&page, events.buf, events.len);
        sb_adds(&page, "</script>\n");
    }
    sb_adds(&page, page_script);
    sb_reset(&path);
    sb_addf(&path, "%s/index.html", dir);
    rc = tempfile_write(path.buf, page.buf, page.len, "tiles:viewer-before-rename", 0, err);

cleanup:
    free(json);
    sb_release(&path);
    sb_release(&page);
    sb_release(&events);
    return rc;
}
