"""The knowledge files state the seeds' facts in new sentences: no run of nine words copied."""

import re
from pathlib import Path

import pytest

from knowledge.loader import DATA_DIR

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
RUN = 9


def words(text: str) -> list[str]:
    return re.findall(r"[a-zàâäçéèêëîïôöùûüÿœæ0-9]+", text.lower())


@pytest.fixture(scope="module")
def seed_runs() -> set[str]:
    if not SEEDS.is_dir():
        pytest.skip(
            f"no copy from the source guides not checked: their text is not in {SEEDS} "
            "(outside this repository; see the README's tests paragraph)"
        )
    runs: set[str] = set()
    for seed in SEEDS.glob("*.txt"):
        w = words(seed.read_text(errors="ignore"))
        runs.update(" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1))
    return runs


@pytest.mark.parametrize(
    "path", sorted(DATA_DIR.rglob("*.yaml")), ids=lambda p: str(p.relative_to(DATA_DIR))
)
def test_no_nine_word_run_is_copied_from_a_seed(path, seed_runs):
    w = words(path.read_text(encoding="utf-8"))
    copied = [" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)]
    assert [run for run in copied if run in seed_runs] == []
