#!/usr/bin/env python3
"""Independent check of Encore's stickiness predictions (docs/rewards.md, "Predictions of stickiness", steps 1-9).

A second implementation written from the model's specification alone, never from the pipeline's code: it fits the
prior (mu, Sigma, V) per entity level, predicts every entity with recent discoveries and every given non-mature
discovery, and writes the result as JSON for IndependentPredictionCheckTest to compare with the published datasets.
The linear algebra is deliberately literal (explicit sums of outer products, numpy.linalg solves) so that it is a
real second opinion, not a copy of an optimised formulation.

Input CSV (header required), one row per discovery of a final day D, values as of run T:
  entity_level, entity_id, user_id, discovery_date (YYYY-MM-DD), days_final (0..W),
  lookback_complete (true/false), discovery_kind (new_to_entity, new_user or empty),
  trace (the known prefix: days_final characters '0'/'1', trace[j-1] = day D + j).

Usage:
  stickiness_check.py --discoveries FILE.csv --as-of T --levels artist,show [--trace-days 59]
      [--maturity-age 63] [--fit-days 60] [--min-discoverers 5] [--ridge 0.1] [--predict-days D1,D2,...]
      --out FILE.json

--predict-days lists the days D whose non-mature model discoveries get a per-discovery prediction (step 9): the
publication days of user_entity_rewards. Exit code 0 on success; 2 with one message on bad input.
"""

import argparse
import csv
import datetime
import json
import math
import sys

import numpy as np

NO_ENTITIES = "fewer than 2 entities with min_discoverers mature discoveries in the fit window"
V_NOT_PD = "noise covariance not positive definite"


class InputError(Exception):
    """Bad input: the message says which row or option and why."""


def read_discoveries(path, trace_days):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        wanted = ["entity_level", "entity_id", "user_id", "discovery_date", "days_final", "lookback_complete",
                  "discovery_kind", "trace"]
        missing = [c for c in wanted if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing columns {missing} (has {reader.fieldnames})")
        for line, r in enumerate(reader, start=2):
            days_final = int(r["days_final"])
            trace = r["trace"]
            if not 0 <= days_final <= trace_days:
                raise InputError(f"{path}:{line}: days_final {days_final} is not in 0..{trace_days}")
            # The known prefix must be exactly the final days: a shorter one would hide a null entry.
            if len(trace) != days_final or any(c not in "01" for c in trace):
                raise InputError(f"{path}:{line}: trace {trace!r} is not {days_final} characters 0/1")
            if r["lookback_complete"] not in ("true", "false"):
                raise InputError(f"{path}:{line}: lookback_complete {r['lookback_complete']!r} is not true/false")
            rows.append({
                "level": r["entity_level"],
                "entity": r["entity_id"],
                "user": r["user_id"],
                "day": datetime.date.fromisoformat(r["discovery_date"]),
                "days_final": days_final,
                "model": r["lookback_complete"] == "true" and r["discovery_kind"] == "new_to_entity",
                "x": np.array([float(c) for c in trace]),
            })
    return rows


def positive_definite(v):
    """Step 4: the Cholesky factor exists with every L_jj^2 > 1e-10 * max_j V_jj."""
    try:
        lower = np.linalg.cholesky(v)
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.diag(lower) ** 2 > 1e-10 * np.max(np.diag(v))))


def fit_prior(fit_traces, w, ridge):
    """Steps 2-4 on {entity: [traces]} of the qualifying entities; returns ((mu, Sigma, V), None) or (None, reason)."""
    means = []
    covariances = []
    sizes = []
    for entity in sorted(fit_traces):
        xs = fit_traces[entity]
        n = len(xs)
        mean = sum(xs) / n
        s = np.zeros((w, w))
        for x in xs:
            s += np.outer(x - mean, x - mean)
        means.append(mean)
        covariances.append(s / (n - 1))
        sizes.append(n)
    e = len(means)
    if e < 2:
        return None, NO_ENTITIES
    mu = sum(means) / e
    spread = np.zeros((w, w))
    for mean in means:
        spread += np.outer(mean - mu, mean - mu)
    spread /= e - 1
    # Step 3: less the mean sampling noise S_e / n_e of an entity's observed mean, then the positive part.
    noise_of_means = sum(cov / n for cov, n in zip(covariances, sizes)) / e
    sigma0 = spread - noise_of_means
    eigenvalues, q = np.linalg.eigh(sigma0)
    sigma = q @ np.diag(np.maximum(eigenvalues, 0.0)) @ q.T
    v0 = sum(covariances) / e
    # Step 3's ridge: epsilon = ridge times the mean diagonal entry of V0, added to the diagonal.
    v = v0 + ridge * (np.trace(v0) / w) * np.eye(w)
    if not positive_definite(v):
        return None, V_NOT_PD
    return (mu, sigma, v), None


def entity_posterior(prior, recent, w):
    """Steps 6-7: (m, C, n_j, k) of an entity from its recent discoveries [(days_final, x)]."""
    mu, sigma, v = prior
    n = np.array([sum(1 for days_final, _ in recent if days_final >= j) for j in range(1, w + 1)])
    k = max(days_final for days_final, _ in recent)
    if k == 0:
        return mu.copy(), sigma.copy(), n, k
    ybar = np.array([sum(x[j] for days_final, x in recent if days_final > j) / n[j] for j in range(k)])
    noise = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            noise[i, j] = v[i, j] / max(n[i], n[j])
    a = sigma[:k, :k] + noise
    m = mu + sigma[:, :k] @ np.linalg.solve(a, ybar - mu[:k])
    c = sigma - sigma[:, :k] @ np.linalg.solve(a, sigma[:k, :])
    return m, c, n, k


