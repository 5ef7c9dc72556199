"""Search over the stored recommendations (no Telegram imports).

`SearchIndex.load(session)` builds the index; `search(index, query)` answers a query;
`related(index, record_id)` finds similar proposals from other organisations.
"""

from bot.search.engine import SearchResult, SearchResults, related, search
from bot.search.index import IndexedRecord, SearchIndex
from bot.search.passage import Highlight
from bot.search.query import Filters

__all__ = [
    "Filters",
    "Highlight",
    "IndexedRecord",
    "SearchIndex",
    "SearchResult",
    "SearchResults",
    "related",
    "search",
]
