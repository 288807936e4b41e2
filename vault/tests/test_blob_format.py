"""The blob format does not change: blobs stored by earlier versions open, new ones have the same layout."""

import uuid

import pytest

from vault import crypto

KEY_ID = uuid.UUID("0b5e55ed-0000-4000-8000-000000000001")
PRIVATE = bytes(range(32))
BOX_KEY = bytes(range(32, 64))
TEXT = "Мени сабакта уруп жатышат.".encode()
# Made by the first version of `vault.crypto` (a header, the ephemeral key, a nonce, then the ciphertext).
SEALED_EARLIER = bytes.fromhex(
    "010b5e55ed0000400080000000000000016980b10b8d5db041be4dbb3db18c513ed48c733821bd3b541ff0f6f29aa75655d1a1fc9ad758ec"
    "80f6d3b14246681990dacc84ce81bbb8dfaeeb690e0c70687e10d233c2762abcfaba59325c6f85732b4ce26f78f59406f3dad8d544ffaeb0"
    "89efa6f3141860d0be8bb213ea"
)
BOXED_EARLIER = bytes.fromhex(
    "020b5e55ed000040008000000000000001ad24ca539dd39499ac9aa4b0b104705375ac9727e5381683d77817994243a9c47b58dc465f4f7f"
    "74a6745ea5a1f1"
)


@pytest.mark.parametrize("stored", [bytes, memoryview, bytearray])
def test_blobs_stored_earlier_open(stored):
    assert crypto.unseal(PRIVATE, stored(SEALED_EARLIER)) == TEXT
    assert crypto.unbox(BOX_KEY, stored(BOXED_EARLIER)) == b"receipt code AAAAA"
    assert crypto.key_id_of(stored(SEALED_EARLIER)) == crypto.key_id_of(stored(BOXED_EARLIER)) == KEY_ID


def test_new_blobs_have_the_same_layout():
    sealed = crypto.seal(KEY_ID, crypto.public_key_of(PRIVATE), TEXT)
    assert len(sealed) == len(SEALED_EARLIER) and sealed[:17] == SEALED_EARLIER[:17]
    assert crypto.unseal(PRIVATE, memoryview(bytes(sealed))) == TEXT
    boxed = crypto.box(KEY_ID, BOX_KEY, b"receipt code AAAAA")
    assert len(boxed) == len(BOXED_EARLIER) and boxed[:17] == BOXED_EARLIER[:17]
    assert crypto.unbox(BOX_KEY, boxed) == b"receipt code AAAAA"


@pytest.mark.parametrize("change", [0, 20, 55, 70, -1])
def test_a_changed_byte_does_not_open(change):
    altered = bytearray(SEALED_EARLIER)
    altered[change] ^= 1
    with pytest.raises((crypto.VaultError, ValueError)):
        crypto.unseal(PRIVATE, altered)
