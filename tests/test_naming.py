import hashlib

import pytest
from imgcast.engine.errors import UsageError
from imgcast.engine.naming import check_name, normalise_name, session_address


def test_address_is_231_and_the_first_three_digest_bytes():
    digest = hashlib.sha256(b"doug").digest()
    address = session_address("doug")
    assert address.group == f"231.{digest[0]}.{digest[1]}.{digest[2]}"
    assert address.session_id == digest[3:11]


def test_names_that_differ_only_in_case_space_or_unicode_form_meet():
    decomposed = "cafe\u0301"  # e + combining acute
    composed = "caf\u00e9"
    assert session_address(f"  {decomposed.upper()} ").group == session_address(composed).group
    assert normalise_name("  Doug\t") == "doug"
    assert session_address("STRASSE").group == session_address("straße").group  # casefold, not lower


def test_different_names_get_different_session_ids_even_on_one_group():
    assert session_address("doug").session_id != session_address("mcast01").session_id


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_empty_and_overlong_names_are_refused_with_a_reason(name):
    assert check_name(name)
    with pytest.raises(UsageError):
        session_address(name)


def test_sixty_four_characters_are_allowed():
    assert check_name("x" * 64) is None


def test_explain_lists_every_step_ending_in_group_and_id():
    steps = dict(session_address("doug").explain())
    assert steps["Multicast group"] == session_address("doug").group
    assert steps["SHA-256"] == hashlib.sha256(b"doug").hexdigest()
