"""Genesys Cloud conversation details (analytics API) flattened to one row per conversation.

`POST /api/v2/analytics/conversations/details/query` (and the details jobs' results) return
`conversations[]`, each with `participants[]` (purpose customer / ivr / acd / agent …), their
`sessions[]`, and per session `segments[]` and `metrics[]` (durations in milliseconds). The
`genesys_cloud_details` vendor map reads the flat row; this module only reshapes the nesting.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from cskpi.io.read import RawTable

# The conversation-level fields that mark the shape (participants hold the rest).
SHAPE = ("conversationId", "conversationStart", "participants")
# Durations summed over every session of the conversation. A "…Complete" metric is the session's
# total of the per-segment one, so a session counts one of the two, never both.
DURATIONS = {"tTalk": "tTalkComplete", "tHeld": "tHeldComplete", "tAcw": None, "tHandle": None}
COUNTS = ("tAnswered", "tAbandon", "nOffered")
FIELDS = (
    "conversationId",
    "conversationStart",
    "conversationEnd",
    "originatingDirection",
    "mediaType",
    "ani",
    "acd.queueId",
    "acd.segmentStart",
    "agent.userId",
    "agent.interactStart",
    *DURATIONS,
    *COUNTS,
)


def is_conversation_details(raw: RawTable) -> bool:
    return raw.format == "json" and set(SHAPE) <= set(raw.headers)


def call_rows(raw: RawTable) -> RawTable:
    """The RawTable of a conversation-details file, one row per conversation, flat fields."""
    if not is_conversation_details(raw):
        return raw
    frame = raw.frame
    rows = [
        _conversation(record, participants)
        for record, participants in zip(
            frame.to_dict("records"), frame["participants"].to_numpy(), strict=True
        )
    ]
    flat = pd.DataFrame(rows, columns=list(FIELDS)).astype(object)
    flat = flat.where(flat.notna(), None)
    return RawTable(
        path=raw.path,
        frame=flat,
        lines=np.asarray(raw.lines, dtype=np.int64),
        headers=list(FIELDS),
        format=raw.format,
        encoding=raw.encoding,
        sha256=raw.sha256,
    )


def _conversation(record: dict, participants: object) -> dict:
    if isinstance(participants, str):
        try:
            participants = json.loads(participants)
        except json.JSONDecodeError:
            participants = []
    if not isinstance(participants, list):
        participants = []
    row: dict = {f: record.get(f) for f in FIELDS[:4]}
    totals: dict[str, float] = {}
    for participant in participants:
        if not isinstance(participant, dict):
            continue
        purpose = participant.get("purpose")
        for session in participant.get("sessions") or []:
            row["mediaType"] = row.get("mediaType") or session.get("mediaType")
            if purpose == "customer":
                row["ani"] = row.get("ani") or session.get("ani")
            segments = session.get("segments") or []
            if purpose == "acd":
                queued = [s for s in segments if s.get("queueId")]
                if queued and not row.get("acd.queueId"):
                    row["acd.queueId"] = queued[0]["queueId"]
                    row["acd.segmentStart"] = queued[0].get("segmentStart")
            if purpose == "agent":
                row["agent.userId"] = row.get("agent.userId") or participant.get("userId")
                talks = [
                    s.get("segmentStart") for s in segments if s.get("segmentType") == "interact"
                ]
                if talks and not row.get("agent.interactStart"):
                    row["agent.interactStart"] = min(t for t in talks if t)
            _add_metrics(totals, session.get("metrics") or [])
    row.update(totals)
    return row


def _add_metrics(totals: dict[str, float], metrics: list) -> None:
    by_name: dict[str, float] = {}
    for metric in metrics:
        if isinstance(metric, dict) and isinstance(metric.get("value"), int | float):
            name = metric.get("name")
            by_name[name] = by_name.get(name, 0.0) + float(metric["value"])
    for name, complete in DURATIONS.items():
        value = by_name.get(complete) if complete else None
        value = value if value is not None else by_name.get(name)
        if value is not None:
            totals[name] = totals.get(name, 0.0) + value
    for name in COUNTS:
        if name in by_name:
            totals[name] = totals.get(name, 0.0) + by_name[name]
