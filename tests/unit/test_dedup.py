"""Dedup rules on synthetic syndication transforms (pure, no store)."""

from __future__ import annotations

from newswatch import dedup
from newswatch.models import DedupDecision

BODY = (
    "Kazakhstan's President Kassym-Jomart Tokayev said on Wednesday that he had asked the "
    "Collective Security Treaty Organization for help. Protests that began over a rise in "
    "liquefied gas prices in Zhanaozen spread to Almaty, where government buildings were set "
    "on fire. The government resigned and a state of emergency was declared across the country. "
    "Russia said paratroopers would be sent as part of a peacekeeping force, and the airport in "
    "Almaty was retaken by security forces on Thursday after a night of clashes."
)
OTHER = (
    "The city council approved a new budget for public transport on Tuesday, adding two tram "
    "lines and a night bus network. Fares will stay the same for students and pensioners, the "
    "mayor said, while a monthly pass for commuters will cost slightly more from the spring. "
    "Construction of the first line is expected to begin next year and take three years."
)


def decide_all(texts: list[tuple[str, str, str | None]]) -> list[DedupDecision]:
    index = dedup.MemoryIndex()
    out = []
    for aid, text, url in texts:
        fp = dedup.fingerprint(text, canonical_url=url, title="")
        decision = dedup.decide(aid, fp, index)
        index.add(aid, fp, decision, on_topic=True)
        out.append(decision)
    return out


def test_same_canonical_url_is_a_duplicate() -> None:
    d = decide_all([("a", BODY, "https://x.org/a"), ("b", OTHER, "https://x.org/a")])
    assert (d[1].duplicate_of, d[1].kind) == ("a", "url")


def test_exact_text_with_other_case_and_punctuation() -> None:
    d = decide_all([("a", BODY, None), ("b", BODY.upper().replace(",", " ;"), None)])
    assert (d[1].duplicate_of, d[1].kind) == ("a", "exact")


def test_syndicated_copy_with_boilerplate_is_near_duplicate() -> None:
    copy = "Reuters. " + BODY + " Subscribe to our newsletter for more news from Central Asia."
    d = decide_all([("a", BODY, None), ("b", copy, None)])
    assert (d[1].duplicate_of, d[1].kind) == ("a", "near")


def test_truncated_copy_is_near_duplicate() -> None:
    d = decide_all([("a", BODY, None), ("b", BODY[: len(BODY) * 6 // 10], None)])
    assert d[1].duplicate_of == "a"


def test_unrelated_text_is_not_a_duplicate_and_starts_its_own_story() -> None:
    d = decide_all([("a", BODY, None), ("b", OTHER, None)])
    assert d[1].duplicate_of is None
    assert d[1].new_story and d[1].story_id != d[0].story_id


def test_containment_formula() -> None:
    # A inside B: |A|=50, |B|=100, J = 50/100
    assert abs(dedup.containment(0.5, 50, 100) - 1.0) < 1e-9
    assert dedup.containment(0.0, 50, 100) == 0.0
    assert dedup.containment(0.5, 0, 100) == 0.0


def test_fingerprint_is_deterministic_and_handles_cjk_and_empty_text() -> None:
    assert dedup.fingerprint(BODY, canonical_url=None) == dedup.fingerprint(
        BODY, canonical_url=None
    )
    zh = "哈萨克斯坦总统托卡耶夫请求集体安全条约组织提供帮助，抗议活动蔓延到阿拉木图。"
    fp = dedup.fingerprint(zh, canonical_url=None, lang="zh")
    assert fp.shingles > 10
    empty = dedup.fingerprint("", canonical_url=None)
    assert empty.shingles == 0
    d = decide_all([("a", "", None), ("b", "", None)])
    assert d[1].duplicate_of is None  # two empty texts are not the same article


def test_story_terms_prefer_rare_words() -> None:
    terms = dedup.story_terms("Tokayev asks CSTO for help", BODY, lang="en")
    assert "tokayev" in terms and "zhanaozen" in terms
    assert "the" not in terms and "said" not in terms


def test_an_exact_copy_is_found_before_its_signature_is_computed() -> None:
    """`find_copy` needs only the URL and the text hash; a copy found so keeps no
    signature, and the next copy still finds the original through the same hash."""
    index = dedup.MemoryIndex()
    fp = dedup.fingerprint(BODY, canonical_url="https://x.org/a")
    index.add("a", fp, dedup.decide("a", fp, index), on_topic=True)
    hashed = dedup.text_hash(dedup.normalise_text(BODY.upper()))
    assert hashed == fp.text_hash
    for aid in ("b", "c"):
        found = dedup.find_copy(aid, f"https://y.org/{aid}", hashed, index)
        assert found is not None and (found.duplicate_of, found.kind) == ("a", "exact")
        copy = dedup.exact_copy_fingerprint(f"https://y.org/{aid}", hashed)
        assert (copy.minhash, copy.bands, copy.story_terms) == ((), (), ())
        index.add(aid, copy, found, on_topic=True)
    assert dedup.find_copy("d", None, dedup.text_hash(dedup.normalise_text(OTHER)), index) is None
