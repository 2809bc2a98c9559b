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
    assert words[words.doc == 0].form.tolist() == ["slow", "reply"]
    assert words[words.doc == 0].term.tolist() == ["slow", "repli"]   # Snowball English stem
    assert set(terms[terms.kind == "phrase"].form) == {"slow slow", "slow reply", "not answer"}


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


def test_inflections_fall_into_one_term_in_the_texts_own_language():
    # Snowball stems (snowballstemmer, checked against the published Snowball vocabularies):
    # Finnish lasku / laskun / laskua -> lasku; English refund / refunds / refunded -> refund.
    texts = pd.Series(["Laskun summa on väärin ja se on myöhässä",
                       "laskua ei ole tullut vaikka se on luvattu",
                       "lasku on taas väärin",
                       "The refunds are late and the refund is wrong",
                       "I was refunded twice for the same order"])
    terms = comment_terms(texts, frozenset())
    words = terms[terms["kind"] == "word"]
    assert set(words.loc[words["doc"] < 3, "term"]) >= {"lasku"}
    assert words.loc[words["form"].isin(["laskun", "laskua", "lasku"]), "term"].unique() == [
        "lasku"]
    assert words.loc[words["form"].str.startswith("refund"), "term"].unique() == ["refund"]


def test_themes_rank_by_distinctiveness_with_a_minimum_support():
    # 'please' and 'issue' are in every comment, negative or positive: common, not distinctive.
    # 'refund' is in 10 of 40 negatives and no positive; 'invoice' in one negative only
    # (below the support of max(2, 1 % of 40) = 2 texts) so it is not listed.
    rows = [("nps", 2, "please fix this issue refund")] * 10
    rows += [("nps", 3, "please look at this issue again")] * 29
    rows += [("nps", 1, "please issue invoice")]
    rows += [("nps", 10, "please issue solved nicely")] * 40
    words = themes(surveys(rows)).tables["negative_terms"]
    assert words["term"].iloc[0] in {"refund", "fix", "look", "again"}
    assert "invoice" not in set(words["term"])
    ranked = list(words["term"])
    assert ranked.index("refund") < ranked.index("please")
    please = words.set_index("term").loc["please"]
    assert please["negative"] == 40 and not please["distinctive"]
    assert words["z"].is_monotonic_decreasing


def tickets(rows, created="2026-10-10"):
    frame = pd.DataFrame(rows, columns=["type", "subject", "description"])
    frame["ticket_id"] = pd.Series([f"t{i}" for i in range(len(frame))], dtype="str")
    frame["created_at"] = pd.Timestamp(created, tz="UTC")
    for column in ("type", "subject", "description"):
        frame[column] = frame[column].astype("str")
    return frame


def test_ticket_text_gives_themes_by_type_and_themes_that_grew():
    now = tickets([("billing", "Invoice wrong", "The invoice amount is wrong")] * 15
                  + [("outage", "Service offline", "Our service is offline since morning")] * 20
                  + [("billing", "Question", "A question about my plan")] * 15)
    before = tickets([("billing", "Invoice wrong", "The invoice amount is wrong")] * 15
                     + [("billing", "Question", "A question about my plan")] * 34
                     + [("outage", "Service offline", "offline again")], created="2026-09-10")
    frame = pd.concat([now, before], ignore_index=True)
    result = themes(None, pd.Timestamp("2026-10-01", tz="UTC"),
                    pd.Timestamp("2026-11-01", tz="UTC"), tickets=frame,
                    previous_start=pd.Timestamp("2026-09-01", tz="UTC"))
    by_type = result.tables["ticket_themes_by_group"]
    # every outage ticket and no other says offline, service, since and morning: the top z
    # (20 of 20 against 0 of 30), shared; the billing words are in half its tickets only.
    outage = by_type[by_type["type"] == "outage"]
    assert set(outage["term"].iloc[:4]) == {"offline", "service", "since", "morning"}
    assert len(outage) == 4 and outage["z"].iloc[0] == outage["z"].iloc[3] > 1.96
    assert by_type.loc[by_type["type"] == "billing", "term"].iloc[0] in {"invoice", "wrong",
                                                                          "question", "amount",
                                                                          "plan"}
    grown = result.tables["ticket_themes_grown"].set_index("term")
    # 'offline' in 20 of 50 tickets now, 1 of 50 before.
    assert (grown.loc["offline", "now"], grown.loc["offline", "before"]) == (20, 1)
    assert bool(grown.loc["offline", "grew"])
    assert "question" not in grown.index or not grown.loc["question", "grew"]
