import pandas as pd
import pytest

from cskpi.insights.themes import (
    LANGUAGES,
    comment_terms,
    feedback_tone,
    log_odds_dirichlet,
    stopwords,
    themes,
)


def surveys(rows):
    frame = pd.DataFrame(rows, columns=["survey", "score", "comment"])
    frame["survey"] = frame["survey"].astype("str")
    frame["comment"] = frame["comment"].astype("str")
    frame["score"] = frame["score"].astype("float64")
    frame["response_id"] = pd.Series([str(i) for i in range(len(frame))], dtype="str")
    frame["submitted_at"] = pd.Timestamp("2026-10-10", tz="UTC")
    return frame


def test_every_language_has_a_stopword_list_without_negations():
    for lang in LANGUAGES:
        words = stopwords(lang)
        assert len(words) > 50
    assert "the" in stopwords("en") and "not" not in stopwords("en")
    assert "ja" in stopwords("fi") and "ei" not in stopwords("fi")


def test_tone_follows_the_survey_bands():
    frame = surveys([("nps", 6, ""), ("nps", 7, ""), ("nps", 9, ""), ("csat", 2, ""),
                     ("csat", 3, ""), ("review", 5, ""), ("ces", 1, "")])
    assert feedback_tone(frame).fillna("-").tolist() == [
        "negative", "-", "positive", "negative", "-", "positive", "-"]


def test_terms_count_once_per_comment_and_phrases_skip_stop_words():
    terms = comment_terms(pd.Series(["Slow slow reply", "Not the answer"]), stopwords("en"))
    words = terms[terms.kind == "word"]
    assert words[words.doc == 0].term.tolist() == ["slow", "reply"]
    assert set(terms[terms.kind == "phrase"].term) == {"slow slow", "slow reply", "not answer"}


def test_log_odds_ranks_a_negative_only_word_above_a_shared_one():
    # 'slow' only in negatives (30), 'thanks' in both (30 / 30).
    scored = log_odds_dirichlet(pd.Series({"slow": 30, "thanks": 30}), pd.Series({"thanks": 30}))
    assert scored.loc["slow", "z"] > 1.96
    assert scored.loc["thanks", "z"] < scored.loc["slow", "z"]


def test_themes_surface_the_complaint_and_redact_drops_examples():
    rows = [("nps", 2, "Waiting time far too long")] * 6 + [("csat", 1, "long wait again")] * 4
    rows += [("nps", 10, "Quick friendly help")] * 10 + [("review", 5, "friendly staff")] * 5
    frame = surveys(rows)
    result = themes(frame)
    words = result.tables["negative_terms"].set_index("term")
    assert words.loc["long", "negative"] == 10 and bool(words.loc["long", "distinctive"])
    assert "friendly" not in words.index
    assert "waiting time" in set(result.tables["negative_phrases"]["term"])
    assert len(result.tables["negative_examples"]) > 0
    assert "negative_examples" not in themes(frame, redact=True).tables


@pytest.mark.parametrize("drop", ["comment"])
def test_themes_without_comments_are_not_available(drop):
    frame = surveys([("nps", 1, "x")]).drop(columns=[drop])
    assert "not available" in themes(frame).notes[0]
