"""The archive: published batches → a static site (`digest archive`)."""
