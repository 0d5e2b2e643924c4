"""Value-level promises of masking, checked as properties over generated inputs."""

from __future__ import annotations

import re
from itertools import product

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.mapping.findings import Rejected
from sfsync_assets.lib.mapping.text import normalize_email
from sfsync_assets.lib.masking.columns import Kind
from sfsync_assets.lib.masking.errors import MaskKeyError
from sfsync_assets.lib.masking.fpe import DIGITS, LETTERS, permute
from sfsync_assets.lib.masking.key import MaskKey
from sfsync_assets.lib.masking.values import Masker

REGIONS = ("US", "GB", "DE", "FR", "CA", "AU", "IN", "BR", "MX", "JP", "CH", "SE")


@pytest.mark.parametrize(("alphabet", "length"), [(DIGITS, 3), (LETTERS, 2)])
def test_permutation_is_a_bijection(masker: Masker, alphabet: str, length: int) -> None:
    domain = ["".join(symbols) for symbols in product(alphabet, repeat=length)]
    assert sorted(permute(masker.key, value, alphabet, "t") for value in domain) == domain


def test_another_key_gives_other_fakes(masker: Masker) -> None:
    other = Masker(MaskKey(b"another-key-0123456789abcdef"))
    values = ["Robert Smith", "jane.doe@acme-corp.com", "+44 20 7946 0000", "DE123456789"]
    kinds = [Kind.TEXT, Kind.EMAIL, Kind.PHONE, Kind.CODE]
    assert [masker.mask(k, v) for k, v in zip(kinds, values, strict=True)] != [
        other.mask(k, v) for k, v in zip(kinds, values, strict=True)
    ]


def test_the_key_must_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASK_KEY_FOR_TEST", "short")
    with pytest.raises(MaskKeyError, match="MASK_KEY_FOR_TEST"):
        MaskKey.from_environment("MASK_KEY_FOR_TEST")
    monkeypatch.delenv("MASK_KEY_FOR_TEST")
    with pytest.raises(MaskKeyError, match="unset"):
        MaskKey.from_environment("MASK_KEY_FOR_TEST")


@settings(max_examples=200, deadline=None)
@given(st.emails())
def test_an_email_stays_an_email_whatever_its_case(masker: Masker, email: str) -> None:
    try:
        normal = normalize_email(email)
    except Rejected:
        return
    fake = masker.mask(Kind.EMAIL, email)
    assert normalize_email(fake) == masker.mask(Kind.EMAIL, normal)
    assert fake.lower() != normal or not any(ch.isalnum() for ch in normal.split("@")[0])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(REGIONS), st.integers(0, 999_999), st.sampled_from(["E164", "INTERNATIONAL", "NATIONAL"])
)
def test_a_valid_phone_stays_a_valid_phone_of_its_country_in_its_format(
    masker: Masker, region: str, tail: int, style: str
) -> None:
    example = phonenumbers.example_number(region)
    digits = phonenumbers.national_significant_number(example)
    number = phonenumbers.parse(digits[:-6] + f"{tail:06d}", region)
    if not phonenumbers.is_valid_number(number):
        return
    written = phonenumbers.format_number(number, getattr(phonenumbers.PhoneNumberFormat, style))
    fake = masker.mask(Kind.PHONE, written)
    assert re.sub(r"\d", "0", fake) == re.sub(r"\d", "0", written)  # same punctuation in the same places
    parsed = phonenumbers.parse(fake, region)
    assert phonenumbers.is_valid_number(parsed) or style == "NATIONAL"
    assert phonenumbers.region_code_for_number(parsed) == region or style == "NATIONAL"
    assert fake != written


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ABCDEZ0123456789 -./"), min_size=1, max_size=20))
def test_codes_keep_letters_and_separators_and_stay_equal_when_normalised(masker: Masker, code: str) -> None:
    fake = masker.mask(Kind.CODE, code)
    if any(ch.isdigit() for ch in code):
        assert re.sub(r"\d", "", fake) == re.sub(r"\d", "", code)
    plain = re.sub(r"[^A-Z0-9]", "", code)
    assert re.sub(r"[^A-Z0-9]", "", fake) == re.sub(r"[^A-Z0-9]", "", masker.mask(Kind.CODE, plain))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_text_masking_is_deterministic_and_keeps_punctuation(masker: Masker, text: str) -> None:
    fake = masker.mask(Kind.TEXT, text)
    assert fake == masker.mask(Kind.TEXT, text)
    if text.isascii():
        assert re.sub(r"[A-Za-z0-9']", "", fake) == re.sub(r"[A-Za-z0-9']", "", text)


def test_nickname_groups_map_onto_nickname_groups(masker: Masker) -> None:
    from sfsync_assets.lib.matching.nicknames import nickname_groups
    from sfsync_assets.lib.matching.settings import NICKNAMES_FILE
    from sfsync_assets.lib.matching.text import fold

    groups = nickname_groups(NICKNAMES_FILE)
    fakes = {name: fold(masker.mask(Kind.TEXT, name.capitalize())) for name in groups}
    for name, group in groups.items():
        assert groups[fakes[name]] == groups[fakes[group]], name
        assert fakes[name] != name
    assert len(set(fakes.values())) == len(fakes)


@pytest.mark.parametrize(
    ("name", "slip"), [("Schneider", "Schnieder"), ("Schneider", "Schneder"), ("Johnson", "Jhonson")]
)
def test_a_typo_of_a_name_becomes_the_same_typo_of_its_fake(masker: Masker, name: str, slip: str) -> None:
    from sfsync_assets.lib.masking.vocabulary import fold_word, one_edit

    fake, fake_slip = (fold_word(masker.mask(Kind.TEXT, text)) for text in (name, slip))
    assert fake_slip != fake
    assert one_edit(fake, fake_slip) is not None
