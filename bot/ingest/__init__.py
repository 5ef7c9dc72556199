"""Ingest: source files → parse (layouts/) → clean → classify → store. See `pipeline.ingest`."""
