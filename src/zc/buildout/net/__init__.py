"""The network: the one HTTP client of a run, its connections and credentials, downloads.

Who does what: ``httpclient`` fetches and downloads (pooled, with checksums
and byte ranges) over the ``connections`` it keeps (direct or
through a proxy, one TLS setup), with the ``credentials`` of a URL or
``~/.netrc``, which it never shows. ``download`` is the ``Download`` API
recipes use, with its download cache.
"""
