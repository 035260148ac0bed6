"""Finding distribution files: the index, find-links, their pages and metadata."""
