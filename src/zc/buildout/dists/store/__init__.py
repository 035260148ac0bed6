"""What is on disk: the eggs directory, develop-eggs, the download cache."""
