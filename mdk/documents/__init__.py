"""Documents the service hands out as files: one PDF layer (WeasyPrint) for all of them."""
