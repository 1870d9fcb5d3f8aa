"""The learned profile is a file people edit: it round-trips, names bad lines, and keeps edits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.errors import ConfigError
from newswatch.matching import Matcher
from newswatch.models import Profile, ProfileTerm
from newswatch.profile import SeedDoc, dump_profile, learn_profile, load_profile
from newswatch.render import explain

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def learned() -> Profile:
    return learn_profile(read_seeds(REPO / "seeds"))


def test_learned_profile_keeps_the_topic_not_the_boilerplate(learned: Profile) -> None:
    labels = {t.label for t in learned.terms}
    keys = {t.key for t in learned.terms}
    assert {"Tokayev", "CSTO", "Kazakhstan", "Almaty"} <= labels
    for noise in ("sputnik", "subscribe", "discuss", "reply", "vednesdai", "januari"):
        assert noise not in keys
    csto = next(t for t in learned.terms if t.label == "CSTO")
    assert "KSSO" in csto.aliases and "Collective Security Treaty Organization" in csto.aliases
    kz = next(t for t in learned.terms if t.label == "Kazakhstan")
    assert {"Kazachstane", "Казахстан", "哈萨克斯坦"} <= set(kz.aliases)
    tokayev = next(t for t in learned.terms if t.label == "Tokayev")
    assert "Tokayevas" in tokayev.aliases
    assert learned.threshold > 0 and "leave-one-out" in learned.threshold_how
    assert all(t.why for t in learned.terms)


def test_a_paragraph_keeps_its_story_around_the_furniture() -> None:
    # a seed pasted as one paragraph per line: the furniture sentence goes, not the story
    from newswatch.profile import clean_seed

    text = (
        "Quake hits Marsk\n\n"
        "A strong earthquake struck Marsk on Monday. Rescuers searched the rubble. "
        "Subscribe to our newsletter.\n"
        "Leaders met on Tuesday to discuss aid for the survivors of the earthquake in Marsk.\n"
        "Earlier, the news agency Tengrinews.kz reported that 40 people died.\n"
        "Photo: Reuters\n"
        "Rescue teams arrived. pic.twitter.com/abc123"
    )
    kept, outlets = clean_seed(text, set())
    assert kept.splitlines() == [
        "A strong earthquake struck Marsk on Monday. Rescuers searched the rubble.",
        "Leaders met on Tuesday to discuss aid for the survivors of the earthquake in Marsk.",
        "Earlier, the news agency reported that 40 people died.",
    ]
    assert "Tengrinews" in outlets


def test_yaml_round_trip(learned: Profile) -> None:
    text = dump_profile(learned)
    assert text.startswith("# newswatch topic profile")
    assert load_profile(text) == learned


def test_bad_profile_lines_are_named() -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(
            "threshold: 1.0\nterms:\n  - key: a\n    weight: 1\n  - key: b\n    weight: heavy\n",
            path="p.yaml",
        )
    assert info.value.line == 5
    with pytest.raises(ConfigError, match="threshold"):
        load_profile("threshold: high\nterms: []\n", path="p.yaml")


def test_user_edits_survive_relearning(learned: Profile) -> None:
    almaty = next(t for t in learned.terms if t.label == "Almaty")
    tokayev = next(t for t in learned.terms if t.label == "Tokayev")
    edited = replace(
        learned,
        terms=tuple(
            [t for t in learned.terms if t.key not in {almaty.key, tokayev.key}]
            + [
                replace(tokayev, weight=3.0, pinned=True),
                ProfileTerm(
                    "odkb",
                    "ОДКБ",
                    "entity",
                    1.2,
                    ("ОДКБ",),
                    "added by hand: Russian acronym of the CSTO",
                ),
            ]
        ),
        excluded=(almaty.key,),
    )
    again = learn_profile(read_seeds(REPO / "seeds"), previous=load_profile(dump_profile(edited)))
    by_key = {t.key: t for t in again.terms}
    assert almaty.key not in by_key
    assert by_key[tokayev.key].weight == 3.0 and by_key[tokayev.key].pinned
    assert by_key["odkb"].label == "ОДКБ"
    assert again.excluded == (almaty.key,)


def test_learning_works_for_another_topic_and_language() -> None:
    seeds = [
        SeedDoc(
            "a.txt",
            "Die Bahn streikt: Die Gewerkschaft GDL ruft zum Streik im Personenverkehr auf. "
            "Millionen Pendler sind vom Streik der GDL betroffen, die Deutsche Bahn spricht von Chaos.",
        ),
        SeedDoc(
            "b.txt",
            "Der Streik der Lokführergewerkschaft GDL legt den Bahnverkehr lahm. Die Deutsche Bahn "
            "bietet einen Notfahrplan an, die GDL fordert mehr Lohn und kürzere Arbeitszeiten.",
        ),
        SeedDoc(
            "c.txt",
            "GDL-Chef kündigt weitere Streiks an. Die Deutsche Bahn will vor Gericht gegen den "
            "Streik vorgehen; Pendler müssen sich erneut auf Ausfälle im Bahnverkehr einstellen.",
        ),
    ]
    profile = learn_profile(seeds, name="bahnstreik")
    labels = {t.label.casefold() for t in profile.terms}
    assert "gdl" in labels
    assert any("streik" in label for label in labels)


def test_the_lexicon_translates_learned_words_and_never_adds_its_own() -> None:
    from newswatch.lexicon import translate
    from newswatch.models import ProfileTerm

    terms = [
        ProfileTerm("rioter", "rioters", "keyword", 0.28, ("rioters",), "seeds"),
        ProfileTerm("riot", "riot", "keyword", 0.20, ("riot",), "seeds"),
        ProfileTerm("csto", "CSTO", "entity", 1.1, ("CSTO",), "seeds"),
        ProfileTerm("zhanaozen", "Zhanaozen", "entity", 0.9, ("Zhanaozen",), "seeds"),
    ]
    out = {t.label: t for t in translate(terms, ("en",))}
    # two learned forms of one concept become one term (one word is not counted twice)
    assert set(out) == {"rioters", "CSTO", "Zhanaozen"}
    assert "riot" in out["rioters"].aliases
    # the concept's forms in other languages, as lemmas, keep the learned weight
    assert {"погром", "暴乱"} <= set(out["rioters"].aliases)
    assert out["rioters"].weight == 0.28 and "bundled lexicon" in out["rioters"].why
    assert {"ОДКБ", "集安组织", "KSSO"} <= set(out["CSTO"].aliases)
    # a name the lexicon does not know is left as learned
    assert out["Zhanaozen"] == terms[3]


def test_a_translation_much_commoner_than_the_learned_word_is_left_out() -> None:
    from newswatch.lexicon import translate
    from newswatch.models import ProfileTerm

    # "looter" is rare; the riot concept's Russian "толпа" (crowd) is an everyday word
    (term,) = translate([ProfileTerm("loter", "looters", "keyword", 0.3, ("looters",))], ("en",))
    assert "мародёр" in term.aliases or "мародер" in term.aliases
    assert "толпа" not in term.aliases


def test_a_concept_is_named_by_its_most_used_form_and_unknown_forms_are_not_rare(
    learned: Profile,
) -> None:
    # Lithuanian "susirėmimus" (clashes) is missing from wordfreq's Lithuanian list: Zipf 0
    # means unknown, not rare, so the term weighs what its known forms in the seeds weigh
    clash = next(t for t in learned.terms if "susirėmimus" in t.aliases)
    assert "clashes" in clash.aliases and clash.weight < 0.5
    assert clash.label in ("clashes", "violent", "violence")  # English forms are used most
    protest = next(t for t in learned.terms if "протест" in t.aliases)
    assert protest.label == "protests"
    assert "38 times" in protest.why  # every form in the seeds, sentence openers too


def test_learning_from_chinese_seeds() -> None:
    # Written for this test. Chinese has neither spaces nor capitals: words come from a
    # segmentation over wordfreq's Chinese list, places from CLDR, events from the lexicon.
    seeds = [
        SeedDoc(
            "a.txt",
            "哈萨克斯坦多地爆发抗议活动，示威者抗议液化气价格上涨。阿拉木图发生骚乱，"
            "政府宣布进入紧急状态。",
        ),
        SeedDoc(
            "b.txt",
            "阿拉木图的骚乱持续升级，抗议者冲击市政府大楼。哈萨克斯坦总统宣布全国进入紧急状态，"
            "并请求集体安全条约组织派出维和部队。",
        ),
        SeedDoc(
            "c.txt",
            "哈萨克斯坦警方说，骚乱中已有数千人被拘留。维和部队抵达阿拉木图，紧急状态仍在持续，"
            "抗议活动逐渐平息。",
        ),
    ]
    profile = learn_profile(seeds, name="zh")
    by_label = {t.label: t for t in profile.terms}
    assert {"哈萨克斯坦", "阿拉木图"} <= {t.label for t in profile.terms if t.kind == "entity"}
    assert "Kazakhstan" in by_label["哈萨克斯坦"].aliases  # CLDR
    assert {"骚乱", "紧急状态"} <= set(by_label)
    assert "unrest" in by_label["骚乱"].aliases or "riots" in by_label["骚乱"].aliases  # lexicon
    assert "KZ" in profile.places
    matcher = Matcher(profile)
    english = matcher.score(
        "Kazakhstan declares state of emergency after riots in Almaty",
        "Protesters stormed government buildings in Almaty as the unrest spread.",
        lang="en",
    )
    assert english.is_match, explain(english)
    elsewhere = matcher.score("Grain harvest", "Farmers in Kazakhstan expect a good harvest.", "en")
    assert not elsewhere.is_match


def test_outlet_names_in_several_languages_are_never_terms() -> None:
    from newswatch.profile import clean_seed

    cases = {
        "the TV channel Khabar 24 said protesters gathered in the square.": "Khabar 24",
        "Demirören Haber Ajansı'nın aktardığına göre ekipler çalışıyor.": "Demirören Haber",
        "Şok Haber gazetesine konuşan yetkili açıklama yaptı.": "Şok Haber",
        "Nachrichtenagentur Interpress meldete Proteste in der Stadt.": "Interpress",
    }
    for text, name in cases.items():
        assert name in clean_seed(text, set())[1], text
    # a canal is no channel: the Suez Canal stays a name
    assert not clean_seed("Süveyş Kanalı'nda gemi trafiği durdu ve bekleyen var.", set())[1]


def test_a_word_used_only_inside_a_phrase_is_known_as_such() -> None:
    from newswatch.profile.candidates import find_candidates
    from newswatch.profile.learn import _inside_phrases
    from newswatch.profile.merge import merge_forms

    docs = [
        ("The death toll rose to 600 in the city. Nickel prices fell on the news.", "en"),
        ("The death toll passed 900. Nickel was cheap; nickel mines closed.", "en"),
        ("A death toll of 1,200 was confirmed. Nickel exports stopped.", "en"),
    ]
    inside = _inside_phrases(merge_forms(find_candidates(docs, set())))
    assert "toll" in inside and "nickel" not in inside
