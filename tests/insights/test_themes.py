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


def test_examples_show_each_comment_text_once_per_term_newest_first_with_its_count():
    # "slow" is in three distinct texts (case and spacing aside): the template 4 times across
    # csat and review (last on the 20th), "slow refund" once on the 15th, "very slow" once on
    # the 5th. With two examples per term, the template then "slow refund" are shown.
    frame = surveys([("csat", 1, "Slow  reply, sorry."), ("review", 1, "slow reply, sorry."),
                     ("csat", 2, "Slow reply, sorry."), ("csat", 1, "Slow reply, sorry. "),
                     ("nps", 2, "slow refund"), ("nps", 3, "very slow"),
                     ("nps", 10, "great service"), ("csat", 5, "great")])
    frame["submitted_at"] = pd.to_datetime(
        ["2026-10-01", "2026-10-20", "2026-10-02", "2026-10-03", "2026-10-15", "2026-10-05",
         "2026-10-01", "2026-10-01"]).tz_localize("UTC")
    result = themes(frame, examples=2)
    examples = result.tables["negative_examples"]
    slow = examples[examples["term"] == "slow"]
    assert slow["comment"].tolist() == ["slow reply, sorry.", "slow refund"]
    assert slow["answers"].tolist() == [4, 1]
    assert slow["surveys"].tolist() == ["csat, review", "nps"]
    assert slow["last_date"].tolist() == ["2026-10-20", "2026-10-15"]
    assert not examples.duplicated(["term", "comment"]).any()
    assert "negative_examples" not in themes(frame, redact=True).tables
