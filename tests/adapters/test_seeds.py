"""The seeds folder and the negatives beside it, as files on disk."""

from __future__ import annotations

from pathlib import Path

from newswatch.adapters.seeds import learn_to_file, read_negatives, read_seeds
from newswatch.profile import load_profile

REPO = Path(__file__).resolve().parents[2]


def test_negatives_are_the_text_files_of_the_negative_folder(tmp_path: Path) -> None:
    assert read_negatives(tmp_path) == []
    folder = tmp_path / "negative"
    folder.mkdir()
    assert read_negatives(tmp_path) == []
    (folder / "b.md").write_text("Second\n\nText two.", encoding="utf-8")
    (folder / "a.txt").write_text("First\n\nText one.", encoding="utf-8")
    (folder / "README.md").write_text("about this folder", encoding="utf-8")
    (folder / "c.json").write_text("{}", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    assert [d.name for d in read_negatives(tmp_path)] == ["a.txt", "b.md"]


def test_seeds_skip_the_negative_folder_and_learn_to_file_uses_it(tmp_path: Path) -> None:
    for seed in sorted((REPO / "seeds").glob("*.txt")):
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    plain = learn_to_file(tmp_path, tmp_path / "plain.yaml", None)
    (tmp_path / "negative").mkdir()
    (tmp_path / "negative" / "wrong.txt").write_text(
        "Tokayev opens the football season in Almaty\n\nPresident Tokayev of Kazakhstan "
        "opened the football season in Almaty; fans protested ticket prices.\n",
        encoding="utf-8",
    )
    assert [d.name for d in read_seeds(tmp_path)] == sorted(
        p.name for p in (REPO / "seeds").glob("*.txt")
    )
    fed = learn_to_file(tmp_path, tmp_path / "fed.yaml", None, name="kz")
    assert fed.name == "kz" and "marked wrong" in fed.threshold_how
    assert "marked wrong" not in plain.threshold_how
    assert load_profile((tmp_path / "fed.yaml").read_bytes()).threshold == fed.threshold
    # negatives passed in win over the folder's
    none = learn_to_file(tmp_path, tmp_path / "none.yaml", None, negatives=[])
    assert none.threshold == plain.threshold
