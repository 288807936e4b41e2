"""Workflows of an appeal: intake (submission, receipts, follow-up) and case handling."""

from appeals.services.intake import appeal_submit

__all__ = ["appeal_submit"]
