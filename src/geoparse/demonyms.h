/*
 * demonyms.h - a country's English adjective ("Turkish") to the country.
 */
#ifndef EVENTMAP_DEMONYMS_H
#define EVENTMAP_DEMONYMS_H

typedef struct {
    const char *word;   /* lower case: "turkish", "south korean" */
    const char *code;   /* ISO alpha-2 ("TR"), or "continent:Europe" */
} gp_demonym;

/* The entry of a lower-case adjective (words separated by one space), or NULL. */
const gp_demonym *gp_demonym_lookup(const char *lower);

#endif
