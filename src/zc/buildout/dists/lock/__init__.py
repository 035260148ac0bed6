"""The lock: its file, what installations do with it, its exports."""
