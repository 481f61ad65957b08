/*
 * write.c - what `eventmap geoparse` writes of a text's mentions: GeoJSON
 * points (one feature per reported mention; null geometry for a place the
 * gazetteer lacks), a table, or the candidate events as GeoJSON in the
 * event model that `eventmap import` reads.
 */
#include "geoparse/geoparse.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

int gp_write_events(FILE *out, const char *name, const char *text, const gp_mentions *ms, const gp_candidates *ev)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    ev_geojson_writer *w = ev_geojson_open(out);
    strbuf id = STRBUF_INIT, notes = STRBUF_INIT;
    char date[11];
    for (size_t i = 0; i < ev->n; i++) {
        const gp_candidate *g = &ev->e[i];
        const gp_mention *m = &ms->m[g->mention];
        ev_event e;
        memset(&e, 0, sizeof(e));
        sb_reset(&id);
        sb_addf(&id, "%s:%zu", base, g->start);
        sb_reset(&notes);
        for (size_t k = g->start; k < g->end; k++) sb_addch(&notes, text[k] == '\n' || text[k] == '\r' ? ' ' : text[k]);
        ev_format_date(g->day, date);
        e.id = id.buf;
        e.event_date = date;
        e.day = g->day;
        e.time_precision = g->time_precision;
        e.event_type = g->event_type;
        e.sub_event_type = g->sub_event_type;
        e.actor1 = g->actor[0] ? g->actor[0] : "";
        e.actor2 = g->actor[1] ? g->actor[1] : "";
        e.country = m->place.country;
        e.admin1 = m->place.admin1;
        e.admin2 = e.admin3 = "";
        e.location = m->text;
        e.located = 1;
        e.lat = m->place.lat_deg;
        e.lon = m->place.lon_deg;
        const char *f = m->place.feature;
        int area = (f[0] == 'A' || f[0] == 'L' || f[0] == 'T') && strcmp(f, "L.MILB"); /* not a base */
        e.geo_precision = g->inferred_place ? 2 : area ? 3 : 1;
        e.fatalities = g->fatalities;
        e.source = base;
        e.notes = notes.buf;
        e.gazetteer_id = m->place.id;
        e.match = gaz_match_name(m->place.match);
        e.confidence = m->confidence * (g->inferred_place ? 0.5 : 1.0);
        if (ev_geojson_write(w, &e, NULL, 0) < 0) break;
    }
    sb_release(&id);
    sb_release(&notes);
    return ev_geojson_close(w) < 0 ? -1 : 0;
}

void gp_write_geojson(FILE *out, const gp_mentions *ms)
{
    cJSON *fc = cJSON_CreateObject();
    cJSON_AddStringToObject(fc, "type", "FeatureCollection");
    cJSON *features = cJSON_AddArrayToObject(fc, "features");
    for (size_t i = 0; i < ms->n; i++) {
        const gp_mention *m = &ms->m[i];
        if (!m->reported) continue;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "type", "Feature");
        if (m->resolved) {
            cJSON *geom = cJSON_AddObjectToObject(f, "geometry");
            cJSON_AddStringToObject(geom, "type", "Point");
            cJSON *coords = cJSON_AddArrayToObject(geom, "coordinates");
            cJSON_AddItemToArray(coords, cJSON_CreateNumber(round_to(m->place.lon_deg, 1e-5)));
            cJSON_AddItemToArray(coords, cJSON_CreateNumber(round_to(m->place.lat_deg, 1e-5)));
        } else {
            cJSON_AddNullToObject(f, "geometry"); /* a place the gazetteer lacks */
        }
        cJSON *p = cJSON_AddObjectToObject(f, "properties");
        cJSON_AddStringToObject(p, "mention", m->text);
        cJSON_AddNumberToObject(p, "start", (double)m->start);
        cJSON_AddNumberToObject(p, "end", (double)m->end);
        cJSON_AddNumberToObject(p, "sentence", m->sentence);
        cJSON_AddStringToObject(p, "kind", m->kind == GP_KIND_DEMONYM ? "demonym" : "name");
        if (m->dateline) cJSON_AddTrueToObject(p, "dateline");
        if (m->resolved) {
            cJSON_AddStringToObject(p, "name", m->place.name);
            cJSON_AddStringToObject(p, "gazetteer_id", m->place.id);
            cJSON_AddStringToObject(p, "match", gaz_match_name(m->place.match));
        } else {
            cJSON_AddNullToObject(p, "name");
            cJSON_AddNullToObject(p, "gazetteer_id");
            cJSON_AddStringToObject(p, "match", "none");
        }
        cJSON_AddNumberToObject(p, "confidence", round_to(m->confidence, 0.01));
        if (m->qualifier) cJSON_AddStringToObject(p, "qualifier", m->qualifier);
        else cJSON_AddNullToObject(p, "qualifier");
        if (m->resolved && m->place.has_bbox) {
            cJSON *bbox = cJSON_AddArrayToObject(p, "bbox");
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.west_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.south_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.east_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.north_deg, 1e-5)));
        }
        cJSON_AddItemToArray(features, f);
    }
    char *json = cJSON_Print(fc);
    fputs(json, out);
    fputc('\n', out);
    free(json);
    cJSON_Delete(fc);
}

void gp_write_table(FILE *out, const gp_mentions *ms)
{
    fprintf(out, "%-4s %-11s %-22s %-26s %-24s %-6s %-5s %s\n", "sent", "bytes", "mention", "place",
            "gazetteer_id", "match", "conf", "qualifier");
    for (size_t i = 0; i < ms->n; i++) {
        const gp_mention *m = &ms->m[i];
        if (!m->reported) continue;
        char bytes[32];
        snprintf(bytes, sizeof(bytes), "%zu-%zu", m->start, m->end);
        fprintf(out, "%-4d %-11s %-22s %-26s %-24s %-6s %.2f  %s\n", m->sentence, bytes, m->text,
                m->resolved ? m->place.name : "-", m->resolved ? m->place.id : "-",
                !m->resolved ? "none" : m->kind == GP_KIND_DEMONYM ? "demonym" : gaz_match_name(m->place.match),
                m->confidence, m->qualifier ? m->qualifier : "");
    }
}
