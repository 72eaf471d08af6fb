"""Render a Digest into the files of a batch: email, social posts, and each story's summary."""
