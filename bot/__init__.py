"""Hong Kong policy recommendations bot: core package (no Telegram imports)."""

__version__ = "0.1.0"
