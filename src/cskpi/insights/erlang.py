"""Queueing formulas for staffing: Erlang C (no abandonment) and Erlang A (exponential patience).

Everything is computed without factorials: Erlang B by its recursion, Erlang A's state
probabilities in log space, so 500+ agents neither overflow nor lose precision.
Rates are per second, times in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp
from scipy.stats import poisson


@dataclass(frozen=True)
class QueueOutcome:
    agents: int
    service_level: float  # share of offered calls answered within the threshold (0–1)
    occupancy: float  # busy share of agent time (0–1)
    asa_seconds: float  # mean wait: all calls (Erlang C), answered calls (A)
    wait_probability: float  # chance an arriving call waits at all
    abandon_probability: float = 0.0


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability B(n, A) by the stable recursion B_k = A·B_{k−1} / (k + A·B_{k−1})."""
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call waits, C(n, A); 1 when the queue is unstable (A ≥ n)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1 - blocking))


def erlang_c_outcome(
    agents: int, calls: float, aht: float, interval: float, threshold: float
) -> QueueOutcome:
    """Service level, occupancy and ASA of ``agents`` for ``calls`` per ``interval`` seconds."""
    traffic = calls * aht / interval
    if traffic <= 0:
        return QueueOutcome(agents, 1.0, 0.0, 0.0, 0.0)
    if agents <= traffic:
        return QueueOutcome(agents, 0.0, 1.0, math.inf, 1.0)
    wait = erlang_c(agents, traffic)
    sl = 1.0 - wait * math.exp(-(agents - traffic) * threshold / aht)
    asa = wait * aht / (agents - traffic)
    return QueueOutcome(agents, sl, traffic / agents, asa, wait)


def erlang_a_outcome(
    agents: int, calls: float, aht: float, interval: float, threshold: float, patience: float
) -> QueueOutcome:
    """Erlang A (M/M/n+M): callers abandon after an exponential patience with mean ``patience``.

    State probabilities of the birth–death chain are summed in log space up to where they
    vanish. A caller who finds i others queued is answered once i+1 queue departures happen;
    departures run at rate nμ + jθ, and surviving its own patience tilts that sum of
    exponentials by a factor that telescopes to nμ / (nμ + (i+1)θ). The answered-within-t
    chance of the tilted sum comes from uniformising its pure-death chain.
    """
    lam, mu, theta = calls / interval, 1.0 / aht, 1.0 / patience
    if lam <= 0:
        return QueueOutcome(agents, 1.0, 0.0, 0.0, 0.0)
    n = agents
    # log π_k (unnormalised) for k = 0..n: Poisson-like terms A^k / k!
    traffic = lam / mu
    k = np.arange(n + 1)
    log_low = k * math.log(traffic) - np.cumsum(np.log(np.maximum(k, 1)))
    # queue part k = n + i, i ≥ 1: multiply by λ / (nμ + jθ), j = 1..i, until negligible
    depth = _queue_depth(lam, n * mu, theta)
    j = np.arange(1, depth + 1)
    log_queue = log_low[-1] + np.cumsum(math.log(lam) - np.log(n * mu + j * theta))
    log_all = np.concatenate([log_low, log_queue])
    log_norm = logsumexp(log_all)
    probs = np.exp(log_all - log_norm)
    # PASTA: an arrival sees state k with probability π_k; from k ≥ n it waits behind i = k − n.
    waiting = probs[n:]
    ahead = np.arange(waiting.size)
    served_share = n * mu / (n * mu + (ahead + 1) * theta)
    within = _tilted_cdf(waiting.size, n * mu, theta, threshold)
    wait_probability = float(waiting.sum())
    answered_within = float(probs[:n].sum() + (waiting * served_share * within).sum())
    abandon = float((waiting * (1 - served_share)).sum())
    busy = float((probs * np.minimum(np.arange(probs.size), n)).sum())
    # Mean wait of a caller who is answered: E[V · 1{served}] / P(served); the tilted sum has
    # mean Σ 1/(nμ + jθ), j = 1..i+1.
    tilted_mean = np.cumsum(1.0 / (n * mu + np.arange(1, waiting.size + 1) * theta))
    answered = 1 - abandon
    asa_sum = float((waiting * served_share * tilted_mean).sum())
    asa = asa_sum / answered if answered > 0 else math.inf
    return QueueOutcome(n, answered_within, busy / n, asa, wait_probability, abandon)


def _queue_depth(lam: float, service_rate: float, theta: float) -> int:
    """Queue length past which state probabilities are below e^-40 of the peak."""
    peak = max(0.0, (lam - service_rate) / theta)
    spread = math.sqrt(max(lam, service_rate) / theta) if theta > 0 else 0.0
    return int(min(200_000, peak + 12 * spread + 200))


def _tilted_cdf(size: int, base_rate: float, theta: float, t: float) -> np.ndarray:
    """P(Σ_{j=1}^{m} Exp(base_rate + jθ) ≤ t) for m = 1..size, by uniformisation.

    Pure death chain from state m to 0 with rate base_rate + jθ in state j; absorption by t.
    """
    if t <= 0:
        return np.zeros(size)
    rates = base_rate + np.arange(1, size + 1) * theta  # leaving state m (m = 1..size)
    uniform = float(rates[-1])
    steps = int(uniform * t + 10 * math.sqrt(uniform * t) + 20)
    weights = poisson.pmf(np.arange(steps + 1), uniform * t)
    stay = 1 - rates / uniform
    move = rates / uniform
    # absorbed[m] = probability that the jump chain started at m is absorbed after s steps
    absorbed = np.zeros(size + 1)
    absorbed[0] = 1.0
    cdf = weights[0] * absorbed[1:]
    for s in range(1, steps + 1):
        nxt = absorbed.copy()
        nxt[1:] = stay * absorbed[1:] + move * absorbed[:-1]
        absorbed = nxt
        cdf = cdf + weights[s] * absorbed[1:]
    return np.clip(cdf, 0.0, 1.0)


def agents_needed(
    calls: float,
    aht: float,
    interval: float,
    *,
    target_sl: float = 0.8,
    threshold: float = 20.0,
    max_occupancy: float = 1.0,
    patience: float | None = None,
) -> QueueOutcome:
    """Fewest agents meeting the service-level target and the occupancy cap.

    Erlang C unless ``patience`` (mean seconds a caller waits before hanging up) is given,
    then Erlang A; abandonment only ever lowers the need, so the A search starts from C's answer
    and bisects downwards.
    """
    traffic = calls * aht / interval
    if traffic <= 0:
        return QueueOutcome(0, 1.0, 0.0, 0.0, 0.0)
    n = max(1, math.floor(traffic) + 1, math.ceil(traffic / max_occupancy - 1e-12))
    result = erlang_c_outcome(n, calls, aht, interval, threshold)
    while result.service_level < target_sl:
        n += 1
        result = erlang_c_outcome(n, calls, aht, interval, threshold)
    if patience is None:
        return result

    # Service level rises with n: bisect between 1 (may fail) and Erlang C's answer (meets it).
    def meets(outcome: QueueOutcome) -> bool:
        return outcome.service_level >= target_sl and outcome.occupancy <= max_occupancy

    best = erlang_a_outcome(n, calls, aht, interval, threshold, patience)
    low, high = 0, n
    while high - low > 1:
        middle = (low + high) // 2
        trial = erlang_a_outcome(middle, calls, aht, interval, threshold, patience)
        if meets(trial):
            high, best = middle, trial
        else:
            low = middle
    return best
