"""Installing distributions: finding, resolving, building, installing and locking them."""
