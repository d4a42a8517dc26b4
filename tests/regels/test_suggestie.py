import pytest

from regels.gemeente import Municipality
from regels.tekst import stem, words


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("Weer vuilniszakken naast de ondergrondse container", "afval"),
        ("Kliko's staan al dagen op de stoep, overal zwerfafval", "afval"),
        ("De lantaarnpaal bij de speeltuin is kapot", "openbare_ruimte"),
        ("Jongeren dealen drugs in het portiek", "veiligheid"),
        ("Er worden kamers verhuurd aan arbeidsmigranten", "wonen"),
        ("Mijn oudere buurman is erg eenzaam en verward", "zorg"),
        ("Wij willen een buurtfeest organiseren", "bewonersinitiatief"),
    ],
)
def test_clear_text_suggests_its_theme_surely(
    deventer: Municipality, text: str, theme: str
) -> None:
    suggestion = deventer.suggester.suggest(text)
    assert (suggestion.theme, suggestion.sure) == (theme, True)
    assert suggestion.confidence >= 0.7 and suggestion.words


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("buurvrouw is zo eensaam", "zorg"),
        ("lantarenpaal doet het niet", "openbare_ruimte"),
        ("afvla bij de glasbakk", "afval"),
    ],
)
def test_misspellings_still_find_the_theme(deventer: Municipality, text: str, theme: str) -> None:
    assert deventer.suggester.suggest(text).theme == theme


def test_a_misspelling_alone_is_not_sure(deventer: Municipality) -> None:
    suggestion = deventer.suggester.suggest("buurvrouw is zo eensaam")
    assert not suggestion.sure and suggestion.confidence < 0.7


def test_no_keywords_means_no_theme_and_unsure(deventer: Municipality) -> None:
    suggestion = deventer.suggester.suggest("Goedemiddag, ik heb een vraag")
    assert (suggestion.theme, suggestion.sure, suggestion.confidence) == (None, False, 0.0)


def test_a_tie_is_unsure(deventer: Municipality) -> None:
    suggestion = deventer.suggester.suggest("overlast van vuilnis")
    assert not suggestion.sure and suggestion.alternatives


@pytest.mark.parametrize(
    ("word", "skeleton"),
    [
        ("straten", "strat"),
        ("straat", "strat"),
        ("zakken", "zak"),
        ("zakjes", "zak"),
        ("containers", "container"),
        ("vuilnis", "vuilnis"),
        ("eenzame", "enzam"),
        ("eenzaam", "enzam"),
    ],
)
def test_dutch_inflections_share_a_stem(word: str, skeleton: str) -> None:
    assert stem(word) == skeleton


def test_words_fold_accents_and_case() -> None:
    assert words("Coördinatie ÉÉN") == ["cordinati", "en"]
