"""`newswatch feedback`: a wrong alert becomes a negative example of its topic, a missed
article a seed; both re-learn the topic and say what changed."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.adapters.store import Store
from newswatch.cli import app
from newswatch.decision import make_alert
from newswatch.models import Article, DedupDecision, Fingerprint, Match

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CHESS = REPO / "src" / "newswatch" / "demo_data" / "articles" / "chess.txt"


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One topic folder (the shipped seeds), its profile learned, and a store holding one
    alert of that topic on an off-topic article."""
    shutil.copytree(
        REPO / "seeds",
        tmp_path / "seeds" / "kazakhstan",
        ignore=shutil.ignore_patterns("README.md"),
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSWATCH_DB_URL", f"sqlite:///{tmp_path / 'nw.db'}")
    assert CliRunner().invoke(app, ["learn"]).exit_code == 0
    title, _, text = CHESS.read_text(encoding="utf-8").partition("\n")
    article = Article("e-chess", "f", "https://x.test/chess", None, title, text, "x", "page")
    match = Match(score=1.0, threshold=0.5)
    decision = DedupDecision(None, None, story_id="s-x", new_story=True)
    alert = make_alert(article, match, "s-x", now=NOW, topic="kazakhstan")
    with Store.open(f"sqlite:///{tmp_path / 'nw.db'}") as store:
        fp = Fingerprint(None, "h", (0,) * 64, (), ())
        store.record_article(
            article, fp, match, decision, alert=alert, targets=[], now=NOW, topic="kazakhstan"
        )
    (tmp_path / "alert_id").write_text(alert.alert_id)
    return tmp_path


def test_wrong_saves_the_article_as_a_negative_and_relearns(install: Path) -> None:
    alert_id = (install / "alert_id").read_text()
    before = (install / "config" / "profiles" / "kazakhstan.yaml").read_text()
    result = CliRunner().invoke(app, ["feedback", alert_id, "wrong"])
    assert result.exit_code == 0, result.output
    negative = install / "seeds" / "kazakhstan" / "negative" / f"{alert_id}.txt"
    title = CHESS.read_text(encoding="utf-8").splitlines()[0]
    assert negative.read_text(encoding="utf-8").startswith(title + "\n\n")
    assert "re-learned kazakhstan" in result.output and "threshold" in result.output
    after = (install / "config" / "profiles" / "kazakhstan.yaml").read_text()
    assert after != before  # learned with the negative: threshold or weights moved
    # marking it again keeps the one file
    again = CliRunner().invoke(app, ["feedback", alert_id, "wrong"])
    assert again.exit_code == 0 and "was already" in again.output


def test_add_example_saves_a_seed_of_the_topic(install: Path) -> None:
    page = install / "missed.html"
    page.write_text(
        "<html><head><title>Almaty airport reopens after the unrest</title></head><body>"
        "<article><h1>Almaty airport reopens after the unrest</h1>"
        "<p>Almaty airport reopened on Monday after the January unrest in Kazakhstan, "
        "as CSTO troops began to leave the country, officials said.</p>"
        "<p>The first flights from Moscow and Istanbul landed in the morning, and the "
        "terminal that protesters had seized was open again to passengers.</p>"
        "<p>President Tokayev said the peacekeepers' mission had been completed and that "
        "order had been restored in Almaty and the other regions.</p>"
        "</article></body></html>"
    )
    result = CliRunner().invoke(app, ["feedback", "add-example", str(page)])
    assert result.exit_code == 0, result.output
    added = list((install / "seeds" / "kazakhstan").glob("added-*.txt"))
    assert len(added) == 1 and "Almaty airport reopens" in added[0].read_text()
    assert "re-learned kazakhstan" in result.output


def test_feedback_errors_are_one_line(install: Path) -> None:
    unknown = CliRunner().invoke(app, ["feedback", "a-nope", "wrong"])
    assert unknown.exit_code == 2 and "unknown alert 'a-nope'" in unknown.output
    bad = CliRunner().invoke(app, ["feedback", "a-nope", "right"])
    assert bad.exit_code == 2 and "feedback ALERT_ID wrong" in bad.output
    topic = CliRunner().invoke(app, ["feedback", "add-example", "x.txt", "--topic", "nope"])
    assert topic.exit_code == 2 and "no topic 'nope'" in topic.output
