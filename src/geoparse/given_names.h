/*
 * given_names.h - whether a word is an English given name ("christopher").
 */
#ifndef EVENTMAP_GIVEN_NAMES_H
#define EVENTMAP_GIVEN_NAMES_H

/* 1 when lower (lower-case ASCII) is a common English given name. */
int gp_given_name(const char *lower);

#endif
