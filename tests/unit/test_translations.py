"""The translation table (English Wiktionary's translation tables, bundled) and how
learning uses it: senses the seeds confirm, a learned word keeping its own weight."""

from __future__ import annotations

import sqlite3
from importlib import resources

from newswatch import translations
from newswatch.lexicon import Evidence, translate
from newswatch.models import ProfileTerm
from newswatch.text import word_key


def _forms(sense: int) -> set[tuple[str, str]]:
    return {(f.lang, f.alias) for f in translations.forms(sense)}


def test_the_table_is_shipped_with_its_source_and_licence() -> None:
    assert translations.available()
    path = resources.files("newswatch.data") / translations.FILE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        meta = dict(db.execute("SELECT name, value FROM meta"))
    assert "wiktionary" in meta["source"]
    assert "CC BY-SA" in meta["licence"]


def test_a_russian_word_reaches_its_english_polish_and_chinese_forms() -> None:
    found = translations.senses([("ru", word_key("утечка", "ru"))])
    forms = set().union(*(_forms(s) for s in found))
    assert ("en", "leak") in forms
    assert ("pl", "przeciek") in forms
    assert ("zh", "泄漏") in forms
    # an inflected form of the seed finds the same senses (keys are lemmas)
    assert translations.senses([("ru", word_key("утечки", "ru"))]) == found


def test_unknown_words_and_languages_find_nothing() -> None:
    assert translations.senses([("ru", "нетакогослова")]) == set()
    assert translations.senses([("xx", "leak")]) == set()


def _term(label: str, weight: float = 0.3) -> ProfileTerm:
    return ProfileTerm(word_key(label, "en"), label, "keyword", weight, (label,), "test")


def test_a_sense_the_seeds_confirm_in_a_second_language_is_the_one_translated() -> None:
    # "bank" has many senses (the institution, a river's edge, ...); a Polish seed that
    # says "bank" and a German one that says "Bank" confirm the institution, not the shore
    docs = [
        ("The bank failed and the bank was closed by regulators.", "en"),
        ("Bank upadł, a bank zamknięto.", "pl"),
        ("Die Bank ist pleite.", "de"),
    ]
    (term,) = translate([_term("bank")], ("de", "en", "pl"), Evidence.of(docs))
    assert "банк" in term.aliases
    assert "берег" not in term.aliases  # a river bank
    assert "Wiktionary" not in term.why and "bank (n): institution" in term.why


def test_a_word_of_many_senses_that_no_second_language_confirms_stays_as_learned() -> None:
    docs = [("The board met.", "en"), ("The board was closed.", "en")]
    assert len(translations.senses([("en", word_key("board", "en"))])) > 3
    (term,) = translate([_term("board")], ("en",), Evidence.of(docs))
    assert term.aliases == ("board",)


def test_a_word_learned_in_its_own_language_keeps_its_own_weight() -> None:
    # the Polish seed taught "rurociąg"; the English seeds taught "pipeline" with a lower
    # weight: the Polish term must not lend its weight to the English word
    docs = [
        ("The pipeline exploded. The pipeline leaked.", "en"),
        ("Rurociąg eksplodował. Rurociąg przeciekał.", "pl"),
    ]
    pl = ProfileTerm(word_key("rurociąg", "pl"), "rurociąg", "keyword", 0.6, ("rurociąg",), "t")
    out = translate([pl, _term("pipeline", 0.1)], ("en", "pl"), Evidence.of(docs))
    by_label = {t.label: t for t in out}
    assert "pipeline" not in by_label["rurociąg"].aliases
    assert by_label["pipeline"].weight == 0.1
    assert (
        "газопровод" in by_label["rurociąg"].aliases or "газопровод" in by_label["pipeline"].aliases
    )


def test_a_countrys_demonyms_in_many_languages() -> None:
    forms = set(translations.demonyms("KZ"))
    assert {("ru", "казахстанский"), ("pl", "kazachstański"), ("de", "kasachisch")} <= forms
    assert translations.demonym_country("Kazakhstani") == "KZ"
    assert translations.demonym_country("Democratic") is None
    # short forms that are other words too are left out (Pole, a pole)
    assert all(len(f) >= 5 for lang, f in translations.demonyms("PL") if lang not in ("zh", "ja"))


