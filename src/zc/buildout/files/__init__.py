"""Files on disk: removing trees, writing text at once, unpacking archives."""
