"""The Mini App: a web page Telegram opens inside the chat (served at /app) and its JSON API
(/api/…), on the bot's own Starlette server. An interface layer like handlers/: it uses bot.*
(search, store, catalogues) and never Telegram's library; bot/ never imports it."""