def test_a_learned_country_matches_its_adjective_in_another_language() -> None:
    from newswatch.profile.merge import widen

    term = ProfileTerm("kazahstan", "Kazakhstan", "entity", 0.5, ("Kazakhstan",), "test")
    (wide,) = widen([term])
    assert {"kazachstański", "казахстанский", "Қазақстан"} <= set(wide.aliases)
    # a demonym learned as a name brings the demonyms, not the country's names
    demonym = ProfileTerm("kazakhstani", "Kazakhstani", "entity", 0.3, ("Kazakhstani",), "t")
    (wide,) = widen([demonym])
    assert "казахстанский" in wide.aliases and "Kazakhstan" not in wide.aliases


def test_a_capitalised_word_inside_a_sentence_is_no_evidence_of_its_sense() -> None:
    evidence = Evidence.of(
        [("Gas leaked from the Nord Stream pipeline. Rurociąg leży na dnie.", "en")]
    )
    assert not evidence.says(translations.Form("en", "stream", 4.0))  # part of a name
    assert evidence.says(translations.Form("en", "pipeline", 4.0))
    assert evidence.says(translations.Form("en", "rurociąg", 3.0))  # opens a sentence
    german = Evidence.of([("Die Leitung hat ein Leck.", "de")])
    assert german.says(translations.Form("de", "leck", 3.7))  # German nouns have capitals


def test_ukrainian_lithuanian_and_turkish_words_from_word_lists_join_one_sense() -> None:
    (explosion,) = translations.senses([("uk", word_key("вибух", "uk"))])
    assert ("ru", "взрыв") in _forms(explosion)
    banks = translations.senses([("uk", word_key("банк", "uk"))])
    assert not any(("ru", "берег") in _forms(s) for s in banks)  # not a river's bank
    (bankruptcy,) = translations.senses([("lt", word_key("bankrotas", "lt"))])
    assert ("en", "bankruptcy") in _forms(bankruptcy)
    # Turkish: more forms from its word list, for English words of one sense only ("kusur",
    # a defect); "çarp" (to hit) is listed for "strike" and joins none of its senses
    assert ("tr", "kusur") in _forms(next(iter(translations.senses([("en", "defect")]))))
    hits = translations.senses([("tr", word_key("çarp", "tr"))])
    assert not any("stoppage" in translations.name(s) for s in hits)


def test_lookups_from_several_threads_agree() -> None:
    from concurrent.futures import ThreadPoolExecutor

    key = [("ru", word_key("утечка", "ru"))]
    alone = translations.senses(key)
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: translations.senses(key), range(16)))
    assert all(f == alone for f in found) and alone


def test_a_phrase_whose_lemma_strays_is_found_in_every_case() -> None:
    # simplemma lemmatises Polish "trzęsienie" (earthquake) to the verb "trząść" but
    # "trzęsienia", "trzęsieniu" to "trzęsienie": the table keeps both spellings
    from newswatch.matching import Matcher
    from newswatch.models import Profile

    (quake,) = translations.senses([("en", word_key("earthquake", "en"))])
    polish = {alias for lang, alias in _forms(quake) if lang == "pl"}
    assert {"trząść ziemia", "trzęsienie ziemia"} <= polish
    # a Polish seed in the genitive finds the sense
    genitive = " ".join(word_key(w, "pl") for w in ("trzęsienia", "ziemi"))
    assert quake in translations.senses([("pl", genitive)])
    term = ProfileTerm(
        "earthquake", "earthquake", "keyword", 0.5, ("earthquake", *sorted(polish)), "test"
    )
    name = ProfileTerm("hatay", "Hatay", "entity", 0.5, ("Hatay",), "test")
    matcher = Matcher(Profile("quake", (term, name), 0.01, languages=("en",)))
    for text in (
        "Trzęsienie ziemi w Hatay.",
        "Po trzęsieniu ziemi w Hatay.",
        "Skutki trzęsienia ziemi w Hatay.",
    ):
        fired = {r.label for r in matcher.score("", text, lang="pl").reasons}
        assert "earthquake" in fired, text


def test_words_that_share_a_match_key_keep_their_own_senses() -> None:
    # "rubble" and "ruble" fold to one match key; the word itself says which it is
    assert len(translations.senses([("en", word_key("rubble", "en"))])) == 2
    docs = [("The rubble was cleared.", "en"), ("Rescuers dug through the rubble.", "en")]
    (term,) = translate([_term("rubble")], ("en",), Evidence.of(docs))
    assert "щебень" in term.aliases or "moloz" in term.aliases
    assert "рубль" not in term.aliases and "Rubel" not in term.aliases


