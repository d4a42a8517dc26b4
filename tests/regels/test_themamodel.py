"""How the theme model turns text into features."""

from regels.themamodel import Lexicon, grams, normalise, tokens, word_features


def test_normalise_folds_case_accents_and_letter_forms() -> None:
    assert normalise("Coördinatie ÉÉN") == "coordinatie een"
    assert normalise("KAPALI ışık") == "kapali isik"  # Turkish dotless i
    assert normalise("أكياس القمامة") == "اكياس القمامه"  # alef with hamza, ta marbuta


def test_tokens_keep_letters_of_every_script_and_drop_numbers() -> None:
    assert tokens("Rijnstraat 12a: 3 zakken!! çöp") == ["rijnstraat", "zakken", "cop"]
    assert tokens("الحاوية ممتلئة") == ["الحاويه", "ممتليه"]  # hamza seats folded too


def test_compounds_split_into_known_words_head_last() -> None:
    lexicon = Lexicon(frozenset({"zwerf", "vuil", "papier", "container", "stad", "deel"}))
    assert lexicon.split("zwerfvuil") == ("zwerf", "vuil")
    assert lexicon.split("papiercontainer") == ("papier", "container")
    assert lexicon.split("stadsdeel") == ("stad", "deel")
    assert lexicon.split("container") is None  # a known word stays whole
    assert lexicon.split("onbekendwoord") is None


def test_a_misspelling_shares_most_character_grams() -> None:
    right, wrong = set(grams("lantaarnpaal")), set(grams("lanteernpaal"))
    assert len(right & wrong) / len(right) > 0.5


def test_word_features_hold_stem_parts_and_grams() -> None:
    features = word_features("zwerfvuil", Lexicon(frozenset({"zwerf", "vuil"})))
    assert {"w:zwerfvuil", "w:zwerf", "w:vuil", "c:<zwe", "c:uil>"} <= set(features)
