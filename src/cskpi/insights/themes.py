"""Themes in negative feedback: the words and two-word phrases that set complaints apart.

Negative: nps 0–6, csat 1–2, review 1–2. Positive: nps 9–10, csat 4–5, review 4–5. Only answers
with a comment count. A term is counted once per comment (document frequency).

What distinguishes negative from positive comments is the log-odds ratio with an informative
Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the prior spreads
PRIOR_STRENGTH pseudo-counts over the terms by their frequency in all feedback comments together,
and a term's z-score is the log-odds difference divided by its approximate standard deviation.
Terms are ranked by z, among those in at least MIN_SUPPORT_SHARE of the texts (two at least), so
words every text uses ("issue", "please") sink however often they occur; z ≥ 1.96 marks a term
that sets the texts apart.

Words are reduced to their Snowball stem (snowballstemmer: English, Finnish, Danish, Norwegian
Bokmål, Romanian; Latvian has no Snowball stemmer and is kept as written), in the language whose
stop words the text uses most, so "laskun", "laskua" and "lasku" are one term; each term is
shown in its most frequent written form.

Ticket text (subject, description and tags, when the tickets carry them) gives two more views:
terms that set each ticket type (or agent) apart from the other tickets, and terms that grew
since the previous period of the same length. Negative survey comments get the second too.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from cskpi.insights.result import Insight, not_available

LANGUAGES = ("en", "fi", "da", "no", "ro", "lv")
SNOWBALL = {"en": "english", "fi": "finnish", "da": "danish", "no": "norwegian", "ro": "romanian"}
MIN_SUPPORT_SHARE = 0.01  # a theme appears in at least 1 % of the texts (and in two of them)
MIN_GROUP_TEXTS = 10  # a type or agent with fewer tickets has no themes of its own
TICKET_TEXT = ("subject", "description", "tags")
NEGATIVE = {"nps": (0, 6), "csat": (1, 2), "review": (1, 2)}
POSITIVE = {"nps": (9, 10), "csat": (4, 5), "review": (4, 5)}
TOKEN = r"[^\W\d_]{2,}"  # letters only, two or more, any alphabet
Z_DISTINCT = 1.96
PRIOR_STRENGTH = 100.0  # α0: enough to calm rare terms, small beside real comment volumes


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


@cache
def _stemmer(lang: str):
    import snowballstemmer

    return snowballstemmer.stemmer(SNOWBALL[lang])


def text_language(
    tokens: pd.Series, langs: tuple[str, ...] = LANGUAGES, default: str = "en"
) -> pd.Series:
    """Per text (the index of ``tokens``): the language whose stop words it uses most."""
    hits = pd.DataFrame({lang: tokens.isin(list(stopwords(lang))) for lang in langs})
    per_text = hits.groupby(level=0).sum()
    best = per_text.idxmax(axis=1)
    return best.where(per_text.max(axis=1) > 0, default)


def stems(tokens: pd.Series, language: pd.Series) -> pd.Series:
    """Snowball stem of each token in its text's language (unchanged without a stemmer)."""
    lang = language.reindex(tokens.index).to_numpy()
    out = tokens.copy()
    for code in SNOWBALL:
        mine = lang == code
        if mine.any():
            unique = pd.unique(tokens[mine])
            table = dict(zip(unique, _stemmer(code).stemWords(list(unique)), strict=True))
            out[mine] = tokens[mine].map(table)
    return out


