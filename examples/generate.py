"""Generate cskpi's example data: two months (2026-09, 2026-10) of a small Finnish support team.

    python examples/generate.py [--out examples/data]

Fixed seed and no clock or locale input, so every run writes byte-identical files. All six
canonical tables are written under their canonical column names, each in a dialect a real export
would have:

- tickets.csv        helpdesk export, ISO 8601 local time with offset (Europe/Helsinki)
- calls/2026-MM.csv  telephony export per month in the European Excel dialect: `;`, decimal comma,
                     `dd.mm.yyyy HH:MM:SS` local time, UTF-8 with BOM, TRUE/FALSE, CRLF
- surveys.csv        survey tool export in long form, UTC timestamps (`Z`)
- costs.csv, agents.csv, revenue.csv  finance sheets
- cskpi.toml         currency, thresholds, SLA, business hours and targets
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261001
TZ = "Europe/Helsinki"
MONTHS = ("2026-09", "2026-10")
START = pd.Timestamp("2026-09-01", tz=TZ)
# The exports were taken at midnight after the last month: later events are not in them yet.
EXPORT_AT = pd.Timestamp("2026-11-01", tz=TZ)

AGENTS = pd.DataFrame(
    {
        "agent_id": ["A101", "A102", "A103", "A104", "A105", "A201", "A202", "A203"],
        "team": ["Aurora"] * 5 + ["Borealis"] * 3,
        # > 1 = slower than the team; A104 is new this autumn, A201 is the senior specialist.
        "speed": [1.0, 0.8, 1.2, 1.7, 0.9, 0.7, 1.0, 1.1],
        "quality": [0.2, 0.4, 0.0, -0.5, 0.1, 0.6, 0.2, 0.0],
        "monthly_wage": [3250, 3400, 3150, 2900, 3300, 4100, 3800, 3700],
    }
)

N_CUSTOMERS = 420
SEGMENTS = np.array(["enterprise", "smb", "consumer"])

CHANNELS = np.array(["email", "chat", "web", "phone"])
TYPES = np.array(["billing", "technical", "account", "delivery", "returns"])
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
QUEUES = np.array(["billing", "technical", "general"])

COMMENTS_GOOD = np.array(
    [
        "Quick and friendly help, thank you!",
        "Solved on the first reply.",
        "Very clear instructions.",
        "The agent knew exactly what to do.",
        "Kiitos nopeasta avusta!",
        "Great service as always.",
    ]
)
COMMENTS_MID = np.array(
    [
        "Took a while but it was sorted in the end.",
        "OK, though I had to explain the issue twice.",
        "Fine.",
        "Ihan ok, vastaus olisi voinut tulla nopeammin.",
    ]
)
COMMENTS_BAD = np.array(
    [
        "Waited far too long for an answer.",
        "Still not fixed after three emails.",
        "I was transferred twice and nobody could help.",
        "The invoice is still wrong.",
        "Odotin vastausta yli viikon.",
        "Nobody called me back as promised.",
    ]
)


# ---------------------------------------------------------------- time helpers


def _localize(naive: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Local wall-clock times → aware; a repeated hour takes standard time, a skipped one moves."""
    return naive.tz_localize(
        TZ, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
    )


def _arrivals(
    rng: np.random.Generator, n: int, hour_weights: np.ndarray, weekend_weight: float
) -> pd.DatetimeIndex:
    """n arrival instants over both months, shaped by hour of day and weekday."""
    days = pd.date_range("2026-09-01", "2026-10-31", freq="D")
    day_w = np.where(days.day_of_week >= 5, weekend_weight, 1.0)
    day = rng.choice(len(days), size=n, p=day_w / day_w.sum())
    hour = rng.choice(24, size=n, p=hour_weights / hour_weights.sum())
    seconds = rng.integers(0, 3600, size=n)
    naive = days[day] + pd.to_timedelta(hour * 3600 + seconds, unit="s")
    return _localize(pd.DatetimeIndex(np.sort(naive.values)))


