/* list.h: every stage kind, one line each, in flow order (a pipeline's stages are always in
   this order). Included by registry.c with KIND(name) defined; adding a kind adds its line. */
KIND(outbox)
KIND(slot)
KIND(kafka)
KIND(connector)
KIND(search)
KIND(cache)
KIND(document)
KIND(graph)
KIND(timeseries)
KIND(worker)
