"""Themes in negative feedback: the words and two-word phrases that set complaints apart.

Negative: nps 0–6, csat 1–2, review 1–2. Positive: nps 9–10, csat 4–5, review 4–5. Only answers
with a comment count. A term is counted once per comment (document frequency).

What distinguishes negative from positive comments is the log-odds ratio with an informative
Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the prior spreads
PRIOR_STRENGTH pseudo-counts over the terms by their frequency in all feedback comments together,
and a term's z-score is the log-odds difference divided by its approximate standard deviation.
z ≥ 1.96 marks a term that sets negative feedback apart.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from cskpi.insights.result import Insight, not_available

LANGUAGES = ("en", "fi", "da", "no", "ro", "lv")
NEGATIVE = {"nps": (0, 6), "csat": (1, 2), "review": (1, 2)}
POSITIVE = {"nps": (9, 10), "csat": (4, 5), "review": (4, 5)}
TOKEN = r"[^\W\d_]{2,}"   # letters only, two or more, any alphabet
Z_DISTINCT = 1.96
PRIOR_STRENGTH = 100.0   # α0: enough to calm rare terms, small beside real comment volumes


@cache
def stopwords(lang: str) -> frozenset[str]:
    text = resources.files("cskpi.insights").joinpath("stopwords", f"{lang}.txt").read_text("utf-8")
    words = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(w for line in words for w in line.split())


def all_stopwords(langs: tuple[str, ...] = LANGUAGES) -> frozenset[str]:
    return frozenset().union(*(stopwords(lang) for lang in langs))


def feedback_tone(surveys: pd.DataFrame) -> pd.Series:
    """'negative', 'positive' or NA per survey answer."""
    tone = pd.Series(pd.NA, index=surveys.index, dtype="str")
    kind = surveys["survey"].str.strip().str.lower()
    for label, bands in (("negative", NEGATIVE), ("positive", POSITIVE)):
        for survey, (low, high) in bands.items():
            hit = kind.eq(survey).fillna(False) & surveys["score"].between(low, high)
            tone = tone.mask(hit.to_numpy(dtype=bool), label)
    return tone


def comment_terms(comments: pd.Series, stop: frozenset[str]) -> pd.DataFrame:
    """One row per (comment index, term) for words and two-word phrases, each once per comment."""
    tokens = comments.str.lower().str.findall(TOKEN).explode().dropna()
    tokens = tokens[~tokens.isin(list(stop))]
    doc = tokens.index.to_numpy()
    words = tokens.to_numpy(dtype=object)
    # Phrases join neighbours left after stop words go, so "not the answer" gives "not answer".
    same_doc = doc[1:] == doc[:-1]
    phrases = pd.Series(words[:-1][same_doc] + " " + words[1:][same_doc], index=doc[1:][same_doc])
    frame = pd.concat([
        pd.DataFrame({"doc": doc, "term": words, "kind": "word"}),
        pd.DataFrame({"doc": phrases.index, "term": phrases.to_numpy(), "kind": "phrase"}),
    ], ignore_index=True)
    return frame.drop_duplicates(["doc", "term"])


def log_odds_dirichlet(neg: pd.Series, pos: pd.Series,
                       strength: float = PRIOR_STRENGTH) -> pd.DataFrame:
    """Monroe et al. log-odds ratio (negative vs positive), prior from the pooled frequencies."""
    counts = pd.DataFrame({"negative": neg, "positive": pos}).fillna(0.0)
    pooled = counts["negative"] + counts["positive"]
    prior = strength * pooled / pooled.sum()
    a0 = strength
    n_neg, n_pos = counts["negative"].sum(), counts["positive"].sum()
    odds_neg = np.log((counts["negative"] + prior) / (n_neg + a0 - counts["negative"] - prior))
    odds_pos = np.log((counts["positive"] + prior) / (n_pos + a0 - counts["positive"] - prior))
    delta = odds_neg - odds_pos
    variance = 1 / (counts["negative"] + prior) + 1 / (counts["positive"] + prior)
    counts["log_odds"] = delta
    counts["z"] = delta / np.sqrt(variance)
    return counts


def themes(surveys: pd.DataFrame | None, start: pd.Timestamp | None = None,
           end: pd.Timestamp | None = None, *, top: int = 15, examples: int = 3,
           redact: bool = False, langs: tuple[str, ...] = LANGUAGES, tz: str = "UTC") -> Insight:
    """Frequent and distinguishing terms of negative feedback, with example comments."""
    result = Insight("themes")
    if surveys is None:
        result.notes.append(not_available("no surveys table was loaded"))
        return result
    if "comment" not in surveys.columns:
        result.notes.append(not_available("surveys have no comment column"))
        return result
    frame = surveys
    if start is not None and end is not None:
        frame = frame[(frame["submitted_at"] >= start) & (frame["submitted_at"] < end)]
    frame = frame.assign(tone=feedback_tone(frame))
    frame = frame[frame["tone"].notna() & frame["comment"].str.strip().ne("").fillna(False)]
    negative = frame[frame["tone"] == "negative"]
    if negative.empty:
        result.notes.append(not_available("no negative feedback with a comment in the period"))
        return result
    terms = comment_terms(frame["comment"].reset_index(drop=True), all_stopwords(langs))
    tone = frame["tone"].reset_index(drop=True)
    terms["tone"] = tone.reindex(terms["doc"]).to_numpy()
    n_neg, n_pos = int((tone == "negative").sum()), int((tone == "positive").sum())
    result.meta.update(negative_comments=n_neg, positive_comments=n_pos,
                       method="log-odds ratio with informative Dirichlet prior "
                       f"(α0 = {PRIOR_STRENGTH:g} spread by pooled frequencies)")
    for kind, key in (("word", "negative_terms"), ("phrase", "negative_phrases")):
        subset = terms[terms["kind"] == kind]
        neg = subset[subset["tone"] == "negative"]["term"].value_counts()
        pos = subset[subset["tone"] == "positive"]["term"].value_counts()
        scored = log_odds_dirichlet(neg, pos)
        scored["negative_share"] = np.round(100 * scored["negative"] / n_neg, 1)
        scored["positive_share"] = (np.round(100 * scored["positive"] / n_pos, 1) if n_pos
                                    else np.nan)
        scored["distinctive"] = scored["z"] >= Z_DISTINCT
        scored = scored[scored["negative"] >= 2 if n_neg >= 20 else scored["negative"] >= 1]
        top_terms = scored.sort_values(["negative", "z"], ascending=False, kind="stable").head(top)
        table = top_terms.rename_axis("term").reset_index()
        table[["negative", "positive"]] = table[["negative", "positive"]].astype("int64")
        table["z"] = table["z"].round(2)
        result.tables[key] = table.drop(columns=["log_odds"])
    if n_pos == 0:
        result.notes.append("no positive feedback with a comment: terms are ranked by frequency "
                            "only, nothing to compare with")
    if not redact:
        result.tables["negative_examples"] = _examples(negative, result.tables["negative_terms"],
                                                       examples, tz)
    return result


EXAMPLE_COLUMNS = ["term", "comment", "answers", "surveys", "last_date"]


def _examples(negative: pd.DataFrame, top_terms: pd.DataFrame, per_term: int,
              tz: str = "UTC") -> pd.DataFrame:
    """Up to ``per_term`` distinct comments for each of the five most distinctive negative words.

    Answers whose comments differ only in case or spacing count as one text (templated replies
    and the same answer in several surveys repeat it); each text is shown once per term, most
    recent first, with how many answers carried it, in which surveys and when it was last given.
    """
    lead = list(top_terms.sort_values("z", ascending=False, kind="stable").head(5)["term"])
    newest_first = negative.sort_values("submitted_at", ascending=False, kind="stable")
    text = newest_first["comment"].str.strip().str.replace(r"\s+", " ", regex=True)
    key = text.str.lower()
    hits = pd.concat(
        [pd.DataFrame({"term": term, "rank": rank, "key": key, "comment": text,
                       "survey": newest_first["survey"], "at": newest_first["submitted_at"]})
         [key.str.contains(rf"\b{term}\b", regex=True).fillna(False).to_numpy(dtype=bool)]
         for rank, term in enumerate(lead)], ignore_index=True)
    if hits.empty:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    per_text = hits.groupby(["rank", "term", "key"], sort=False).agg(
        comment=("comment", "first"), answers=("comment", "size"), latest=("at", "max"))
    surveys = (hits.drop_duplicates(["rank", "key", "survey"]).sort_values("survey")
               .groupby(["rank", "term", "key"])["survey"].agg(", ".join))
    per_text["surveys"] = surveys.reindex(per_text.index)
    shown = (per_text.reset_index()
             .sort_values(["rank", "latest"], ascending=[True, False], kind="stable")
             .groupby("rank").head(per_term))
    shown["answers"] = shown["answers"].astype("int64")
    shown["last_date"] = shown["latest"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d")
    return shown[EXAMPLE_COLUMNS].reset_index(drop=True)