def comment_terms(
    comments: pd.Series,
    stop: frozenset[str],
    *,
    stem: bool = True,
    langs: tuple[str, ...] = LANGUAGES,
) -> pd.DataFrame:
    """One row per (comment index, term) for words and two-word phrases, each once per comment.

    ``term`` is the stem (or the word without stemming), ``form`` the word as written.
    """
    tokens = comments.str.lower().str.findall(TOKEN).explode().dropna()
    keys = stems(tokens, text_language(tokens, langs)) if stem and not tokens.empty else tokens
    kept = ~tokens.isin(list(stop))
    tokens, keys = tokens[kept], keys[kept]
    doc = tokens.index.to_numpy()
    words = tokens.to_numpy(dtype=object)
    key = keys.to_numpy(dtype=object)
    # Phrases join neighbours left after stop words go, so "not the answer" gives "not answer".
    same_doc = doc[1:] == doc[:-1]
    frame = pd.concat(
        [
            pd.DataFrame({"doc": doc, "term": key, "form": words, "kind": "word"}),
            pd.DataFrame(
                {
                    "doc": doc[1:][same_doc],
                    "term": key[:-1][same_doc] + " " + key[1:][same_doc],
                    "form": words[:-1][same_doc] + " " + words[1:][same_doc],
                    "kind": "phrase",
                }
            ),
        ],
        ignore_index=True,
    )
    return frame.drop_duplicates(["doc", "term"])


def written_forms(terms: pd.DataFrame) -> pd.Series:
    """Each term's most frequent written form (ties: the first in alphabetical order)."""
    counted = terms.groupby(["term", "form"]).size().rename("n").reset_index()
    counted = counted.sort_values(["term", "n", "form"], ascending=[True, False, True])
    return counted.drop_duplicates("term").set_index("term")["form"]


def min_support(texts: int) -> int:
    return max(2, math.ceil(MIN_SUPPORT_SHARE * texts)) if texts >= 20 else 1


def distinctive_terms(
    terms: pd.DataFrame,
    inside: pd.Series,
    *,
    top: int,
    labels: tuple[str, str] = ("negative", "positive"),
) -> pd.DataFrame:
    """Terms of the texts where ``inside`` (indexed by doc) is True against the others.

    Ranked by z among terms in at least :func:`min_support` of the inside texts; columns term,
    the two counts (texts holding the term), their shares (%), z and distinctive (z ≥ 1.96).
    """
    here, there = labels
    mask = inside.reindex(terms["doc"]).fillna(False).to_numpy(dtype=bool)
    n_in, n_out = int(inside.sum()), int((~inside).sum())
    scored = log_odds_dirichlet(
        terms.loc[mask, "term"].value_counts(), terms.loc[~mask, "term"].value_counts()
    )
    scored = scored.rename(columns={"negative": here, "positive": there})
    scored = scored[scored[here] >= min_support(n_in)]
    scored[f"{here}_share"] = np.round(100 * scored[here] / max(n_in, 1), 1)
    scored[f"{there}_share"] = np.round(100 * scored[there] / n_out, 1) if n_out else np.nan
    scored["distinctive"] = scored["z"] >= Z_DISTINCT
    ranked = scored.sort_values(["z", here], ascending=False, kind="stable").head(top)
    table = ranked.rename_axis("term").reset_index()
    table["stem"] = table["term"]
    table["term"] = written_forms(terms).reindex(table["stem"]).to_numpy()
    table[[here, there]] = table[[here, there]].astype("int64")
    table["z"] = table["z"].round(2)
    return table[
        ["term", here, there, f"{here}_share", f"{there}_share", "z", "distinctive", "stem"]
    ]


def log_odds_dirichlet(
    neg: pd.Series, pos: pd.Series, strength: float = PRIOR_STRENGTH
) -> pd.DataFrame:
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


def themes(
    surveys: pd.DataFrame | None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    *,
    top: int = 15,
    examples: int = 3,
    redact: bool = False,
    langs: tuple[str, ...] = LANGUAGES,
    tz: str = "UTC",
    tickets: pd.DataFrame | None = None,
    by: str = "type",
    previous_start: pd.Timestamp | None = None,
    stem: bool = True,
) -> Insight:
    """Distinctive terms of negative feedback with example comments; themes of ticket text by
    ``by`` (type or agent_id) and terms that grew since [previous_start, start)."""
    result = Insight("themes")
    stop = all_stopwords(langs)
    result.meta.update(
        method="log-odds ratio with informative Dirichlet prior "
        f"(α0 = {PRIOR_STRENGTH:g} spread by pooled frequencies), ranked by z; "
        f"Snowball stems{'' if stem else ' off'}"
    )
    _survey_themes(
        result, surveys, start, end, top, examples, redact, langs, tz, stop, previous_start, stem
    )
    _ticket_themes(result, tickets, start, end, top, by, langs, stop, previous_start, stem)
    return result


