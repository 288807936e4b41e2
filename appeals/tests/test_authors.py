"""The author of a signed appeal reads under one name, whether it was sealed before or after the rename."""

import json

from appeals.authors import author_read


def test_an_author_sealed_with_the_old_class_key_reads_as_school_class():
    old = json.dumps({"full_name": "Асел Бекова", "address": "", "class": "8А", "phone": ""})
    assert author_read(old) == {"full_name": "Асел Бекова", "address": "", "school_class": "8А", "phone": ""}


def test_an_author_sealed_today_reads_as_it_was_written():
    today = {"full_name": "Асел Бекова", "address": "Ош", "school_class": "8А", "phone": "0555"}
    assert author_read(json.dumps(today)) == today and author_read(today) == today
    assert author_read(None) is None
