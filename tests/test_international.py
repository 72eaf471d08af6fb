"""International stories beside ordinary ones, over several slots: every slot publishes them all."""

from __future__ import annotations

import json
from pathlib import Path

from support.factories import project, run_digest, write_seed

ALL = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")

# (file name, front matter, title, text): each was enough, alone, to stop every slot before.
STORIES = [
    (
        "family-festival.txt",
        'url = "https://example.org/festival"',
        "Family festival 👨‍👩‍👧 opens with a rainbow 🏳️‍🌈 parade",
        "The city's family festival opened on Saturday with a parade. Organisers said 40,000 "
        "people came. The festival runs until Sunday evening.",
    ),
    (
        "persian-books.txt",
        'url = "https://example.org/fa/books"\nlanguage = "fa"',
        "نمایشگاه کتاب تهران می‌خواهد رکورد بشکند",
        "نمایشگاه کتاب تهران روز شنبه آغاز شد. برگزارکنندگان می‌گویند امسال ۲۰۰ ناشر شرکت "
        "کرده‌اند. این نمایشگاه تا جمعه ادامه دارد.",
    ),
    (
        "thai-economy.txt",
        'url = "https://example.org/ข่าว/เศรษฐกิจ?หัวข้อ=ไทย"\nlanguage = "th"',
        "เศรษฐกิจไทยเติบโตเร็วกว่าที่คาด",
        "ธนาคารกลางรายงานว่าเศรษฐกิจเติบโตร้อยละสามในไตรมาสที่แล้ว. นักวิเคราะห์คาดว่าการส่งออก"
        "จะเพิ่มขึ้นอีก. รัฐบาลจะประกาศแผนใหม่ในเดือนหน้า.",
    ),
    (
        "arabic-port.txt",
        'url = "https://bücher.example/المرفأ"\nlanguage = "ar"',
        "افتتاح ميناء جديد في المدينة",
        "افتتحت الحكومة ميناء جديدا يوم الاثنين. وقال الوزير إن الميناء سيوفر ٣٠٠٠ وظيفة. ومن "
        "المتوقع أن يبدأ العمل الكامل في الربيع.",
    ),
    (
        "soft-hyphen.txt",
        'url = "https://example.org/search?q=javascript:void(0)&lang=de"',
        "Donau\u00addampf\u00adschiff\u00adfahrt resumes after the floods",
        "Passenger boats on the Danube resumed service on Monday. The operator said 12 ships "
        "were back in service. Repairs to two piers will take until March.",
    ),
]


def _write(seeds: Path) -> None:
    for name, front, title, text in STORIES:
        body = f"+++\n{front}\n+++\n{title}\n\n**Primary Article:**\n\n{text}\n"
        (seeds / name).write_text(body, encoding="utf-8")
    for number in range(1, 4):
        write_seed(seeds, number)


def test_every_slot_publishes_international_and_ordinary_stories(tmp_path: Path) -> None:
    schedule = {"name": "morning", "at": "08:00", "max_stories": 3, "catch_up": "7d"}
    project(tmp_path, [schedule], ALL)
    _write(tmp_path / "seeds")
    carried: list[str] = []
    for day in ("2026-11-28", "2026-11-29", "2026-11-30"):
        done = run_digest("build", "--slot", f"morning@{day}", "--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["rejected"] == [], result["rejected"]
        assert len(result["stories"]) == 3 if day != "2026-11-30" else 2
        batch = Path(result["batch"])
        verify = run_digest("outbox", "verify", str(batch), cwd=tmp_path)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        check = run_digest("check", str(batch), cwd=tmp_path)
        assert check.returncode == 0, check.stdout + check.stderr
        html = (batch / "email" / "digest.html").read_text("utf-8")
        assert "\\u{" not in html
        manifest = json.loads((batch / "manifest.json").read_text("utf-8"))
        carried += [story["source"] for story in manifest["stories"]]
    assert sorted(carried) == sorted(
        [s[0] for s in STORIES] + [f"story-000{n}.txt" for n in (1, 2, 3)]
    )
