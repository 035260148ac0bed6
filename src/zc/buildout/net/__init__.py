"""The network: the HTTP client, its connections and credentials, downloads."""