def discovery_prediction(m, c, v, x, k):
    """Step 9: (pred, sd) of one discovery with known prefix x (k days), given its entity's posterior (m, C)."""
    s = c + v
    if k == 0:
        rest_mean, rest_cov = m, s
    else:
        rest_mean = m[k:] + s[k:, :k] @ np.linalg.solve(s[:k, :k], x - m[:k])
        rest_cov = s[k:, k:] - s[k:, :k] @ np.linalg.solve(s[:k, :k], s[:k, k:])
    pred = 1.0 + float(np.sum(x)) + float(np.sum(rest_mean))
    return pred, math.sqrt(max(0.0, float(np.sum(rest_cov))))


def check(rows, as_of, levels, w, maturity, fit_days, min_discoverers, ridge, predict_days):
    fit_from = as_of - datetime.timedelta(days=maturity + fit_days - 1)
    fit_to = as_of - datetime.timedelta(days=maturity)
    recent_from = as_of - datetime.timedelta(days=maturity - 1)
    out = {"as_of": as_of.isoformat(), "trace_days": w, "maturity_age": maturity, "fit_days": fit_days,
           "min_discoverers": min_discoverers, "ridge": ridge, "levels": {}}
    for level in levels:
        model = [r for r in rows if r["level"] == level and r["model"]]
        # Step 1: mature model discoveries of the fit window, by entity; qualifying entities only.
        fit = {}
        for r in model:
            if r["days_final"] == w and fit_from <= r["day"] <= fit_to:
                fit.setdefault(r["entity"], []).append(r["x"])
        fit = {e: xs for e, xs in fit.items() if len(xs) >= min_discoverers}
        prior, reason = fit_prior(fit, w, ridge)
        result = {
            "fit_from": fit_from.isoformat(), "fit_to": fit_to.isoformat(),
            "entities": len(fit), "traces": sum(len(xs) for xs in fit.values()),
            "no_prior_reason": reason,
            "mu": None if prior is None else prior[0].tolist(),
            "Sigma": None if prior is None else prior[1].tolist(),
            "V": None if prior is None else prior[2].tolist(),
            "prior_stickiness": None if prior is None else 1.0 + float(np.sum(prior[0])),
            "entity_predictions": [], "discovery_predictions": [],
        }
        # Step 5: recent model discoveries of every entity.
        recent = {}
        for r in model:
            if recent_from <= r["day"] <= as_of:
                recent.setdefault(r["entity"], []).append((r["days_final"], r["x"]))
        posteriors = {}
        for entity in sorted(recent):
            row = {"entity_id": entity, "discoveries": len(recent[entity]), "pred": None, "sd": None}
            if prior is None:
                k = max(days_final for days_final, _ in recent[entity])
                n_total = sum(days_final for days_final, _ in recent[entity])
            else:
                m, c, n, k = entity_posterior(prior, recent[entity], w)
                n_total = int(np.sum(n))
                posteriors[entity] = (m, c)
                row["pred"] = 1.0 + float(np.sum(m))
                row["sd"] = math.sqrt(max(0.0, float(np.sum(c))))
            # trace_days = sum_j n_j = the sum of days_final over R_e.
            row["trace_days"] = n_total
            row["days_observed"] = k
            result["entity_predictions"].append(row)
        # Step 9: non-mature model discoveries of the publication days, at a level with a prior.
        if prior is not None:
            for r in sorted(model, key=lambda r: (r["entity"], r["user"], r["day"])):
                if r["day"] not in predict_days or r["days_final"] == w:
                    continue
                # An entity without recent discoveries (a row at D = T - M left immature) is predicted from the prior.
                m, c = posteriors.get(r["entity"], (prior[0], prior[1]))
                pred, sd = discovery_prediction(m, c, prior[2], r["x"], r["days_final"])
                result["discovery_predictions"].append({
                    "entity_id": r["entity"], "user_id": r["user"], "discovery_date": r["day"].isoformat(),
                    "days_final": r["days_final"], "pred": pred, "sd": sd})
        out["levels"][level] = result
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--discoveries", required=True)
    p.add_argument("--as-of", required=True, type=datetime.date.fromisoformat)
    p.add_argument("--levels", required=True)
    p.add_argument("--trace-days", type=int, default=59)
    p.add_argument("--maturity-age", type=int, default=63)
    p.add_argument("--fit-days", type=int, default=60)
    p.add_argument("--min-discoverers", type=int, default=5)
    p.add_argument("--ridge", type=float, default=0.1)
    p.add_argument("--predict-days", default="")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    try:
        if a.min_discoverers < 2:
            raise InputError(f"--min-discoverers must be >= 2 (a within-entity covariance needs 2), got {a.min_discoverers}")
        if not 0 <= a.ridge <= 1:
            raise InputError(f"--ridge must be in 0..1 (a share of V0's mean diagonal entry), got {a.ridge}")
        predict_days = {datetime.date.fromisoformat(d) for d in a.predict_days.split(",") if d}
        rows = read_discoveries(a.discoveries, a.trace_days)
        result = check(rows, a.as_of, [lvl for lvl in a.levels.split(",") if lvl], a.trace_days, a.maturity_age,
                       a.fit_days, a.min_discoverers, a.ridge, predict_days)
    except np.linalg.LinAlgError:
        raise  # a singular matrix the spec says cannot occur: keep the traceback
    except (InputError, ValueError) as e:
        print(f"stickiness_check: {e}", file=sys.stderr)
        return 2
    with open(a.out, "w", encoding="utf-8") as f:
        # allow_nan=False: a NaN would mean a defect here, not a value to compare.
        json.dump(result, f, allow_nan=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
