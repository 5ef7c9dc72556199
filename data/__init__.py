"""The data files (areas, synonyms, layouts, source documents), installed as the package
`bot.bundled_data` so that a wheel carries them (see pyproject.toml and bot/core/resources.py).
Nothing to import here."""
