"""The shell: one ingest run's stages, each a plain function that a Prefect task calls.

    config   config files -> RunInputs           (once per run, before anything else)
    poll     feed -> new entries                  (one per feed; safe in parallel)
    extract  entries -> articles                  (one per batch; safe in parallel)
    decide   articles -> match, dedup, story, alert   (one at a time, in order)
    deliver  pending alerts -> Apprise            (one message per target per run)
    runtime  the store and HTTP client every stage shares

Stages take plain data (Settings, RunInputs, entries, articles) and open the store and
the HTTP client themselves, so a failure in one feed, page or target is recorded and
does not stop the others. This ring may import the core and the adapters; only the
front ends (`newswatch.cli`, `flows/`) import it, and it imports no Prefect.
"""
