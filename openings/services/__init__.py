"""Box openings, the paper forms' stubs and the opening book; each module holds one part of the regulation."""

from openings.services.book import (
    book_for,
    entry_append,
    openings_verify,
)
from openings.services.opening import (
    IMAGE_TYPES,
    MAX_IMAGE_SIDE,
    MAX_PAGE_BYTES,
    STEPS,
    last_seal_number,
    opening_add_pages,
    opening_close,
    opening_discard,
    opening_letter_register,
    opening_set_count,
    opening_set_present,
    opening_set_seal,
    opening_start,
    page_clean,
    pending_pages,
)
from openings.services.stubs import (
    STUB_BATCH_MAX,
    stub_batch_create,
    stub_find,
)

__all__ = [
    "IMAGE_TYPES",
    "MAX_IMAGE_SIDE",
    "MAX_PAGE_BYTES",
    "STEPS",
    "STUB_BATCH_MAX",
    "book_for",
    "entry_append",
    "last_seal_number",
    "opening_add_pages",
    "opening_close",
    "opening_discard",
    "opening_letter_register",
    "opening_set_count",
    "opening_set_present",
    "opening_set_seal",
    "opening_start",
    "openings_verify",
    "page_clean",
    "pending_pages",
    "stub_batch_create",
    "stub_find",
]
