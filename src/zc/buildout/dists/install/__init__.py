"""Installing: picked files to egg directories, concurrently."""
