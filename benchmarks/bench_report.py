"""Times the evaluation report of a full review: its chart, Word file and PDF (not run in CI).

Run: .venv/bin/python benchmarks/bench_report.py [--out DIR]
The target is the report with its chart built in under 500 ms at p95; --out also writes one
chart, Word file and PDF to look at.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import date
from importlib import metadata
from pathlib import Path

from bot.documents.evaluation import evaluation_chart, evaluation_docx, evaluation_pdf
from flows.evaluation import EvaluationReport, build_report
from knowledge.models import Questionnaire

ROUNDS = 50
SOURCE = {"seed": "001", "section": "Étape 7 – évaluer le partenariat et ses résultats"}
NAMES = dict(
    partnership="Alliance pour l’emploi local — Lyon 8e",
    ours="Association Tremplin",
    partner="Boulangeries Martin SAS",
    round_date=date(2025, 3, 12),
)
# The four analyses of the full review, each with two rated dimensions and one text question.
PARTS = (
    ("Analyse du cadre", "Framework", ("objectifs", "Objectifs partagés"), ("roles", "Rôles")),
    ("Analyse du contenu", "Content", ("moyens", "Moyens engagés"), ("actions", "Actions")),
    ("Analyse des résultats", "Results", ("effets", "Effets"), ("confiance", "Confiance")),
    ("Perspectives", "Outlook", ("envie", "Envie de continuer"), ("pilotage", "Pilotage")),
)
# Each side's typical score per dimension, in the parts' order: two of them far apart.
OURS_SCORES = (4, 5, 4, 4, 4, 2, 4, 3)
PARTNER_SCORES = (4, 3, 2, 4, 4, 4, 4, 2)


def questionnaire() -> Questionnaire:
    """A full review: per part, two ratings and a text; then the decision."""
    questions = []
    for number, (fr, en, *ratings) in enumerate(PARTS, start=1):
        part = {"fr": f"{number}. {fr}", "en": f"{number}. {en}"}
        for question_id, label in ratings:
            questions.append(
                {
                    "id": question_id,
                    "kind": "rating",
                    "part": part,
                    "label": {"fr": label, "en": label},
                    "prompt": {"fr": f"Où en est-on : {label.lower()} ?", "en": f"{label}?"},
                    "source": SOURCE,
                }
            )
        questions.append(
            {
                "id": f"lesson_{number}",
                "kind": "text",
                "part": part,
                "prompt": {"fr": f"Ce que l’on retient : {fr.lower()}", "en": f"Lessons: {en}"},
                "source": SOURCE,
            }
        )
    questions.append(
        {
            "id": "decision",
            "kind": "single",
            "prompt": {"fr": "Et ensuite ?", "en": "What next?"},
            "source": SOURCE,
            "options": [
                {"id": choice, "label": {"fr": choice, "en": choice}}
                for choice in ("renew", "modify", "end")
            ],
        }
    )
    title = {"fr": "Bilan complet", "en": "Full review"}
    return Questionnaire.model_validate(
        {"id": "review", "title": title, "source": SOURCE, "questions": questions}
    )


def respondent(scores: tuple[int, ...], shift: int, side: str, decision: str) -> dict:
    """One respondent's answers: scores around the side's, a few comments, the lessons."""
    answers: dict = {"decision": decision}
    ratings = [qid for _, _, *pairs in PARTS for qid, _ in pairs]
    for question_id, score in zip(ratings, scores, strict=True):
        answers[question_id] = max(1, min(5, score + shift))
    answers["confiance"] = {
        "score": answers["confiance"],
        "comment": f"Réunions trop rares ({side})",
    }
    for number in range(1, 5):
        answers[f"lesson_{number}"] = (
            f"Leçon n°{number} côté {side} : œuvre commune, 1 200 € — à revoir « vite »."
        )
    return answers


def full_review() -> EvaluationReport:
    """8 rated dimensions, 3 respondents a side, 4 earlier rounds, some comments."""
    answers = {
        "ours": [
            respondent(OURS_SCORES, s, "asso", d)
            for s, d in ((0, "renew"), (1, "renew"), (-1, "modify"))
        ],
        "partner": [
            respondent(PARTNER_SCORES, s, "entreprise", d)
            for s, d in ((0, "renew"), (0, "modify"), (1, "renew"))
        ],
    }
    dimensions = [qid for _, _, *pairs in PARTS for qid, _ in pairs]
    previous = [
        {qid: round(2.5 + 0.3 * r + 0.1 * i, 2) for i, qid in enumerate(dimensions)}
        for r in range(4)
    ]
    return build_report(
        questionnaire(), answers, invited={"ours": 4, "partner": 3}, previous=previous
    )


def all_three(report: EvaluationReport) -> tuple[bytes, bytes, bytes]:
    """What the bot sends after a review: the chart drawn once, then both documents."""
    chart = evaluation_chart(report, **NAMES)
    return (
        chart,
        evaluation_docx(report, chart=chart, **NAMES),
        evaluation_pdf(report, chart=chart, **NAMES),
    )


def timed(build, report: EvaluationReport) -> list[float]:
    build(report)  # warm-up: imports, fonts, template, wording
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        build(report)
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def summary(name: str, samples: list[float]) -> str:
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
    low, high = samples[0], samples[-1]
    return f"{name:<22} min {low:6.1f}  p50 {p50:6.1f}  p95 {p95:6.1f}  max {high:6.1f} ms"


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        model = names[0] if names else model
    return f"{model}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}"


def versions() -> list[str]:
    packages = ("matplotlib", "fpdf2", "python-docx", "pillow", "babel")
    return [f"{name} {metadata.version(name)}" for name in packages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the three files in this folder")
    args = parser.parse_args()
    report = full_review()
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}, " + ", ".join(versions()))
    rounds = len(report.dimensions[0].trend)
    print(
        f"report: {len(report.dimensions)} dimensions, {rounds} rounds in the trend; "
        f"{ROUNDS} timed builds each, after one warm-up (wall clock)"
    )
    builds = {
        "chart (PNG)": lambda r: evaluation_chart(r, **NAMES),
        "DOCX (with chart)": lambda r: evaluation_docx(r, **NAMES),
        "PDF (with chart)": lambda r: evaluation_pdf(r, **NAMES),
        "all three, chart once": all_three,
    }
    for name, build in builds.items():
        print(summary(name, timed(build, report)))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for suffix, data in zip(("png", "docx", "pdf"), all_three(report), strict=True):
            (args.out / f"evaluation.{suffix}").write_bytes(data)
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
