"""The compatibility layer: the pkg_resources / easy_install object model and facade."""