def test_a_lexicon_concept_reaches_the_languages_the_lexicon_is_not_written_in() -> None:
    # "quake" is a form of the lexicon's earthquake concept (9 languages) and has no
    # sense of its own in the table; "earthquake" joins it as a form of the same concept.
    # The concept's sense carries the term to Turkish, Czech and Italian, and the joined
    # word counts for how common a translation may be (deprem is commoner than "quake")
    docs = [("A quake hit. The earthquake killed many; the quake destroyed towns.", "en")]
    quake, earthquake = _term("quake", 0.4), _term("earthquake", 0.3)
    assert translations.senses([("en", word_key("quake", "en"))]) == set()
    (term,) = translate([quake, earthquake], ("en",), Evidence.of(docs))
    assert term.label == "quake" and "earthquake" in term.aliases
    assert {"deprem", "zemětřesení", "terremoto", "землетрясение", "地震"} <= set(term.aliases)
    # a concept whose forms no one sense of the table shares in 3 languages has none
    from newswatch.lexicon import concept_sense, concepts

    names = [c.name for c in concepts()]
    assert concept_sense(names.index("earthquake")) is not None
    assert concept_sense(names.index("internet")) is None


def test_a_keyword_joins_a_phrase_of_the_same_concept() -> None:
    # "death toll" (a phrase) and "death" (a keyword) are forms of the lexicon's concept
    # of the killed: one term, so that an article's "жертв" counts once, not twice
    docs = [("The death toll rose. Each death was counted; the death toll is 600.", "en")]
    toll = ProfileTerm("death toll", "death toll", "phrase", 0.3, ("death toll",), "test")
    out = translate([toll, _term("death", 0.2)], ("en",), Evidence.of(docs))
    assert [t.label for t in out] == ["death toll"]
    assert "death" in out[0].aliases and "жертва" in out[0].aliases


def test_an_unconfirmed_word_takes_its_main_sense_only_when_it_has_one() -> None:
    # English seeds alone: "nickel" is the element (12 languages) far more than the coin
    # (3): the element's forms; "suspension" has no sense that dominates: none
    docs = [("Nickel prices doubled.", "en"), ("Nickel trading was halted.", "en")]
    (nickel,) = translate([_term("nickel")], ("en",), Evidence.of(docs))
    assert {"nikiel", "никель", "nikel"} <= set(nickel.aliases)
    assert "五分錢" not in nickel.aliases  # the coin
    docs = [("The suspension was lifted.", "en"), ("A suspension of trading.", "en")]
    (suspension,) = translate([_term("suspension")], ("en",), Evidence.of(docs))
    assert suspension.aliases == ("suspension",)
    # a word of a learned phrase means what the phrase does: "toll" of "death toll" is
    # no road toll, whatever its main sense
    docs = [("The death toll rose.", "en"), ("The death toll passed 600.", "en")]
    toll = ProfileTerm("death toll", "death toll", "phrase", 0.3, ("death toll",), "test")
    inside = frozenset({word_key("toll", "en")})
    out = translate([toll, _term("toll", 0.2)], ("en",), Evidence.of(docs), inside)
    assert next(t for t in out if t.label == "toll").aliases == ("toll",)
    # a word of another language has the senses of the English words it translates, not
    # its own: Russian "завал" (rubble) is no "backlog", however many languages that has
    docs = [("Спасатели разбирают завалы.", "ru"), ("Под завалами остались люди.", "ru")]
    rubble = ProfileTerm(word_key("завал", "ru"), "завал", "keyword", 0.3, ("завал",), "t")
    (rubble,) = translate([rubble], ("ru",), Evidence.of(docs))
    assert rubble.aliases == ("завал",)


def test_how_common_a_meaning_is_comes_from_its_english_form_too() -> None:
    # wordfreq's lists differ between languages: Russian "афтершок" (1.6) is rarer there
    # than "aftershock" (2.5) in English; the sense's English form says how common the
    # meaning is, so its forms are not left out as "more common than the learned word"
    docs = [("Афтершоки продолжались.", "ru"), ("Ночью были афтершоки.", "ru")]
    term = ProfileTerm(word_key("афтершок", "ru"), "афтершоки", "keyword", 0.4, ("афтершоки",), "t")
    (term,) = translate([term], ("ru",), Evidence.of(docs))
    assert {"aftershock", "Nachbeben", "artçı sarsıntı"} <= set(term.aliases)


