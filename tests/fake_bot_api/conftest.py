"""Makes the ``fake_bot_api`` fixture available here even before the root conftest loads
``tests.fake_bot_api.fixtures`` as a plugin (a conftest fixture simply overrides the plugin's)."""

from .fixtures import fake_bot_api

__all__ = ["fake_bot_api"]