def _in(
    frame: pd.DataFrame, column: str, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> pd.DataFrame:
    if start is None or end is None:
        return frame
    return frame[(frame[column] >= start) & (frame[column] < end)]


def _survey_themes(
    result: Insight,
    surveys: pd.DataFrame | None,
    start,
    end,
    top: int,
    examples: int,
    redact: bool,
    langs: tuple[str, ...],
    tz: str,
    stop: frozenset[str],
    previous_start,
    stem: bool,
) -> None:
    if surveys is None:
        result.notes.append(not_available("survey themes: no surveys table was loaded"))
        return
    if "comment" not in surveys.columns:
        result.notes.append(not_available("survey themes: surveys have no comment column"))
        return
    toned = surveys.assign(tone=feedback_tone(surveys))
    toned = toned[toned["tone"].notna() & toned["comment"].str.strip().ne("").fillna(False)]
    frame = _in(toned, "submitted_at", start, end)
    negative = frame[frame["tone"] == "negative"]
    if negative.empty:
        result.notes.append(not_available("no negative feedback with a comment in the period"))
        return
    texts = frame["comment"].reset_index(drop=True)
    terms = comment_terms(texts, stop, stem=stem, langs=langs)
    tone = frame["tone"].reset_index(drop=True)
    n_neg, n_pos = int((tone == "negative").sum()), int((tone == "positive").sum())
    result.meta.update(negative_comments=n_neg, positive_comments=n_pos)
    for kind, key in (("word", "negative_terms"), ("phrase", "negative_phrases")):
        result.tables[key] = distinctive_terms(
            terms[terms["kind"] == kind], tone == "negative", top=top
        )
    if n_pos == 0:
        result.notes.append(
            "no positive feedback with a comment: nothing to compare with, so "
            "every z is the same and the order says little"
        )
    if previous_start is not None and start is not None:
        before = _in(toned, "submitted_at", previous_start, start)
        grown = _grown(
            negative["comment"],
            before.loc[before["tone"] == "negative", "comment"],
            stop,
            top,
            langs,
            stem,
        )
        if grown is None:
            result.notes.append(
                not_available(
                    "survey themes that grew: no negative comments in the previous period"
                )
            )
        else:
            result.tables["negative_terms_grown"] = grown
    if not redact:
        result.tables["negative_examples"] = _examples(
            negative, result.tables["negative_terms"], examples, tz
        )


def ticket_text(tickets: pd.DataFrame) -> pd.Series:
    """Subject, description and tags of each ticket joined into one text."""
    parts = [tickets[c].astype("str").fillna("") for c in TICKET_TEXT if c in tickets.columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " " + part
    return joined.str.strip()


def _grown(
    now: pd.Series,
    before: pd.Series,
    stop: frozenset[str],
    top: int,
    langs: tuple[str, ...],
    stem: bool,
) -> pd.DataFrame | None:
    """Words in more of the current texts than of the previous period's (z ≥ 1.96 grew)."""
    now, before = now[now.str.strip() != ""], before[before.str.strip() != ""]
    if before.empty or now.empty:
        return None
    texts = pd.concat([now, before], ignore_index=True)
    inside = pd.Series(np.arange(len(texts)) < len(now))
    terms = comment_terms(texts, stop, stem=stem, langs=langs)
    table = distinctive_terms(
        terms[terms["kind"] == "word"], inside, top=len(terms), labels=("now", "before")
    )
    rising = table[table["z"] > 0].head(top).reset_index(drop=True)  # more common than before
    return rising.rename(columns={"distinctive": "grew"})


def _ticket_themes(
    result: Insight,
    tickets: pd.DataFrame | None,
    start,
    end,
    top: int,
    by: str,
    langs: tuple[str, ...],
    stop: frozenset[str],
    previous_start,
    stem: bool,
) -> None:
    if tickets is None or not any(c in tickets.columns for c in TICKET_TEXT):
        if tickets is not None:
            result.notes.append(
                not_available("ticket themes: tickets have no subject, description or tags")
            )
        return
    frame = _in(tickets, "created_at", start, end)
    text = ticket_text(frame)
    frame, text = frame[text != ""], text[text != ""]
    if frame.empty:
        result.notes.append(not_available("ticket themes: no ticket text in the period"))
        return
    result.meta.update(ticket_texts=len(frame))
    if by in frame.columns:
        groups = frame[by].fillna("(none)").astype("str").reset_index(drop=True)
        terms = comment_terms(text.reset_index(drop=True), stop, stem=stem, langs=langs)
        terms = terms[terms["kind"] == "word"]
        sizes = groups.value_counts()
        parts = [
            distinctive_terms(terms, groups == group, top=top, labels=("group", "others")).assign(
                **{by: group, "tickets": int(size)}
            )
            for group, size in sizes[sizes >= MIN_GROUP_TEXTS].items()
            if size < len(groups)
        ]
        if parts:
            table = pd.concat(parts, ignore_index=True)
            result.tables["ticket_themes_by_group"] = table[
                [by, "tickets", *[c for c in table.columns if c not in (by, "tickets")]]
            ]
        else:
            result.notes.append(
                not_available(
                    f"ticket themes by {by}: no two groups with {MIN_GROUP_TEXTS} tickets or more"
                )
            )
    else:
        result.notes.append(not_available(f"ticket themes by {by}: tickets have no {by} column"))
    if previous_start is not None and start is not None:
        before = ticket_text(_in(tickets, "created_at", previous_start, start))
        grown = _grown(text, before, stop, top, langs, stem)
        if grown is None:
            result.notes.append(
                not_available("ticket themes that grew: no ticket text in the previous period")
            )
        else:
            result.tables["ticket_themes_grown"] = grown


EXAMPLE_COLUMNS = ["term", "comment", "answers", "surveys", "last_date"]


def _examples(
    negative: pd.DataFrame, top_terms: pd.DataFrame, per_term: int, tz: str = "UTC"
) -> pd.DataFrame:
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
        [
            pd.DataFrame(
                {
                    "term": term,
                    "rank": rank,
                    "key": key,
                    "comment": text,
                    "survey": newest_first["survey"],
                    "at": newest_first["submitted_at"],
                }
            )[key.str.contains(rf"\b{term}\b", regex=True).fillna(False).to_numpy(dtype=bool)]
            for rank, term in enumerate(lead)
        ],
        ignore_index=True,
    )
    if hits.empty:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    per_text = hits.groupby(["rank", "term", "key"], sort=False).agg(
        comment=("comment", "first"), answers=("comment", "size"), latest=("at", "max")
    )
    surveys = (
        hits.drop_duplicates(["rank", "key", "survey"])
        .sort_values("survey")
        .groupby(["rank", "term", "key"])["survey"]
        .agg(", ".join)
    )
    per_text["surveys"] = surveys.reindex(per_text.index)
    shown = (
        per_text.reset_index()
        .sort_values(["rank", "latest"], ascending=[True, False], kind="stable")
        .groupby("rank")
        .head(per_term)
    )
    shown["answers"] = shown["answers"].astype("int64")
    shown["last_date"] = shown["latest"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d")
    return shown[EXAMPLE_COLUMNS].reset_index(drop=True)
