"""👍/👎 under a recommendation opened from a search: one tap, changeable, answered with a toast
and shown by editing the buttons (no new message).

Nothing here knows or stores who voted: the vote the buttons show, and when it was stored, travel
in the callback data (bot.ui.actions.vote), and the store replaces that anonymous row with the
new one (bot.store.feedback.change_vote). Pressing the vote already shown withdraws it; pressing
the other one replaces it.

Two quick taps may both carry the buttons' old state (the second before the edit arrived). This
process therefore remembers, in memory only and for the last RECENT_MESSAGES messages, the state
it last gave each message's buttons, and applies a press to that state rather than to the stale
one; the memory is keyed by chat and message id and never stored."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime

from telegram import Update
from telegram.error import BadRequest

from bot.search.normalize import fold_query
from bot.store.corpus import get_recommendation
from bot.store.feedback import change_vote
from bot.store.models import VoteKind
from bot.ui import actions
from bot.ui.i18n import t
from bot.ui.render import Message
from bot.ui.views import Feedback, record_buttons
from handlers.common import language_of, load_saved, miniapp_links
from handlers.context import BotContext
from handlers.keyboards import markup

RECENT_MESSAGES = 4096  # messages whose last vote state this process remembers (in memory)
_MEMORY = "feedback_recent_votes"
_KINDS: dict[str, VoteKind] = {actions.VOTE_UP: "up", actions.VOTE_DOWN: "down"}
_TOASTS = {
    actions.VOTE_UP: "feedback.thanks_up",
    actions.VOTE_DOWN: "feedback.thanks_down",
    actions.NO_VOTE: "feedback.withdrawn",
}

VoteState = tuple[str, int]  # the vote the buttons show, when it was stored (Unix seconds)


def next_state(shown: str, pressed: str) -> str:
    """The vote after a press: the same vote again withdraws it, the other one replaces it."""
    return actions.NO_VOTE if pressed == shown else pressed


async def vote_button(update: Update, context: BotContext) -> None:
    """fb:<v>:<s>:<t>:<key>:<id> — record the vote, answer with a toast, mark the buttons."""
    query = update.callback_query
    if query is None:
        return
    language = language_of(update, context)
    action = actions.decode(query.data)
    vote = actions.parse_vote(action) if action is not None else None
    chat, message = update.effective_chat, query.message
    if vote is None or chat is None or message is None:
        await query.answer(t(language, "feedback.expired"))
        return
    services = context.services
    memory, place = _memory(context), (chat.id, message.message_id)
    stored = load_saved(context, vote.key)  # perhaps still with the background writer
    with services.sessions.begin() as session:  # one unit of work: read, then replace the vote
        record = get_recommendation(session, vote.record_id)
        if stored is None or record is None:
            state = None
        else:
            shown, since = memory.get(place, (vote.shown, vote.since))
            new = next_state(shown, vote.pressed)
            at = change_vote(
                session,
                fold_query(stored.text),
                record.id,
                old=_KINDS.get(shown),
                old_at=datetime.fromtimestamp(since, UTC) if since else None,
                new=_KINDS.get(new),
                retention_days=services.settings.query_log_retention_days,
            )
            state = (new, int(at.timestamp()) if at is not None else 0)
            buttons = record_buttons(
                language,
                record,
                services.bot_username,
                Feedback(vote.key, *state),
                miniapp_links(update, context),
            )
    if state is None:
        await query.answer(t(language, "feedback.expired"))
        return
    _remember(memory, place, state)  # once stored
    await query.answer(t(language, _TOASTS[state[0]]))
    try:
        await query.edit_message_reply_markup(reply_markup=markup(Message("", buttons)))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


def _memory(context: BotContext) -> OrderedDict[tuple[int, int], VoteState]:
    bot_data = context.application.bot_data
    if _MEMORY not in bot_data:
        bot_data[_MEMORY] = OrderedDict()
    memory: OrderedDict[tuple[int, int], VoteState] = bot_data[_MEMORY]
    return memory


def _remember(
    memory: OrderedDict[tuple[int, int], VoteState], place: tuple[int, int], state: VoteState
) -> None:
    memory[place] = state
    memory.move_to_end(place)
    while len(memory) > RECENT_MESSAGES:
        memory.popitem(last=False)