def test_a_translation_that_is_a_common_word_of_another_language_is_left_out() -> None:
    # an alias is matched in articles of every language: Turkish "set" (a dam) would
    # fire on English "set"
    docs = [("The dam burst.", "en"), ("A dam was breached.", "en")]
    (dam,) = translate([_term("dam")], ("en",), Evidence.of(docs))
    assert {"baraj", "плотина", "Damm"} <= set(dam.aliases)
    assert "set" not in dam.aliases


def test_an_ending_after_a_glide_letter_keeps_the_stem_key() -> None:
    from newswatch.text import raw_key

    # y/j between vowels is a transliteration variant (Tokayev, Tokajev, Tokaev) ...
    assert raw_key("Tokayev") == raw_key("Tokajev") == raw_key("Tokaev")
    # ... but not before a vowel that ends the word: Turkish "barajı" is "baraj" + ı
    assert raw_key("barajı").startswith(raw_key("baraj"))


def test_an_article_in_a_language_of_the_table_is_lemmatised() -> None:
    # Turkish is no seed or lexicon language, but the table gives profiles Turkish words:
    # "depremlerde" (in the earthquakes) is "deprem" with five letters more
    from newswatch.matching import Matcher
    from newswatch.models import Profile

    quake = ProfileTerm("earthquake", "earthquake", "keyword", 0.5, ("deprem", "earthquake"))
    town = ProfileTerm("marsk", "Marsk", "entity", 0.5, ("Marsk",))
    matcher = Matcher(Profile("q", (quake, town), 0.01, languages=("en",)))
    fired = matcher.score("Marsk'ta depremlerde ölenler anıldı", "", lang="tr").reasons
    assert {r.label for r in fired} == {"earthquake", "Marsk"}


def test_a_concept_sense_is_taken_only_when_it_is_the_words_own() -> None:
    # "strike" has senses of its own, none confirmed by English seeds alone: the lexicon
    # concept's sense (the work stoppage) is one of them, so it carries the word to
    # Turkish and Italian; "emergency" is a form of the concept whose best sense is
    # martial law, no sense of "emergency": it keeps to the lexicon's languages
    docs = [("The strike went on.", "en"), ("Another strike began.", "en")]
    (strike,) = translate([_term("strike")], ("en",), Evidence.of(docs))
    assert {"grev", "sciopero"} <= set(strike.aliases)
    docs = [("The emergency went on.", "en"), ("Another emergency began.", "en")]
    (emergency,) = translate([_term("emergency")], ("en",), Evidence.of(docs))
    assert not {"sıkıyönetim", "legge marziale"} & set(emergency.aliases)


def test_an_alias_is_as_common_as_its_commoner_of_lemma_and_form() -> None:
    # simplemma gives Turkish "yıldırma" (intimidation) the lemma "yıl" (year): the table
    # stores "yıl" as common as it is, so a rare learned word never brings it
    db_forms = [
        f
        for s in translations.senses([("en", word_key("terrorism", "en"))])
        for f in translations.forms(s)
        if f.lang == "tr" and f.alias == "yıl"
    ]
    assert db_forms and all(f.zipf >= 5.0 for f in db_forms)


def test_a_lexicon_concept_is_one_meaning_not_a_family() -> None:
    # aid is no appeal, a building no city hall, an evacuation no citizens
    docs = [("Aid arrived. More aid came.", "en")]
    (aid,) = translate([_term("aid")], ("en",), Evidence.of(docs))
    assert "помощь" in aid.aliases
    assert not {"appeal", "request", "обращение", "apel"} & set(aid.aliases)
    docs = [("The building fell. Another building fell.", "en")]
    (building,) = translate([_term("building")], ("en",), Evidence.of(docs))
    assert "здание" in building.aliases
    assert not {"city hall", "Rathaus", "мэрия", "akimat"} & set(building.aliases)
    docs = [("The evacuation began. The evacuation ended.", "en")]
    (evacuation,) = translate([_term("evacuation")], ("en",), Evidence.of(docs))
    assert "эвакуация" in evacuation.aliases
    assert not {"citizens", "граждане", "obywatele"} & set(evacuation.aliases)


