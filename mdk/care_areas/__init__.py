"""Care areas: read from config/care_areas/*.toml (one file = one NHV care area)."""
