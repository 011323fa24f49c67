"""Data layer: models, the one engine, access scoping, migrations."""
