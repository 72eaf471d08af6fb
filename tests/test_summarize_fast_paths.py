"""The summarizer's fast paths give exactly what the plain code they replace gave (kept here as
the reference): ASCII tokenisers, link blanking by chunks, tidying, datelines, verbs, names."""

from __future__ import annotations

import itertools
import re
import sys
from collections import Counter
from unittest.mock import patch

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.models import Story, Summary
from digest.seeds import story_from_text
from digest.summarize import (
    compress,
    extract,
    grounding,
    hashtags,
    names,
    sentences,
    summarize,
    verbs,
)
from digest.summarize import text as text_module
from digest.summarize.text import (
    FUNCTION_WORDS,
    NEAR_ASCII_EXTRA,
    STOPWORDS,
    bare,
    capitalise,
    ends_cleanly,
    has_words,
    near_ascii,
)
from digest.text import nfc

ASCII = [chr(c) for c in range(128)]
# Text that reaches the edge cases: every ASCII character, links and handles, apostrophes and
# initials, white space of several kinds, letters with case and without.
PIECES = [
    *ASCII,
    "A. B",
    "U.S.",
    "O'Neil",
    "Obama's",
    "’s",
    "www.",
    "http://",
    "x.com/a",
    "@bbc",
    "#tag",
    "C++",
    "a@b.co",
    " ",
    "  ",
    "\u00a0",
    "\u2009",
    "\x1c",
    "é",
    "İ",
    "I'm",
    "Ⅻ",
    "東京",
    "ﬁ",
    "(CNN)",
    "Mary Queen of Scots",
    " , ",
    " .",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
ASCII_TEXT = st.text(alphabet=st.sampled_from(ASCII), max_size=80)


def test_ascii_classes_match_the_unicode_ones() -> None:
    for char in ASCII:
        for probe in (f"A.{char}B", f"x{char}y", f"{char}", f"a'{char}b", f"{char}{char}Z"):
            assert names.ASCII_TOKEN.findall(probe) == names._TOKEN.findall(probe), probe
            assert hashtags.ASCII_WORDS.findall(probe) == hashtags._WORDS.findall(probe), probe


@given(ASCII_TEXT)
def test_ascii_tokenisers(text: str) -> None:
    assert names.tokens_of(text) == names._TOKEN.findall(text)
    assert hashtags.ASCII_WORDS.findall(text) == hashtags._WORDS.findall(text)


@given(ASCII_TEXT)
def test_ascii_lower_words(text: str) -> None:
    for word in [*hashtags.ASCII_WORDS.findall(text), text, text.lower()]:
        assert hashtags.ascii_lower_word(word) is bool(hashtags._LOWER.fullmatch(word)), word


def test_ascii_lower_word_cases() -> None:
    for word in "hello hell -hello hello- he-llo a---- Hello hello's hel1o ----- ".split(" "):
        assert hashtags.ascii_lower_word(word) is bool(hashtags._LOWER.fullmatch(word)), word


@given(TEXT)
def test_tokens_of_any_text(text: str) -> None:
    assert names.tokens_of(text) == names._TOKEN.findall(text)


def plain_reference(paragraph: str) -> str:
    text = nfc(paragraph)
    if "(" in text:
        text = hashtags._DATELINE.sub(" . ", text)
    return str(hashtags._NOT_TEXT.sub(" ", text))


@given(TEXT)
def test_links_blanked_by_chunks(text: str) -> None:
    assert hashtags._plain(text) == plain_reference(text)


LINKY_ASCII = st.lists(
    st.sampled_from([p for p in PIECES if p.isascii()] + ["WWW.", "wWw.", "a/b", "+1", "\x1f"]),
    max_size=40,
).map("".join)


@given(LINKY_ASCII)
def test_ascii_links_blanked_as_the_regex_module_does(text: str) -> None:
    assert hashtags.maybe_not_text(text) is bool(hashtags._MAYBE_NOT_TEXT.search(text))
    fast = [m.group() for m in hashtags.ASCII_CHUNK_NOT_TEXT.finditer(text)]
    assert fast == [m.group() for m in hashtags._CHUNK_NOT_TEXT.finditer(text)]
    assert hashtags._plain(text) == plain_reference(text)


def test_ascii_chunks_end_at_the_regex_modules_white_space() -> None:
    for char in ASCII:
        text = f"a{char}x/y{char}b"
        fast = hashtags.ASCII_CHUNK_NOT_TEXT.findall(text)
        assert fast == hashtags._CHUNK_NOT_TEXT.findall(text), repr(char)


def tidy_reference(text: str) -> str:
    text = compress._SPACES.sub(lambda m: m.group(1) or " ", text).strip()
    return text.lstrip(",;: ")


@given(TEXT)
def test_tidy(text: str) -> None:
    assert compress._tidy(text) == tidy_reference(text)


@given(TEXT)
def test_strip_dateline(text: str) -> None:
    for sentence in (text, "LONDON (CNN) -- " + text, "By . Jo Smith. " + text):
        assert compress.strip_dateline(sentence) == compress.DATELINE.sub("", sentence).strip()


def compress_reference(sentence: str) -> str:
    text = compress.strip_dateline(sentence)
    whole = verbs.is_sentence(text)
    for pattern, replacement in (
        (compress.PARENTHETICAL, " "),
        (compress._TRAILING_SAY, ""),
        (compress._RELATIVE, " "),
        (compress._TRAILING_PARTICIPLE, ""),
        (compress._LEADING_CLAUSE, ""),
        (compress._LEADING_SAY, ""),
    ):
        shorter = tidy_reference(pattern.sub(replacement, text, count=1))
        enough = len(shorter) >= compress.MIN_KEEP * len(sentence) and len(shorter.split()) >= 4
        if enough and (verbs.is_sentence(shorter) or not whole):
            text = shorter
    if len(text.split()) > compress.LONG:
        shorter = tidy_reference(compress._TRAILING_CLAUSE.sub("", text, count=1))
        if len(shorter.split()) >= 8 and (verbs.is_sentence(shorter) or not whole):
            text = shorter
    return capitalise(text)


# Sentences each deletion of compress can find something in, spaced oddly at times.
CLAUSES = st.lists(
    st.sampled_from(
        [
            *"The mayor|said|told|reporters|police|on Monday|that|the plan failed".split("|"),
            *"was sound|(CNN) --|LONDON (CNN) --|In a statement,|However,|Police said".split("|"),
            *"Officials said|, which|, who|, sparking|, according to|, police said".split("|"),
            *", despite|, as|, but|(pictured)|(AP)|(2)|the|a|of|with|new|rules|10%|$5m".split("|"),
            *'"|”|;|:|.|?|!'.split("|"),
            *[" ", "  ", "\t", "\n", "\x1c", "\u00a0", " ,", ", ", "é", "東京"],
        ]
    ),
    max_size=40,
).map(" ".join)


@given(CLAUSES)
def test_compress(text: str) -> None:
    for sentence in (text, text + ".", text + ' police said."', text.replace(" ", "  ")):
        assert compress.compress(sentence) == compress_reference(sentence)


def verb_like_reference(word: str, before: str) -> bool:
    plain = bare(word)
    if not word[:1].islower():
        return bool(verbs._CONTRACTED.search(plain)) or plain in verbs._OPENING_CONTRACTIONS
    if plain in verbs.VERBS or verbs._ED.match(plain) or verbs._CONTRACTED.search(plain):
        return True
    return bool(verbs._S.match(plain)) and bool(before) and bare(before) not in FUNCTION_WORDS


WORDS = st.lists(
    st.sampled_from(
        "the plans Ford said walked It's isn't he'd Reads with, “says” boss cuts of bus gas A x "
        "talks".split()
    ),
    max_size=12,
)


@given(WORDS)
def test_has_verb(words: list[str]) -> None:
    text = " ".join(words)
    split = text.split()
    before = ["", *split]
    reference = [i for i, w in enumerate(split) if verb_like_reference(w, before[i])]
    assert verbs.verb_positions(split) == reference
    assert verbs.has_verb(text) is bool(reference)


def capital_reference(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in names._PRONOUNS


def runs_reference(tokens: list[str]) -> list[tuple[tuple[str, ...], bool]]:
    possessive = regex.compile(r"['’]s$")
    out, index, before = [], 0, ""
    while index < len(tokens):
        if not capital_reference(tokens[index]):
            before, index = tokens[index], index + 1
            continue
        run, end = [tokens[index]], index + 1
        while end < len(tokens) and not possessive.search(run[-1]):
            if capital_reference(tokens[end]):
                run.append(tokens[end])
                end += 1
            elif tokens[end].lower() in names.CONNECTORS and end + 1 < len(tokens):
                if not capital_reference(tokens[end + 1]):
                    break
                run += tokens[end : end + 2]
                end += 2
            else:
                break
        mid = bool(before) and before not in names._ENDS_SENTENCE
        out.append((tuple(possessive.sub("", w).rstrip(".") for w in run), mid))
        before, index = tokens[end - 1], end
    return out


NAME_WORDS = st.sampled_from(
    "Mary Queen of Scots de Lula Silva I I'm İ Obama's Ed Balls . said the A. Jordanian women "
    "President Putin '".split()
)


@given(st.lists(NAME_WORDS, max_size=30))
def test_runs(tokens: list[str]) -> None:
    capital = names._capitalised(set(tokens))
    assert names._runs(tokens, [t in capital for t in tokens]) == runs_reference(tokens)


def clean_reference(
    words: tuple[str, ...], opens: bool, known: set[str], lower_words: set[str]
) -> tuple[str, ...]:
    run = list(words)
    if opens and len(run) > 1 and names._describes(run, known, lower_words):
        run = run[1:]
    for index in range(len(run) - 1, 0, -1):
        if run[index - 1].lower() in names._ROLES and run[index].lower() not in names.CONNECTORS:
            run = run[index:]
            break
    while run and (
        run[0].lower() in names._LEADING or len(run[0]) == 1 or run[0] in names.CONNECTORS
    ):
        run = run[1:]
    while run and (run[-1].lower() in names.CONNECTORS or len(run[-1]) == 1):
        run = run[:-1]
    return tuple(w for w in run if w.lower() not in names.EVALUATIVE)


@given(st.lists(NAME_WORDS, min_size=1, max_size=4), st.booleans())
def test_clean(words: list[str], opens: bool) -> None:
    found = tuple(words)
    known, lower = {"Mary", "Balls"}, {"women", "queen"}
    assert names._clean(found, opens, known, lower) == clean_reference(found, opens, known, lower)


def merged_reference(counts: Counter[tuple[str, ...]]) -> list[names.Name]:
    def part_of(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
        size = len(part)
        if size == 1:
            return part[0] in (whole[0], whole[-1])
        return any(whole[i : i + size] == part for i in range(len(whole) - size + 1))

    totals = Counter(counts)
    for words in sorted(counts, key=len):
        homes = [n for n in counts if len(n) > len(words) and part_of(words, n)]
        if homes:
            home = max(homes, key=lambda n: (counts[n], -len(n), n))
            totals[home] += totals.pop(words)
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [names.Name(words, count) for words, count in ranked]


NAMES = st.lists(st.sampled_from(["Mary", "Queen", "Scots", "Ed", "Balls", "Ed"]), min_size=1)


@given(st.dictionaries(NAMES.map(tuple), st.integers(1, 5), max_size=8))
def test_merged(counts: dict[tuple[str, ...], int]) -> None:
    assert names._merged(Counter(counts)) == merged_reference(Counter(counts))


def test_every_pair_of_ascii_characters_tokenises_alike() -> None:
    for pair in itertools.product(ASCII, repeat=2):
        text = "A." + "".join(pair) + "B"
        assert names.tokens_of(text) == names._TOKEN.findall(text)
        assert re.fullmatch(r"[\x00-\x7f]*", text)


# The reporting phrases _NOT_A_POINT finds, whole and in pieces, in any case, and with letters
# IGNORECASE folds to ASCII ones (ſ is s, K is k, ı and İ are i).
REPORTING_PHRASES = [
    *"Scroll down|Click here|Read more|Watch|Follow|Sign up|CLICK|could not be reached".split("|"),
    *"did not respond|did not immediately respond|declined to comment|not immediately ".split("|"),
    *"contributed to this report|not immediately clear|not immediately known|clear".split("|"),
    *"not immediately available|did not |immediately |not |respond|declined|comment".split("|"),
]
FOLDED = str.maketrans({"s": "ſ", "k": "K", "i": "ı", "I": "İ"})
REPORTING = st.lists(
    st.one_of(
        st.sampled_from(REPORTING_PHRASES + [p.translate(FOLDED) for p in REPORTING_PHRASES]),
        st.sampled_from([*ASCII, "é", "\n"]),
    ).flatmap(lambda piece: st.sampled_from([piece, piece.upper(), piece.title()])),
    max_size=12,
).map("".join)


@settings(max_examples=1000)
@given(REPORTING)
def test_not_a_point(text: str) -> None:
    for sentence in (text, text.lower(), text.upper(), text.swapcase()):
        assert extract.not_a_point(sentence) is bool(extract._NOT_A_POINT.search(sentence))


@given(st.text(max_size=300))
def test_not_a_point_any_text(text: str) -> None:
    assert extract.not_a_point(text) is bool(extract._NOT_A_POINT.search(text))


def test_not_a_point_cases() -> None:
    for text, expected in [
        ("", False),
        ("Click", True),
        ("cLiCkbait spreads", True),
        ("He did NOT immediately Respond.", True),
        ("He did not  respond.", False),
        ("It was not immediately clear why.", True),
        ("BBC News contributed to this report", True),
        ("Officials declined to comment.", True),
        ("Officials declined to ſay.", False),
        ("ſcroll down for video", True),  # the regex path: ſ folds to s
        ("The watch was stolen.", False),
        ("Watchdogs warned.", True),
        ("x" * 100_000 + " could not be reached", True),
    ]:
        assert extract.not_a_point(text) is expected, text
        assert bool(extract._NOT_A_POINT.search(text)) is expected, text


def ungrounded_reference(story: Story, summary: Summary) -> list[str]:
    source = grounding.source_text(story)
    known_numbers = set(grounding._NUMBER.findall(source))
    known_words = {t.strip("'’-") for t in set(grounding._TOKEN.findall(source))}
    lowered = {w.lower() for w in known_words}
    problems = []
    for field, text in (
        ("headline", summary.headline),
        ("tagline", summary.tagline),
        *(("bullet", b) for b in summary.bullets),
    ):
        for number in grounding._NUMBER.findall(text):
            if number not in known_numbers:
                problems.append(f"{field}: number {number!r} is not in the seed")
        for index, word in enumerate(grounding._tokens(text)):
            if not word[:1].isupper():
                continue
            seen = word.lower() in lowered if index == 0 else word in known_words
            if not seen:
                problems.append(f"{field}: name {word!r} is not in the seed")
    return problems


# Numbers, names and what stands around them in a seed: separators, the characters a token's
# ends lose ('’-), digits \d takes (٣) and leaves (², ½), word characters that are not letters.
GROUNDED = st.lists(
    st.sampled_from(
        [
            *"1|2|12|1.5|1,000|3:30|.|,|:|'|’|-|_|٣|²|½|Ed|ED|ed|Balls|Ed's|’Ed|-Ed-|Ed_".split(
                "|"
            ),
            *" |\n|x|É|é|İ|i̇|ǅ|Mc|McEd|Ed-Balls|Balls'|O'Neil|o'neil|The|the".split("|"),
        ]
    ),
    max_size=30,
).map("".join)


@given(GROUNDED, st.integers(1, 10))
def test_source_numbers_and_words(text: str, looks: int) -> None:
    numbers = set(grounding._NUMBER.findall(text))
    words = {t.strip("'’-") for t in grounding._TOKEN.findall(text)}
    asked = [*grounding._NUMBER.findall(text + " 1 12 1.5 2:1 ٣"), "0", "5.5"]
    with patch.object(grounding, "LOOKS", looks):
        source = grounding.Source(text)
        for number in asked:
            assert source.has_number(number) is (number in numbers), number
        for word in {*words, *grounding._tokens("Ed Balls ED E É Mc O'Neil The")} - {""}:
            assert source.has_word(word) is (word in words), word
            assert source.has_lower(word.lower()) is (word.lower() in {w.lower() for w in words})


@given(GROUNDED, GROUNDED, st.lists(GROUNDED, min_size=2, max_size=5))
def test_ungrounded(title: str, text: str, fields: list[str]) -> None:
    story = story_from_text("s", "Ed Balls said 2.5 things.")
    summary = summarize(story).model_copy(
        update={"headline": fields[0], "tagline": fields[1], "bullets": tuple(fields[2:])}
    )
    article = story.articles[0].model_copy(update={"paragraphs": (text, "Ed")})
    story = story.model_copy(update={"title": title, "articles": (article,)})
    assert grounding.ungrounded(story, summary) == ungrounded_reference(story, summary)


def test_source_of_many_repeats() -> None:
    text = "Ed" * 5000 + " x-Ed Ed- 2.5 1.5 " + "1.5." * 3000
    source = grounding.Source(text)
    assert source.has_word("Ed") and not source.has_word("Edd") and not source.has_word("E")
    assert source.has_number("1.5") and not source.has_number("2") and not source.has_number("5")
    dashes = grounding.Source("-" * 100_000 + "Ed" + "-" * 100_000 + " 'Eds' Edd")
    assert dashes.has_word("Ed") and dashes.has_word("Eds") and not dashes.has_word("E")


def adjectival_reference(tokenised: list[list[str]]) -> set[str]:
    out = set()
    for tokens in tokenised:
        for index, (token, after) in enumerate(itertools.pairwise(tokens)):
            if capital_reference(token) and after[:1].islower():
                low = after.lower()
                if not low.endswith(("ed", "s")) and low not in names._NOT_NOUNS:
                    out.add(tokens[index].lower())
    return out


def common_reference(word: str, lower_words: set[str], adjectival: set[str]) -> bool:
    low = word.lower()
    if low in names._COMMON or len(word) < 3:
        return True
    if word.isupper():
        return False
    return low in lower_words or (low.endswith(names._DEMONYM_ENDING) and low in adjectival)


def names_of_reference(paragraphs: list[str]) -> list[names.Name]:
    """names_of as first written: the regex module's tokens, paragraph by paragraph."""
    tokenised = [names._TOKEN.findall(paragraph) for paragraph in paragraphs]
    runs = [run for tokens in tokenised for run in runs_reference(tokens)]
    known = {w for words, mid in runs if mid for w in words}
    lower_words = {t for tokens in tokenised for t in tokens if t[:1].islower()}
    raw: Counter[tuple[str, ...]] = Counter()
    inside = set()
    for found, mid in runs:
        if words := clean_reference(found, not mid, known, lower_words):
            raw[words] += 1
            if mid:
                inside.add(words)
    adjectival = adjectival_reference(tokenised)
    kept = Counter(
        {
            words: count
            for words, count in raw.items()
            if len(words) > 1
            or (words in inside and not common_reference(words[0], lower_words, adjectival))
        }
    )
    return merged_reference(kept)


# Paragraphs of names, their parts, sentence ends and what stands beside a name.
NAMED = st.lists(
    st.sampled_from(
        [
            *"Mary|Queen|of|Scots|de|Lula|da|Silva|Ed|Balls|Balls's|Obama’s|O'Neil|McDonald".split(
                "|"
            ),
            *"I|I'm|I’m|İ|A.|J. K.|U.S.|Jordanian|women|President|Putin|said|the".split("|"),
            *"light|Light".split("|"),
            *"Former|Broadcaster|Chris|Evans|ISIS|NATO|Zürich|São|Paulo|東京|£5|—|‘|’|'".split("|"),
            *' |  |\n|\t|\x1c|\u00a0|.|, |. |: |"|(|)|-|--|x-Ed'.split("|"),
        ]
    ),
    max_size=60,
).map("".join)


@given(st.lists(NAMED, max_size=4))
def test_names_of(paragraphs: list[str]) -> None:
    for texts in (paragraphs, [" ".join(paragraphs)], [p.replace(" ", "  ") for p in paragraphs]):
        assert names.names_of(texts) == names_of_reference(texts)


def test_near_ascii_characters_are_no_letter_mark_digit_or_space() -> None:
    for char in NEAR_ASCII_EXTRA:
        assert not regex.match(r"[\p{L}\p{M}\p{N}\s]", char), repr(char)
        assert not re.match(r"[\w\s]", char), repr(char)
        assert char.lower() == char == char.upper() and not char.isascii(), repr(char)


NEAR_ASCII_TEXT = st.lists(
    st.sampled_from([*ASCII, *NEAR_ASCII_EXTRA, "A. B", "don’t", "’s", "www.", "x/y", "£5"]),
    max_size=60,
).map("".join)


@given(NEAR_ASCII_TEXT)
def test_near_ascii_text_tokenises_as_unicode_text(text: str) -> None:
    assert near_ascii(text)
    assert names.tokens_of(text) == names._TOKEN.findall(text)
    words = hashtags.ASCII_WORDS.findall(text)
    assert words == hashtags._WORDS.findall(text)
    for word in [*words, text]:
        assert hashtags.ascii_lower_word(word) is bool(hashtags._LOWER.fullmatch(word)), word
    assert hashtags.maybe_not_text(text) is bool(hashtags._MAYBE_NOT_TEXT.search(text))
    fast = [m.group() for m in hashtags.ASCII_CHUNK_NOT_TEXT.finditer(text)]
    assert fast == [m.group() for m in hashtags._CHUNK_NOT_TEXT.finditer(text)]
    assert hashtags._plain(text) == plain_reference(text)


@given(st.text(max_size=40))
def test_near_ascii(text: str) -> None:
    assert near_ascii(text) is all(c.isascii() or c in NEAR_ASCII_EXTRA for c in text)


@given(st.lists(NEAR_ASCII_TEXT, max_size=3))
def test_topic_of_near_ascii_text(paragraphs: list[str]) -> None:
    assert hashtags._topic(paragraphs) == topic_reference(paragraphs)
    assert names.names_of(paragraphs) == names_of_reference(paragraphs)


def topic_reference(paragraphs: list[str]) -> str | None:
    """_topic as first written: the regex module's words and lower-case test."""
    raw: Counter[str] = Counter()
    nouns: set[str] = set()
    for paragraph in paragraphs:
        tokens = ["", *hashtags._WORDS.findall(paragraph), ""]
        for index, token in enumerate(tokens):
            if token and hashtags._LOWER.fullmatch(token):
                raw[token] += 1
                after, before = tokens[index + 1], tokens[index - 1]
                if (
                    not after[:1].isalpha()
                    or after.lower() in STOPWORDS
                    or before.lower() in hashtags._DETERMINERS
                ):
                    nouns.add(token)
    counts: dict[str, int] = {}
    for word, count in raw.items():
        single = word.removesuffix("s")
        key = single if single in raw else word
        counts[key] = counts.get(key, 0) + count
        if word in nouns:
            nouns.add(key)
    ranked = sorted(
        (
            (w, n)
            for w, n in counts.items()
            if n >= 3 and w in nouns and hashtags._could_be_topic(w)
        ),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[0][0] if ranked else None


@given(st.lists(NAMED, max_size=4))
def test_topic(paragraphs: list[str]) -> None:
    for texts in (paragraphs, [p.lower() for p in paragraphs], [" the ".join(paragraphs) * 3]):
        assert hashtags._topic(texts) == topic_reference(texts)


@given(st.one_of(st.text(max_size=60), ASCII_TEXT))
def test_has_digit(text: str) -> None:
    for probe in (text, text + "٣", text + "7"):
        assert extract.has_digit(probe) is bool(extract._NUMBER.search(probe))


# Words and white space of every kind (\u200b is unprintable, yet no white space).
SPACED = st.lists(
    st.sampled_from(
        ["a", "bb", ".", " ", "  ", "\t", "\n", "\x1c", "\u00a0", "\u2028", "\u3000", "\u200b"]
    ),
    max_size=60,
).map("".join)


@given(SPACED, st.integers(1, 25))
def test_has_words(text: str, count: int) -> None:
    assert has_words(text, count) is (len(text.split()) >= count)


@given(SPACED)
def test_single_spaced(text: str) -> None:
    printable = "".join(c for c in text if c.isprintable())
    for probe in (text, " ".join(text.split()), text.strip(), printable, printable.strip()):
        for edged in (probe, probe + " ", " " + probe, probe.replace("  ", " ")):
            assert compress.single_spaced(edged) is (edged == " ".join(edged.split()))


def test_every_white_space_but_space_is_unprintable() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isspace() and char != " ":
            assert not char.isprintable(), hex(code)


@given(st.frozensets(st.integers(0, 12).map(str)), st.frozensets(st.integers(0, 12).map(str)))
def test_similar(a: frozenset[str], b: frozenset[str]) -> None:
    expected = bool(a) and bool(b) and len(a & b) / len(a | b) > extract.REDUNDANT
    assert extract._similar(a, b) is expected


WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")  # what sentences.word_before finds


WORD_ENDS = st.lists(st.sampled_from([*ASCII, "U.S", "Mr", "..", "é", "ſ", "K"]), max_size=20)


@given(WORD_ENDS.map("".join))
def test_word_before(text: str) -> None:
    found = WORD_BEFORE.search(text)
    assert sentences.word_before(text) == (found.group(1) if found else "")


END = re.compile(r"""[.!?…؟۔]+['"”’)\]]*(?=\s)""")  # what sentences.end_spans finds


def ends_here_reference(text: str, end: re.Match[str], following: re.Match[str]) -> bool:
    if end.group() != ".":
        return True
    before = text[max(0, end.start() - 30) : end.start() + 1]
    word = WORD_BEFORE.search(before[:-1])
    if not word:
        return True
    token = word.group(1)
    if token.lower() in sentences.ABBREVIATIONS:
        return following.group(2)[:1].isupper() and token.lower() in {"etc", "inc", "ltd", "co"}
    dotted = "." in token or (len(token) == 1 and token.isupper())
    if dotted and sentences._DOTTED.search(before):
        return following.group(1) == "" and following.group(2) in sentences.OPENERS
    return True


def split_reference(text: str) -> list[str]:
    """split_sentences as first written: the regexes it tried at every character."""
    out, start = [], 0
    for end in END.finditer(text):
        following = sentences._NEXT.match(text, end.end())
        if not following or not sentences._opens(following.group(2)):
            continue
        if not ends_here_reference(text, end, following):
            continue
        if piece := text[start : end.end()].strip():
            out.append(piece)
        start = end.end()
    return [*out, tail] if (tail := text[start:].strip()) else out


# Sentence ends and what stands around them: marks of every script, closers, white space of
# every kind (\x1c is white space to re), abbreviations, initials, openers.
ENDS = st.lists(
    st.sampled_from(
        [
            *".|!|?|…|؟|۔|...|?!|'|\"|”|’|)|]|(|“|‘".split("|"),
            *" |  |\n|\t|\x1c|\u00a0|\u2028|\u3000".split("|"),
            *"The|He|Mr|Mrs|St|No|etc|Inc|Ltd|Co|U.S|J|K|A|x|it|3|5|دولة|東京|é".split("|"),
            *'Mr." |U.S.) |J. |etc." |No.\n|A.\x1c'.split("|"),
        ]
    ),
    max_size=40,
).map("".join)


@given(ENDS)
def test_end_spans(text: str) -> None:
    assert sentences.end_spans(text) == [m.span() for m in END.finditer(text)]


@given(ENDS)
def test_split_sentences(text: str) -> None:
    assert sentences.split_sentences(text) == split_reference(text)


def ends_cleanly_reference(text: str) -> bool:
    words = text.rstrip(".!?…\"'”’) ").split()
    return bool(words) and bool(bare(words[-1])) and bare(words[-1]) not in FUNCTION_WORDS


@given(st.one_of(CLAUSES, SPACED))
def test_ends_cleanly(text: str) -> None:
    for probe in (text, text + " with", text + " it.\t", "“" + text + ".”"):
        assert ends_cleanly(probe) is ends_cleanly_reference(probe)


@given(st.one_of(TEXT, CLAUSES))
def test_content_words(text: str) -> None:
    reference = [stem for stem in map(text_module._stem, text_module.WORD.findall(text)) if stem]
    assert text_module.content_words(text) == reference
    assert text_module.content_set(text) == frozenset(reference)
