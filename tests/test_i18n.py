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
    for section in ("labels", "headings", "reasons"):
        missing = set(english[section]) - set(other[section])
        extra = set(other[section]) - set(english[section])
        assert not missing, f"{lang}.toml [{section}] lacks {sorted(missing)}"
        assert not extra, f"{lang}.toml [{section}] has keys English lacks: {sorted(extra)}"
        assert all(value.strip() for value in other[section].values())


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_not_available_reason_of_the_catalogue_is_translated(lang):
    import re

    from cskpi.i18n import reason
    from cskpi.metrics.registry import REGISTRY

    for kpi in REGISTRY:
        text = kpi.empty.format(period="2026-10")
        assert reason(text, lang) != text, f"{lang}: {text!r} has no translation"
    english = raw("en")["reasons"]
    for key, value in raw(lang)["reasons"].items():
        assert set(re.findall(r"\{\w+\}", value)) == set(re.findall(r"\{\w+\}", key)), (
            f"{lang}: {value!r} must keep the placeholders of {key!r}"
        )
    assert set(english) == set(raw(lang)["reasons"])


def test_reasons_keep_their_ids_and_periods():
    from cskpi.i18n import reason

    assert reason("no nps answers in 2026-W41", "fi") == "ei nps-vastauksia jaksolla 2026-W41"
    assert reason("calls table has no answered_at", "nb") == "calls-tabellen mangler answered_at"
    assert reason("something new", "da") == "something new"
    assert reason("no nps answers in 2026-10", "en") == "no nps answers in 2026-10"


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
