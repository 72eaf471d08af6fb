"""`digest preview`: a local web page over the same pipeline, for editors.

The pieces, in the order a request meets them: `server` (HTTP on loopback, the safety rules,
live events; `hosts` checks the names it answers to, `connection` the time a request head
may take), `watcher` (which files changed, and the current `Site`; `events` wakes it on file
events), `site` (one reading of
config, seeds, slots and batches, through the pipeline's own `gather`, `unsent` and `prepare`),
`model` (the plain data it fills in; `batch_files` reads a published batch into it), `pages`
(a path in, a page out), the views (`views/email`, `views/social`, `views/summary`), `frames`
(the email in its iframe) and `export` (the same pages as a static folder).
"""
