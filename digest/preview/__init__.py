"""`digest preview`: a local web page over the same pipeline, for editors.

The pieces, in the order a request meets them: `server` (HTTP on loopback, the safety rules,
live events; `hosts` checks the names it answers to, `connection` the time a request head
may take), `watcher` (which files changed, and the current `Site`; `events` wakes it on file
events), `site` (one reading of config, seeds, edits files, slots, batches and the slots
waiting for approval, through the pipeline's own `gather`, `unsent` and `prepare`; `scrub`
keeps the project's folders out of what it shows, `approvals` reads the pending area),
`model` (the plain data it fills in; `batch_files` reads a published or pending batch into
it), `pages` (a path in, a page out), the views (`views/email`, `views/social`,
`views/summary`, each with `views/edited`'s marks), `frames` (the email in its iframe) and
`export` (the same pages as a static folder).

The editor's writes (an edit, a move, an approval, a hold) come in as POSTs of the pages' forms:
`writes` answers them, after `guard`'s rules (loopback, Origin, the form's token) and through
`actions`, which calls the library's own writers.
"""
