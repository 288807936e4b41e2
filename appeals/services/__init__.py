"""Workflows of an appeal: intake (submission, receipts, follow-up) and case handling."""

from appeals.services.cases import *  # noqa: F403 - case handling, see its __all__
from appeals.services.intake import (
    appeal_submit,
    followup_solved_record,
    message_post,
    messages_mark_read,
    receipt_find,
    urgent_words_save,
)

__all__ = [
    "appeal_submit",
    "followup_solved_record",
    "message_post",
    "messages_mark_read",
    "receipt_find",
    "urgent_words_save",
]
