"""The one URL redactor (base.redact.redact_url), fuzzed: a password of any printable character, written as
it is or percent-encoded, in the credentials or a libpq ``password=`` option, never shows (issue 25, F1)."""

from __future__ import annotations

import string
from urllib.parse import quote

from hypothesis import assume, example, given
from hypothesis import strategies as st

from base.redact import MASK, redact, redact_url, register_url_secrets, url_secrets

PRINTABLE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=24)
ANY_PRINTABLE = st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=24)
HOSTS = ["127.0.0.1:5432", "db.example.com", "[::1]:6543", "h1:5432,h2:5433"]


@given(user=PRINTABLE | ANY_PRINTABLE, password=PRINTABLE | ANY_PRINTABLE, host=st.sampled_from(HOSTS),
       encoded=st.booleans())
@example(user="csops", password="pa/ss@w:rd", host=HOSTS[0], encoded=False)
@example(user="csops", password="a?b#c", host=HOSTS[0], encoded=False)
@example(user="u@x/y", password="@", host=HOSTS[1], encoded=False)
def test_the_password_in_the_credentials_never_shows(user: str, password: str, host: str, encoded: bool) -> None:
    assume("password" not in (user + password).lower())  # hides more: test_an_ambiguous_url_hides_both_readings
    written = quote(password, safe="") if encoded else password
    url = f"postgresql://{user}:{written}@{host}/db?sslmode=require"
    # The user name shows up to its first ':' (a ':' in it is where the password would start); nothing else of
    # what stands between '//' and the host.
    shown_user = user.split(":", 1)[0]
    assert redact_url(url) == f"postgresql://{shown_user}:{MASK}@{host}/db?sslmode=require"
    secrets = url_secrets(url)  # registered for masking in any text: each holds the password as written and decoded
    assert any(written in s for s in secrets) and any(password in s for s in secrets)


@given(password=PRINTABLE.filter(lambda p: "&" not in p and "#" not in p), encoded=st.booleans())
def test_a_password_option_never_shows(password: str, encoded: bool) -> None:
    written = quote(password, safe="") if encoded else password
    url = f"postgresql://csops@127.0.0.1/db?sslmode=disable&password={written}&application_name=x"
    assert redact_url(url) == f"postgresql://csops@127.0.0.1/db?sslmode=disable&password={MASK}&application_name=x"
    assert password in url_secrets(url)


def test_an_ambiguous_url_hides_both_readings() -> None:
    # A '?' before the last '@': a password holding '?', or a query holding '@'. Either way nothing shows.
    assert redact_url("postgresql://u:a?password=b@h/db") == f"postgresql://u:{MASK}"
    assert redact_url("postgresql://u@h/db?password=p@ss&x=1") == f"postgresql://u@h/db?password={MASK}&x=1"


def test_urls_without_a_password_are_left_as_they_are() -> None:
    for url in ("postgresql://csops@127.0.0.1:5432/db", "postgresql://127.0.0.1/db?sslmode=require",
                "sqlite:///.csops/state.db", "sqlite:////home/me@work/state.db", "not a url", ""):
        assert redact_url(url) == url
        assert url_secrets(url) == []


def test_registered_url_passwords_are_masked_in_any_text() -> None:
    register_url_secrets("postgresql://csops:pa%2Fss%40w%3Ard@127.0.0.1/db")
    text = "libpq said: password pa/ss@w:rd was refused (pa%2Fss%40w%3Ard)"
    out = redact(text)
    assert "pa/ss@w:rd" not in out and "pa%2Fss" not in out
    assert out == f"libpq said: password {MASK} was refused ({MASK})"


def test_the_alphabet_covers_every_printable_ascii_character() -> None:
    url = f"postgresql://csops:{string.punctuation}@127.0.0.1/db"
    assert redact_url(url) == f"postgresql://csops:{MASK}@127.0.0.1/db"
