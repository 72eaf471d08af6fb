"""The sentence splitter on a table of tricky news text."""

from __future__ import annotations

import pytest

from digest.summarize.sentences import split_sentences

CASES = [
    ("Mr. Smith went to Washington. He left.", ["Mr. Smith went to Washington.", "He left."]),
    ("Mrs. Jones and Dr. Who met. They talked.", ["Mrs. Jones and Dr. Who met.", "They talked."]),
    ("It rose 2.5% on Feb. 3. Shares fell.", ["It rose 2.5% on Feb. 3.", "Shares fell."]),
    ("She is No. 2 in the world. He is third.", ["She is No. 2 in the world.", "He is third."]),
    (
        "They live on St. Mark's Place. It is busy.",
        ["They live on St. Mark's Place.", "It is busy."],
    ),
    ("J. K. Rowling wrote it. It sold well.", ["J. K. Rowling wrote it.", "It sold well."]),
    ("George W. Bush spoke. The crowd cheered.", ["George W. Bush spoke.", "The crowd cheered."]),
    ("The U.S. Secretary spoke. Really?", ["The U.S. Secretary spoke.", "Really?"]),
    (
        "He lives in the U.S. The rest live abroad.",
        ["He lives in the U.S.", "The rest live abroad."],
    ),
    ("Talks in the U.K. Parliament ended.", ["Talks in the U.K. Parliament ended."]),
    (
        "Doors open at 10 a.m. local time. Bring ID.",
        ["Doors open at 10 a.m. local time.", "Bring ID."],
    ),
    (
        "Prices hit $3.50 a gallon. Drivers grumbled.",
        ["Prices hit $3.50 a gallon.", "Drivers grumbled."],
    ),
    ('He said "No." Then he left.', ['He said "No."', "Then he left."]),
    ("“It is over.” The coach agreed.", ["“It is over.”", "The coach agreed."]),
    (
        "The vote passed (by 52 to 48.) Critics objected.",
        ["The vote passed (by 52 to 48.)", "Critics objected."],
    ),
    ("Is it? Yes! It is.", ["Is it?", "Yes!", "It is."]),
    ("Wait... The results came in.", ["Wait...", "The results came in."]),
    ("It was made by Acme Inc. The firm grew.", ["It was made by Acme Inc.", "The firm grew."]),
    (
        "Prince crowns dual rock charts . A venue is due.",
        ["Prince crowns dual rock charts .", "A venue is due."],
    ),
    (
        "(CNN)French striker Bafetimbi Gomis said he is well. He was treated.",
        ["(CNN)French striker Bafetimbi Gomis said he is well.", "He was treated."],
    ),
    ("Version 2.0 launched. It has bugs.", ["Version 2.0 launched.", "It has bugs."]),
    ("The 1990s were different. so was he.", ["The 1990s were different. so was he."]),
    ("No terminal punctuation", ["No terminal punctuation"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_sentences_keep_their_characters() -> None:
    text = "One (two). Three, “four.” Five?  Six!"
    assert " ".join(split_sentences(text)) == "One (two). Three, “four.” Five? Six!"


UNCASED = [  # scripts without capitals: the next sentence opens with a letter that has no case
    ("ar", "افتتحت الحكومة ميناء جديدا. وقال الوزير إن الميناء سيوفر ٣٠٠٠ وظيفة.", 2),
    ("fa", "نمایشگاه کتاب آغاز شد. برگزارکنندگان می‌گویند امسال ۲۰۰ ناشر آمده‌اند.", 2),
    ("ar ?", "هل انتهى العمل؟ قال الوزير إنه سينتهي في الربيع.", 2),
    ("ur", "وزیر نے کہا۔ کام بہار میں ختم ہوگا۔", 2),
    ("he", "הממשלה פתחה נמל חדש. השר אמר שייפתחו 3000 משרות.", 2),
    ("hi", "सरकार ने नया बंदरगाह खोला. मंत्री ने कहा कि काम वसंत में पूरा होगा.", 2),
    ("th", "ธนาคารกลางรายงานตัวเลขใหม่. นักวิเคราะห์คาดว่าการส่งออกจะเพิ่มขึ้น.", 2),
    ("fr É", "Il a dit. Émile est parti.", 2),
    ("en lower", "It was late. the end came", 1),
]


@pytest.mark.parametrize(("case", "text", "count"), UNCASED, ids=[c[0] for c in UNCASED])
def test_sentences_of_scripts_without_capitals_are_split(case: str, text: str, count: int) -> None:
    sentences = split_sentences(text)
    assert len(sentences) == count, sentences
    assert " ".join(sentences) == text
