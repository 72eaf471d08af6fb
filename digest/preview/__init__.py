"""`digest preview`: a local web page over the same pipeline, for editors.

The pieces, in the order a request meets them: `server` (HTTP on loopback, the safety rules,
live events), `watcher` (which files changed, and the current `Site`), `site` (one reading of
config, seeds, slots and batches, rendered by the pipeline's own `render`), `pages` (a path in,
a page out), the views (`views_email`, `views_social`, `highlight`), `frames` (the email in its
iframe) and `export` (the same pages as a static folder).
"""