def test_a_learned_name_that_is_a_proper_name_of_the_table_gets_its_forms() -> None:
    from newswatch.matching import Matcher
    from newswatch.models import Profile

    valley = ProfileTerm(
        "silicon valley", "Silicon Valley", "entity", 0.6, ("Silicon Valley",), "t"
    )
    region = ProfileTerm("anatolia", "Anatolia", "entity", 0.5, ("Anatolia",), "t")
    city = ProfileTerm("almaty", "Almaty", "entity", 0.5, ("Almaty",), "t")
    wide = {t.key: t for t in translate([valley, region, city], ("en",))}
    assert {"硅谷", "Dolina Krzemowa", "Кремниевая долина", "シリコンバレー"} <= set(
        wide["silicon valley"].aliases
    )
    assert "proper names (Silicon Valley:" in wide["silicon valley"].why
    # a form far more common than the name is left out: Turkish "Anadolu" (also a news
    # agency's name), not "Anatolien" or 安纳托利亚
    assert {"Anatolien", "安纳托利亚"} <= set(wide["anatolia"].aliases)
    assert "Anadolu" not in wide["anatolia"].aliases
    # places are CLDR's to widen (see `merge.widen`), not the proper names'
    assert wide["almaty"].aliases == ("Almaty",)
    profile = Profile("t", (wide["silicon valley"],), 0.1, "", (), (), ("en",), ())
    match = Matcher(profile).score("硅谷一家银行倒闭", "硅谷一家银行倒闭，储户排队取款。", "zh")
    assert [r.label for r in match.reasons] == ["Silicon Valley"]


def test_a_learned_phrase_reaches_other_languages_through_its_sense() -> None:
    # an English phrase the seeds repeat, with one sense in the table
    docs = [
        ("The central bank raised its main interest rate again.", "en"),
        ("Economists expect the interest rate to stay high.", "en"),
    ]
    phrase = ProfileTerm("interest rate", "interest rate", "phrase", 0.2, ("interest rate",), "t")
    (wide,) = translate([phrase], ("en",), Evidence.of(docs))
    assert {"stopa procentowy", "利率", "tasa de interés"} <= set(wide.aliases)
    assert "interest rate (n)" in wide.why


def test_a_lexicon_form_s_lemma_that_is_an_everyday_word_of_another_language_is_left_out() -> None:
    # "died" (the lexicon's "killed" concept) has the lemma "die", German's "the": German
    # articles come whatever the seeds' languages, and "die" would fire in every one
    death = ProfileTerm("death", "death", "keyword", 0.3, ("death", "deaths"), "t")
    for languages in (("en", "de"), ("en",)):
        (wide,) = translate([death], languages)
        assert "Todesopfer" in wide.aliases
        assert "die" not in wide.aliases


def test_a_verb_form_takes_no_main_sense_of_its_noun() -> None:
    # "raising fears" is no pay rise, "forcing" no armed force: the table's senses are the
    # nouns', so an English word written only as an -ing or -ed form takes none of them
    docs = [("Raising fears, the bank fell.", "en"), ("Raising rates again, it said.", "en")]
    raising = ProfileTerm("raise", "raising", "keyword", 0.1, ("raising",), "t")
    (term,) = translate([raising], ("en",), Evidence.of(docs))
    assert term.aliases == ("raising",)
    # a word written as the noun still takes it ("nickel", the element)
    nickel = ProfileTerm("nickel", "nickel", "keyword", 0.3, ("nickel",), "t")
    docs = [("Nickel prices rose.", "en"), ("The nickel market fell.", "en")]
    (term,) = translate([nickel], ("en",), Evidence.of(docs))
    assert "никель" in term.aliases


def test_a_demonym_found_by_its_country_s_name_shares_nearly_all_of_it() -> None:
    # "Philistine" begins as "Philippines" does, for 5 letters of 10: no demonym of it
    assert translations.demonym_country("Philistine") is None
    assert translations.demonym_country("Kazakh") == "KZ"


def test_a_proper_name_and_a_noun_are_written_together_in_chinese_and_japanese() -> None:
    bank = ProfileTerm("svb", "SVB", "entity", 0.8, ("SVB", "Silicon Valley Bank"), "t")
    (wide,) = translate([bank], ("en",))
    assert {"硅谷银行", "シリコンバレー銀行"} <= set(wide.aliases)
    assert not any("岸" in a for a in wide.aliases)  # the noun's main senses only
