import tomllib
from importlib import resources

import pytest

from cskpi.errors import UsageError
from cskpi.i18n import LANGUAGES, catalogue, heading, label


def raw(lang):
    return tomllib.loads(resources.files("cskpi.i18n").joinpath(f"{lang}.toml").read_text("utf-8"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_file_covers_every_english_key(lang):
    english, other = raw("en"), raw(lang)
    for section in ("labels", "headings"):
        missing = set(english[section]) - set(other[section])
        extra = set(other[section]) - set(english[section])
        assert not missing, f"{lang}.toml [{section}] lacks {sorted(missing)}"
        assert not extra, f"{lang}.toml [{section}] has keys English lacks: {sorted(extra)}"
        assert all(value.strip() for value in other[section].values())


def test_labels_are_translated_and_ids_stay():
    assert label("csat", "en") == "Customer satisfaction (CSAT)"
    assert label("csat", "fi") == "Asiakastyytyväisyys (CSAT)"
    assert heading("better", "lv") == "labāk"


def test_an_unknown_key_falls_back_to_english_then_to_itself(monkeypatch):
    monkeypatch.delitem(catalogue("da")["headings"], "better")
    assert heading("better", "da") == "better"      # the English value
    assert heading("no_such_key", "da") == "no_such_key"


def test_an_unknown_language_is_a_usage_error():
    with pytest.raises(UsageError, match="one of en, fi"):
        label("csat", "sv")


def test_english_labels_are_the_registry_labels_for_every_kpi():
    registry = pytest.importorskip("cskpi.metrics.registry")
    labels = raw("en")["labels"]
    assert {k.id: k.label for k in registry.REGISTRY} == labels
