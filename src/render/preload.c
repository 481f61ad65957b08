/*
 * preload.c - the 1:10m base map decoded on a thread of its own while the
 * caller does something else (`map` reads its events meanwhile), so that
 * the first draw that needs it does not wait for it.
 */
#include <pthread.h>
#include <stdlib.h>

#include "render/render.h"
#include "util/strbuf.h"
#include "util/banned.h"

struct render_preload {
    render_basemap *base;
    pthread_t thread;
    int rc;                    /* render_basemap_load_detail's */
    char *err;                 /* and its message */
};

static void *preload_main(void *arg)
{
    render_preload *p = arg;
    p->rc = render_basemap_load_detail(p->base, &p->err);
    return NULL;
}

render_preload *render_preload_start(render_basemap *b)
{
    render_preload *p = xcalloc(1, sizeof(*p));
    p->base = b;
    if (pthread_create(&p->thread, NULL, preload_main, p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

int render_preload_finish(render_preload *p, char **err)
{
    if (!p) return 0;
    pthread_join(p->thread, NULL);
    int rc = p->rc;
    if (err && !*err) {
        *err = p->err;
        p->err = NULL;
    }
    free(p->err);
    free(p);
    return rc;
}