def _next_opening(ts: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The instant support next works on a contact: itself in office hours, else the next 08:00."""
    local = ts.tz_convert(TZ)
    naive = local.tz_localize(None)
    wd, hour = naive.day_of_week.values, naive.hour.values
    open_now = (wd < 5) & (hour >= 8) & (hour < 17)
    day = naive.normalize()
    target = np.where((wd < 5) & (hour < 8), day, day + pd.Timedelta(days=1))
    target = pd.DatetimeIndex(target)
    target = target + pd.to_timedelta(
        np.select([target.day_of_week == 5, target.day_of_week == 6], [2, 1], 0), unit="D"
    )
    opening = _localize(target + pd.Timedelta(hours=8)).tz_convert("UTC")
    return ts.tz_convert("UTC").where(open_now, opening)


def _hours(values: np.ndarray) -> pd.TimedeltaIndex:
    return pd.to_timedelta(np.round(values * 3600), unit="s")


def _iso_local(ts: pd.Series) -> pd.Series:
    """ISO 8601 in Helsinki wall-clock time with its offset, empty when missing."""
    local = ts.dt.tz_convert(TZ)
    offset_h = (
        local.dt.tz_localize(None) - ts.dt.tz_convert("UTC").dt.tz_localize(None)
    ).dt.total_seconds() // 3600
    text = (
        local.dt.strftime("%Y-%m-%dT%H:%M:%S")
        + "+0"
        + offset_h.fillna(0).astype(int).astype(str)
        + ":00"
    )
    return text.where(ts.notna(), "")


def _excel_local(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert(TZ).dt.strftime("%d.%m.%Y %H:%M:%S").where(ts.notna(), "")


def _iso_utc(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(ts.notna(), "")


def _int_text(values: np.ndarray) -> np.ndarray:
    text = np.char.mod("%d", np.nan_to_num(values).astype(np.int64))
    return np.where(np.isnan(values), "", text)


def _decimal_comma(values: np.ndarray, decimals: int = 1) -> np.ndarray:
    text = np.char.replace(np.char.mod(f"%.{decimals}f", np.nan_to_num(values)), ".", ",")
    return np.where(np.isnan(values), "", text)


def _bool_text(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known, np.where(values, "TRUE", "FALSE"), "")


def _cap(ts: pd.Series) -> pd.Series:
    """Events after the export was taken are not in it."""
    return ts.where(ts < EXPORT_AT)


# ---------------------------------------------------------------- tables


def make_customers(rng: np.random.Generator) -> pd.DataFrame:
    segment = rng.choice(SEGMENTS, size=N_CUSTOMERS, p=[0.06, 0.30, 0.64])
    # How often a customer needs support: heavy-tailed, so a few customers contact us a lot.
    contact_weight = rng.pareto(1.6, size=N_CUSTOMERS) + 0.2
    return pd.DataFrame(
        {
            "customer_id": [f"CUS-{i:05d}" for i in range(1, N_CUSTOMERS + 1)],
            "segment": segment,
            "contact_weight": contact_weight,
        }
    )


def make_tickets(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    hour_w = np.array(
        [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 15, 13, 15, 15, 14, 12, 9, 7, 6, 5, 4, 3, 2],
        dtype=float,
    )
    created = _arrivals(rng, 2950, hour_w, weekend_weight=0.35).tz_convert("UTC")
    n = len(created)
    channel = rng.choice(CHANNELS, size=n, p=[0.45, 0.25, 0.20, 0.10])
    ttype = rng.choice(TYPES, size=n, p=[0.30, 0.28, 0.16, 0.16, 0.10])
    priority = rng.choice(PRIORITIES, size=n, p=[0.22, 0.53, 0.18, 0.07])

    to_tier2 = np.where(ttype == "technical", rng.random(n) < 0.7, rng.random(n) < 0.12)
    agent_idx = np.where(
        to_tier2,
        rng.choice([5, 6, 7], size=n),
        rng.choice(5, size=n, p=[0.22, 0.24, 0.2, 0.14, 0.2]),
    )
    agent = AGENTS.iloc[agent_idx]
    speed = agent["speed"].to_numpy()

    cw = customers["contact_weight"].to_numpy()
    customer = customers["customer_id"].to_numpy()[rng.choice(N_CUSTOMERS, size=n, p=cw / cw.sum())]

    base_frt = (
        pd.Series(channel).map({"email": 3.5, "chat": 0.08, "web": 4.5, "phone": 0.5}).to_numpy()
    )
    prio_f = (
        pd.Series(priority).map({"low": 1.6, "normal": 1.0, "high": 0.6, "urgent": 0.25}).to_numpy()
    )
    frt_h = base_frt * prio_f * speed * rng.lognormal(0, 0.9, size=n)
    start_work = _next_opening(created)
    first_response = pd.Series(start_work + _hours(frt_h))
    never_answered = rng.random(n) < 0.035

    escalated = rng.random(n) < np.where(priority == "urgent", 0.25, 0.06)
    reopens = rng.choice([0, 1, 2], size=n, p=[0.9, 0.08, 0.02]).astype(float)
    extra_replies = rng.poisson(
        pd.Series(ttype)
        .map({"billing": 0.8, "technical": 1.6, "account": 0.7, "delivery": 0.9, "returns": 1.1})
        .to_numpy()
    )
    agent_replies = 1 + extra_replies + reopens + escalated

    res_base = (
        pd.Series(ttype)
        .map({"billing": 4, "technical": 12, "account": 3, "delivery": 7, "returns": 16})
        .to_numpy()
    )
    res_h = res_base * speed * rng.lognormal(0, 1.0, size=n) * (1 + 0.8 * extra_replies) * np.where(
        escalated, 2.5, 1.0
    ) + reopens * rng.uniform(24, 96, size=n)
    resolved = first_response + _hours(res_h)

    # Never answered: half closed as spam or duplicates, half still waiting.
    closed_silently = never_answered & (rng.random(n) < 0.5)
    first_response = _cap(first_response.where(~never_answered))
    resolved = resolved.where(~never_answered, pd.Series(created) + _hours(rng.uniform(1, 60, n)))
    resolved = _cap(resolved.where(~never_answered | closed_silently))
    answered = first_response.notna().to_numpy()
    agent_replies = np.where(answered, agent_replies, 0).astype(float)
    reopens = np.where(resolved.notna() | (agent_replies > 0), reopens, 0)

    created_s = pd.Series(created)
    updated = pd.concat([created_s, first_response, resolved], axis=1).max(axis=1) + _hours(
        rng.uniform(0, 2, n)
    )
    updated = updated.where(updated < EXPORT_AT, EXPORT_AT - pd.Timedelta(minutes=1))
    is_resolved = resolved.notna().to_numpy()
    status = np.select(
        [
            is_resolved & (resolved < EXPORT_AT - pd.Timedelta(days=4)).to_numpy(),
            is_resolved,
            ~answered,
            rng.random(n) < 0.6,
        ],
        ["closed", "solved", "new", "open"],
        "pending",
    )
    messages_in = 1 + np.maximum(agent_replies - 1, 0) + reopens + rng.poisson(0.3, n)

    frame = pd.DataFrame(
        {
            "ticket_id": np.char.mod("%d", 48000 + np.arange(1, n + 1)),
            "created_at": created_s,
            "first_response_at": first_response,
            "resolved_at": resolved,
            "status": status,
            "channel": channel,
            "type": ttype,
            "priority": priority,
            "agent_id": agent["agent_id"].to_numpy(),
            "team": agent["team"].to_numpy(),
            "customer_id": customer,
            "agent_replies": agent_replies,
            "reopens": reopens.astype(float),
            "updated_at": updated,
            "escalated": escalated,
            "messages_in": messages_in.astype(float),
            "messages_out": agent_replies,
        }
    )
    # A ticket nobody picked up has no assignee yet.
    unassigned = ~answered & ~is_resolved
    frame.loc[unassigned, ["agent_id", "team"]] = ""
    return frame


def make_calls(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    # The phone line is open Mon–Fri 08–17, busiest mid-morning and after lunch.
    hour_w = np.zeros(24)
    hour_w[8:17] = [10, 16, 17, 13, 9, 14, 13, 10, 7]
    n_in, n_out = 4200, 300
    queued = _arrivals(rng, n_in, hour_w, weekend_weight=0.0).tz_convert("UTC")
    load = (
        pd.Series(queued.tz_convert(TZ).hour)
        .map({8: 0.6, 9: 1.6, 10: 1.8, 11: 1.0, 12: 0.7, 13: 1.3, 14: 1.2, 15: 0.8, 16: 0.6})
        .to_numpy()
    )
    time_to_answer = rng.exponential(22, n_in) * load
    patience = rng.exponential(260, n_in)
    # Some callers hang up at once (wrong number, IVR menu): the short abandons.
    patience = np.where(rng.random(n_in) < 0.02, rng.uniform(0.5, 4.5, n_in), patience)
    is_answered = time_to_answer <= patience
    wait = np.round(np.where(is_answered, time_to_answer, patience))
    # The switch lost the end time of a few abandoned calls.
    ended_known = is_answered | (rng.random(n_in) < 0.97)

    out_queued = _arrivals(rng, n_out, hour_w, weekend_weight=0.0).tz_convert("UTC")
    out_answered = rng.random(n_out) < 0.75
    out_wait = np.round(rng.uniform(8, 30, n_out))

    n = n_in + n_out
    queued_all = pd.Series(queued.append(out_queued))
    answered = np.concatenate([is_answered, out_answered])
    wait_all = np.concatenate([wait, out_wait])
    direction = np.array(["inbound"] * n_in + ["outbound"] * n_out)
    queue = np.concatenate([rng.choice(QUEUES, n_in, p=[0.35, 0.4, 0.25]), np.full(n_out, "")])

    agent_idx = np.where(queue == "technical", rng.choice([5, 6, 7], n), rng.choice(5, n))
    agent_idx = np.where(direction == "outbound", rng.choice(8, n), agent_idx)
    agent = AGENTS.iloc[agent_idx]
    speed = agent["speed"].to_numpy()

    talk = np.round(rng.lognormal(np.log(250), 0.6, n) * speed, 1)
    hold = np.where(rng.random(n) < 0.3, np.round(rng.lognormal(np.log(45), 0.7, n), 1), 0.0)
    wrap = np.round(rng.lognormal(np.log(35), 0.5, n) * speed, 1)
    talk, hold, wrap = (np.where(answered, x, np.nan) for x in (talk, hold, wrap))
    ended_known = np.concatenate([ended_known, np.ones(n_out, dtype=bool)])
    answered_at = queued_all + pd.to_timedelta(wait_all, unit="s")
    # Answered: the call ends after talk and hold; abandoned: when the caller gave up.
    in_call = np.where(answered, np.nan_to_num(talk + hold), 0.0)
    ended_at = answered_at + pd.to_timedelta(in_call, unit="s")

    cw = customers["contact_weight"].to_numpy()
    customer = customers["customer_id"].to_numpy()[rng.choice(N_CUSTOMERS, size=n, p=cw / cw.sum())]
    identified = (rng.random(n) < 0.85) | (direction == "outbound")

    frame = pd.DataFrame(
        {
            "call_id": np.char.mod("CL%06d", 310000 + np.arange(1, n + 1)),
            "queued_at": queued_all,
            "answered_at": answered_at.where(answered),
            "ended_at": ended_at.where(ended_known),
            "talk_seconds": talk,
            "hold_seconds": hold,
            "wrap_seconds": wrap,
            "direction": direction,
            "agent_id": np.where(answered, agent["agent_id"].to_numpy(), ""),
            "queue": queue,
            "customer_id": np.where(identified, customer, ""),
            "resolved": np.where(answered, rng.random(n) < 0.72, False),
            "transferred": np.where(answered, rng.random(n) < 0.08, False),
            "answered": answered,
        }
    )
    return frame.sort_values(["queued_at", "call_id"], kind="stable").reset_index(drop=True)


def _score_from_latent(latent: np.ndarray, cuts: list[float], low: int) -> np.ndarray:
    return (np.searchsorted(np.array(cuts), latent) + low).astype(float)


def _comments(
    rng: np.random.Generator, good: np.ndarray, bad: np.ndarray, share: float
) -> np.ndarray:
    n = len(good)
    text = np.select(
        [good, bad],
        [rng.choice(COMMENTS_GOOD, n), rng.choice(COMMENTS_BAD, n)],
        rng.choice(COMMENTS_MID, n),
    )
    return np.where(rng.random(n) < share, text, "")


def make_surveys(
    rng: np.random.Generator, tickets: pd.DataFrame, calls: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    quality = AGENTS.set_index("agent_id")["quality"]

    # Post-resolution survey on tickets: csat (overall, agent_skill, knowledge), often nps, some ces
    t = tickets[tickets["resolved_at"].notna() & (tickets["agent_replies"] > 0)]
    t = t[rng.random(len(t)) < 0.27]
    res_h = (t["resolved_at"] - t["created_at"]).dt.total_seconds().to_numpy() / 3600
    fcr = ((t["agent_replies"] == 1) & (t["reopens"] == 0)).to_numpy()
    latent_t = (
        1.4
        + quality.reindex(t["agent_id"]).fillna(0).to_numpy()
        - 0.35 * np.log1p(res_h)
        + 0.5 * fcr
        - 0.6 * t["escalated"].to_numpy()
        + rng.normal(0, 0.9, len(t))
    )
    ticket_links = pd.DataFrame(
        {
            "submitted_at": t["resolved_at"].array
            + _hours(rng.lognormal(np.log(3), 1.0, len(t))).array,
            "ticket_id": t["ticket_id"].to_numpy(),
            "call_id": "",
            "customer_id": t["customer_id"].to_numpy(),
            "agent_id": t["agent_id"].to_numpy(),
            "channel": t["channel"].to_numpy(),
            "latent": latent_t,
            "with_nps": rng.random(len(t)) < 0.45,
            "with_ces": rng.random(len(t)) < 0.3,
            "with_detail": np.ones(len(t), dtype=bool),
        }
    )

    # Post-call IVR survey on answered inbound calls: csat overall and nps.
    c = calls[calls["answered"] & (calls["direction"] == "inbound")]
    c = c[rng.random(len(c)) < 0.14]
    latent_c = (
        1.2
        + quality.reindex(c["agent_id"]).fillna(0).to_numpy()
        + 0.6 * c["resolved"].to_numpy()
        - 0.7 * c["transferred"].to_numpy()
        + rng.normal(0, 0.9, len(c))
    )
    call_links = pd.DataFrame(
        {
            "submitted_at": c["ended_at"].array
            + pd.to_timedelta(rng.uniform(30, 300, len(c)), unit="s").array,
            "ticket_id": "",
            "call_id": c["call_id"].to_numpy(),
            "customer_id": c["customer_id"].to_numpy(),
            "agent_id": c["agent_id"].to_numpy(),
            "channel": "phone",
            "latent": latent_c,
            "with_nps": np.ones(len(c), dtype=bool),
            "with_ces": np.zeros(len(c), dtype=bool),
            "with_detail": np.zeros(len(c), dtype=bool),
        }
    )
    linked = pd.concat([ticket_links, call_links], ignore_index=True)
    linked["submitted_at"] = pd.to_datetime(linked["submitted_at"], utc=True).dt.floor("s")
    linked = linked[linked["submitted_at"] < EXPORT_AT].sort_values("submitted_at", kind="stable")
    linked = linked.reset_index(drop=True)
    linked["response_id"] = np.char.mod("R%06d", 500000 + np.arange(1, len(linked) + 1))

    latent = linked["latent"].to_numpy()
    csat = _score_from_latent(latent, [-1.3, -0.5, 0.2, 0.9], 1)
    parts = [_answers(linked, "csat", "overall", csat, _comments(rng, csat >= 5, csat <= 2, 0.35))]
    detail = linked["with_detail"].to_numpy()
    for question, noise in (("agent_skill", 0.5), ("knowledge", 0.6)):
        score = _score_from_latent(
            latent + 0.3 + rng.normal(0, noise, len(linked)), [-1.3, -0.5, 0.2, 0.9], 1
        )
        parts.append(_answers(linked[detail], "csat", question, score[detail], ""))
    nps_rows = linked["with_nps"].to_numpy()
    nps = np.clip(np.round(6.9 + 1.5 * latent + rng.normal(0, 1.0, len(linked))), 0, 10)
    parts.append(_answers(linked[nps_rows], "nps", "overall", nps[nps_rows], ""))
    ces_rows = linked["with_ces"].to_numpy()
    ces = _score_from_latent(
        latent + rng.normal(0, 0.6, len(linked)), [-1.8, -1.1, -0.5, 0.0, 0.6, 1.2], 1
    )
    parts.append(_answers(linked[ces_rows], "ces", "overall", ces[ces_rows], ""))

    parts.extend(_unlinked_surveys(rng, customers))
    surveys = pd.concat(parts, ignore_index=True)
    surveys = surveys[surveys["submitted_at"] < EXPORT_AT]
    order = {"csat": 0, "nps": 1, "ces": 2, "self_service": 3, "relationship": 4, "review": 5}
    surveys = (
        surveys.assign(_o=surveys["survey"].map(order))
        .sort_values(["submitted_at", "response_id", "_o"], kind="stable")
        .drop(columns="_o")
    )
    return surveys.reset_index(drop=True)


def _answers(
    links: pd.DataFrame, survey: str, question: str, score: np.ndarray, comment: np.ndarray | str
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": links["response_id"].to_numpy(),
            "submitted_at": links["submitted_at"].to_numpy(),
            "survey": survey,
            "question": question,
            "score": score,
            "comment": comment,
            "ticket_id": links["ticket_id"].to_numpy(),
            "call_id": links["call_id"].to_numpy(),
            "customer_id": links["customer_id"].to_numpy(),
            "agent_id": links["agent_id"].to_numpy(),
            "channel": links["channel"].to_numpy(),
        }
    )


def _unlinked_surveys(rng: np.random.Generator, customers: pd.DataFrame) -> list[pd.DataFrame]:
    """Help-centre votes, the September relationship survey and public reviews."""
    ids = customers["customer_id"].to_numpy()
    hour_w = np.ones(24)
    hour_w[7:23] = 5

    def block(n: int, prefix: str, known_customer: float) -> pd.DataFrame:
        at = _arrivals(rng, n, hour_w, weekend_weight=0.8).tz_convert("UTC").floor("s")
        return pd.DataFrame(
            {
                "submitted_at": pd.Series(at),
                "ticket_id": "",
                "call_id": "",
                "customer_id": np.where(rng.random(n) < known_customer, rng.choice(ids, n), ""),
                "agent_id": "",
                "channel": "",
                "response_id": np.char.mod(prefix + "%05d", np.arange(1, n + 1)),
            }
        )

    self_service = block(780, "HC", 0.4)
    self_service["channel"] = "web"
    helpful = (rng.random(len(self_service)) < 0.63).astype(float)

    relationship = block(150, "RS", 1.0)
    relationship = relationship[relationship["submitted_at"] < pd.Timestamp("2026-10-01", tz=TZ)]
    rel_score = np.clip(np.round(rng.normal(7.4, 2.0, len(relationship))), 0, 10)

    reviews = block(70, "RV", 0.3)
    stars = rng.choice([1, 2, 3, 4, 5], len(reviews), p=[0.12, 0.06, 0.1, 0.27, 0.45]).astype(float)
    return [
        _answers(self_service, "self_service", "overall", helpful, ""),
        _answers(
            relationship,
            "relationship",
            "overall",
            rel_score,
            _comments(rng, rel_score >= 9, rel_score <= 6, 0.3),
        ),
        _answers(reviews, "review", "overall", stars, _comments(rng, stars >= 5, stars <= 2, 0.9)),
    ]


def make_agents(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for month, workdays in zip(MONTHS, (22, 22), strict=True):
        absence = rng.choice([0, 0, 0, 7.5, 15, 37.5], size=len(AGENTS))
        rows.append(
            pd.DataFrame(
                {
                    "agent_id": AGENTS["agent_id"],
                    "period": month,
                    "team": AGENTS["team"],
                    "hours_worked": workdays * 7.5
                    - absence
                    + rng.choice([0, 0, 2.5, 5.0], size=len(AGENTS)),
                    "training_days": rng.choice([0, 0, 0.5, 1, 2], size=len(AGENTS)),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def make_costs(rng: np.random.Generator, agents: pd.DataFrame) -> pd.DataFrame:
    wages = agents.merge(AGENTS[["agent_id", "monthly_wage"]], on="agent_id")
    wage = np.round(wages["monthly_wage"] * wages["hours_worked"] / 165, 2)
    per_agent = [
        pd.DataFrame(
            {
                "period": wages["period"],
                "category": cat,
                "amount": np.round(wage * share, 2),
                "agent_id": wages["agent_id"],
                "team": wages["team"],
            }
        )
        for cat, share in (("wages", 1.0), ("social_security", 0.2134), ("benefits", 0.045))
    ]
    per_team = []
    for month in MONTHS:
        per_team.append(
            pd.DataFrame(
                {
                    "period": month,
                    "category": [
                        "overtime",
                        "overtime",
                        "training",
                        "tools",
                        "tools",
                        "facilities",
                        "outsourcing",
                        "other_staff",
                    ],
                    "amount": np.round(
                        [
                            rng.uniform(300, 1500),
                            rng.uniform(200, 900),
                            rng.uniform(0, 1800),
                            8 * 89.0,
                            1240.0,
                            4200.0,
                            rng.uniform(2500, 3500),
                            rng.uniform(0, 600),
                        ],
                        2,
                    ),
                    "agent_id": "",
                    "team": ["Aurora", "Borealis", "Aurora", "", "", "", "", ""],
                }
            )
        )
    return (
        pd.concat(per_agent + per_team, ignore_index=True)
        .sort_values(["period", "category", "team", "agent_id"], kind="stable")
        .reset_index(drop=True)
    )


def make_revenue(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    seg = customers["segment"].to_numpy()
    orders_per_month = pd.Series(seg).map({"enterprise": 4, "smb": 1.6, "consumer": 0.7}).to_numpy()
    counts = rng.poisson(orders_per_month * len(MONTHS))
    customer_idx = np.repeat(np.arange(N_CUSTOMERS), counts)
    median = (
        pd.Series(seg[customer_idx])
        .map({"enterprise": 1800, "smb": 240, "consumer": 38})
        .to_numpy()
    )
    amount = np.round(median * rng.lognormal(0, 0.7, len(customer_idx)), 2)
    day = rng.integers(0, 61, len(customer_idx))
    date = pd.Timestamp("2026-09-01") + pd.to_timedelta(day, unit="D")
    frame = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy()[customer_idx],
            "date": date,
            "amount": amount,
            "segment": seg[customer_idx],
        }
    )
    # Credit notes: a few refunds as negative amounts.
    refund = rng.random(len(frame)) < 0.02
    frame.loc[refund, "amount"] = -frame.loc[refund, "amount"]
    return frame.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- writing


def _write_csv(frame: pd.DataFrame, path: Path, **kwargs) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, **kwargs)


def _ticket_text(t: pd.DataFrame) -> pd.DataFrame:
    out = t.copy()
    for col in ("created_at", "first_response_at", "resolved_at", "updated_at"):
        out[col] = _iso_local(t[col])
    for col in ("agent_replies", "reopens", "messages_in", "messages_out"):
        out[col] = _int_text(t[col].to_numpy(dtype=float))
    out["escalated"] = np.where(t["escalated"], "true", "false")
    return out


def _call_text(c: pd.DataFrame) -> pd.DataFrame:
    out = c.drop(columns="answered").copy()
    for col in ("queued_at", "answered_at", "ended_at"):
        out[col] = _excel_local(c[col])
    for col in ("talk_seconds", "hold_seconds", "wrap_seconds"):
        out[col] = _decimal_comma(c[col].to_numpy(dtype=float))
    answered = c["answered"].to_numpy()
    out["resolved"] = _bool_text(c["resolved"].to_numpy(), answered & (c["direction"] == "inbound"))
    out["transferred"] = _bool_text(c["transferred"].to_numpy(), answered)
    return out


def generate(out_dir: Path) -> list[Path]:
    """Write every example file under ``out_dir``; return the paths written."""
    rng = np.random.default_rng(SEED)
    out_dir = Path(out_dir)
    customers = make_customers(rng)
    tickets = make_tickets(rng, customers)
    calls = make_calls(rng, customers)
    surveys = make_surveys(rng, tickets, calls, customers)
    agents = make_agents(rng)
    costs = make_costs(rng, agents)
    revenue = make_revenue(rng, customers)

    written = []
    path = out_dir / "tickets.csv"
    _write_csv(_ticket_text(tickets), path, lineterminator="\n")
    written.append(path)

    call_month = calls["queued_at"].dt.tz_convert(TZ).dt.strftime("%Y-%m")
    call_text = _call_text(calls)
    for month in MONTHS:
        path = out_dir / "calls" / f"{month}.csv"
        _write_csv(
            call_text[call_month == month],
            path,
            sep=";",
            lineterminator="\r\n",
            encoding="utf-8-sig",
        )
        written.append(path)

    surveys_out = surveys.copy()
    surveys_out["submitted_at"] = _iso_utc(surveys["submitted_at"])
    surveys_out["score"] = _int_text(surveys["score"].to_numpy(dtype=float))
    path = out_dir / "surveys.csv"
    _write_csv(surveys_out, path, lineterminator="\n")
    written.append(path)

    costs_out = costs.assign(amount=np.char.mod("%.2f", costs["amount"].to_numpy()))
    path = out_dir / "costs.csv"
    _write_csv(costs_out, path, lineterminator="\n")
    written.append(path)

    agents_out = agents.assign(
        hours_worked=np.char.mod("%.1f", agents["hours_worked"].to_numpy()),
        training_days=np.char.mod("%g", agents["training_days"].to_numpy()),
    )
    path = out_dir / "agents.csv"
    _write_csv(agents_out, path, lineterminator="\n")
    written.append(path)

    revenue_out = revenue.assign(
        date=revenue["date"].dt.strftime("%Y-%m-%d"),
        amount=np.char.mod("%.2f", revenue["amount"].to_numpy()),
    )
    path = out_dir / "revenue.csv"
    _write_csv(revenue_out, path, lineterminator="\n")
    written.append(path)

    path = out_dir / "cskpi.toml"
    path.write_text(CONFIG_TOML, encoding="utf-8")
    written.append(path)
    return written


CONFIG_TOML = """\
# Settings for the example data: a Finnish support team that reports in euros.
currency = "EUR"

[thresholds]
short_abandon_seconds = 5
service_level_seconds = 20

[sla]
first_response_hours = 24

[sla.priority]
urgent = 4
high = 8

[business_hours]
tz = "Europe/Helsinki"
mon = "08:00-17:00"
tue = "08:00-17:00"
wed = "08:00-17:00"
thu = "08:00-17:00"
fri = "08:00-17:00"
holidays = "FI"

[targets]
first_response_hours_median = "<= 8"
csat = ">= 80"
abandonment_rate = "<= 8"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data")
    args = parser.parse_args()
    for path in generate(args.out):
        print(f"{path}  {path.stat().st_size:,} B")


if __name__ == "__main__":
    main()
